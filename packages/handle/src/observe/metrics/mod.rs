//! Prometheus metrics: the names ([`names`]), the recorder and `/metrics` endpoint, and the
//! gRPC server and client layers.

mod client;
mod exporter;
pub mod names;
mod server;

pub use client::{ClientMetrics, ClientMetricsLayer, record_client_call};
pub use exporter::{MetricsHandle, MetricsServer, install_metrics};
pub use server::{GrpcMetrics, GrpcMetricsLayer};
