//! carpetti-handle owns the server plumbing every Carpetti service shares: the gRPC server
//! builder [`GrpcServer`] (health `grpc.health.v1`, server reflection v1 and v1alpha, request ids,
//! one tracing span per request, timeouts and keepalive, graceful shutdown), the process-wide
//! [`shutdown_signal`] and [`init_tracing`].
//! Service discovery (Consul, static) with registration around a running server is in
//! [`discovery`]; service-to-service JWTs (client interceptor, server layer) are in [`auth`].
//! Logs (JSON, Fluent Forward), Prometheus metrics and W3C trace context live in [`observe`].

pub mod auth;
pub mod discovery;
mod error;
pub mod observe;
mod request_id;
mod server;
mod signal;
mod telemetry;

pub use error::HandleError;
pub use request_id::{REQUEST_ID_HEADER, RequestContextLayer, RequestId};
pub use server::GrpcServer;
pub use signal::shutdown_signal;
pub use telemetry::init_tracing;
pub use tonic_health::ServingStatus;
pub use tonic_health::server::HealthReporter;
