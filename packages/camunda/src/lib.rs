//! A Camunda 7 REST client and external-task worker runtime.
//!
//! Owns the client side of the Camunda 7 REST API (`…/engine-rest`): deployments, process
//! definitions, starts, runtime instances and their activity trees, variables, message
//! correlation, external tasks (fetchAndLock long polling, complete, failure, bpmnError,
//! extendLock, unlock), user tasks, incidents and history. Carpetti's services use it against
//! Carpetti's embedded engine, and it works unchanged against a real Camunda 7 (7.17–7.22): the
//! paths, camelCase JSON shapes, typed variables (`{value, type, valueInfo}`) and the
//! `yyyy-MM-dd'T'HH:mm:ss.SSS+hhmm` dates are the documented ones.
//!
//! - [`CamundaClient`]: every call has a timeout; idempotent calls (reads, fetchAndLock,
//!   extendLock, unlock) are retried with exponential back-off and jitter, the others (start,
//!   complete, …) only when nothing was sent; a circuit breaker per client fails fast after
//!   consecutive transport errors, timeouts and 5xx answers.
//! - [`worker`]: a runtime that subscribes handlers to topics and runs them.
//!
//! Tested against a loopback HTTP server of the documented endpoints (`tests/it/support`), which
//! records and checks the exact requests; and against Carpetti's engine in the engine's tests.

mod client;
mod config;
pub mod dto;
mod error;
pub mod query;
mod serde_ext;
mod variables;
pub mod worker;

pub use client::CamundaClient;
pub use config::{Auth, ClientConfig, RetryConfig, parse_base_url};
pub use dto::{
    ActivityInstance, Deployment, DeploymentResult, FetchAndLock, FetchTopic, LockedExternalTask,
    MessageRequest, StartRequest,
};
pub use error::{CamundaError, Result};
pub use serde_ext::{DATE_FORMAT, format_date, parse_date};
pub use variables::{VariableValue, Variables};

/// Re-exported for [`ClientConfig::breaker`].
pub use carpetti_util::breaker::{BreakerConfig, BreakerState};
/// Re-exported for [`Auth`].
pub use secrecy::SecretString;
