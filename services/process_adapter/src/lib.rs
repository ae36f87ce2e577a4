//! process_adapter (the seed's "Адаптер процессов", diagrams 3–4): a WebSocket service that
//! streams a process's BPMN schema and its live cursor to any number of viewers while polling
//! the engine once per channel.
//!
//! - [`protocol`]: the versioned JSON protocol (`subscribe` / `schema` / `cursor` / `error`).
//! - [`channel`]: channel objects, one per business key with subscribers, each with one poll
//!   loop whose interval adapts to the service statistics ([`stats::Pacing`]).
//! - [`cursor`]: Camunda's activity-instance tree flattened into a cursor.
//! - [`engine`]: the engine reads behind a trait, over the Camunda 7 REST client.
//! - [`cluster`]: scale-out — a lease per channel (package_cache) and the holder's states on the
//!   queue (package_queue), so each channel is polled by one instance cluster-wide.
//! - [`server`]: the HTTP service: `/ws`, the live page `/processes/{businessKey}`, `/health`.

pub mod channel;
pub mod cluster;
pub mod cursor;
pub mod engine;
mod error;
pub mod key;
pub mod metrics;
mod page;
pub mod protocol;
pub mod server;
mod settings;
pub mod stats;
mod ws;

pub use error::AdapterError;
pub use server::{AdapterServer, AdapterStats};
pub use settings::AdapterSettings;
pub use ws::SocketSettings;

/// The service's name (metrics, logs, `carpetti serve process_adapter`).
pub const SERVICE_NAME: &str = "process_adapter";
