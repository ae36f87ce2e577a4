//! The embedded BPMN engine ("process (Camunda)" of the seed): executes BPMN 2.0 models with
//! Camunda 7 semantics for the subset Carpetti's processes use, keeps deployments, instances,
//! jobs, external tasks, incidents and history in SQLite or PostgreSQL, and serves them over the
//! Camunda 7 REST API at `/engine-rest`, so the same workers and tools run against it and
//! against a real Camunda 7.
//!
//! - [`model`]: BPMN XML → an executable model; anything outside the supported set is refused at
//!   deployment with the element id and the reason.
//! - [`runtime`]: the pure token game — commands over one instance's state returning effects.
//! - [`variables`]: Camunda-typed variables.
//! - [`rest`]: the Camunda 7 REST API (`/engine-rest`) over any [`api::EngineApi`].

pub mod api;
mod engine;
pub mod memory;
pub mod model;
pub mod rest;
pub mod runtime;
pub mod server;
pub mod variables;

pub use engine::{Engine, EngineConfig, EngineStorage, PgEngine, SqliteEngine};
