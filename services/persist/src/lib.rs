//! service_persist: owns the Carpetti database. Every entity of docs/domain.md lives here and
//! only here; other services reach it over gRPC (`carpetti.persist.v1`). Storage is one trait
//! ([`store::Store`]) with two backends, PostgreSQL and SQLite (the embedded default).

pub mod error;
pub mod grpc;
pub mod model;
mod server;
pub mod store;

pub use error::{StoreError, StoreResult};
pub use server::{Error, PersistServer, SERVICE_NAME, open_store};
