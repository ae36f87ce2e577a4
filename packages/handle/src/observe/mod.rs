//! Observability shared by every service: structured logs ([`init_logging`]: JSON lines on
//! stdout by default, optionally also the Fluent Forward protocol), Prometheus metrics
//! ([`install_metrics`], [`MetricsServer`], the gRPC server and client layers, every metric name
//! in [`names`]) and W3C trace context across gRPC calls and queue messages ([`TraceContext`],
//! [`ServerTraceLayer`], [`ClientTraceLayer`], [`current_trace_headers`], [`with_trace_context`]).

mod error;
pub mod fluent;
mod logging;
pub mod metrics;
mod outcome;
mod trace;

pub use error::ObserveError;
pub use fluent::{FluentHandle, FluentOptions, FluentStats};
pub use logging::{LogFormat, LogGuard, LogOptions, LogOutput, build_dispatch, init_logging};
pub use metrics::names;
pub use metrics::{
    ClientMetrics, ClientMetricsLayer, GrpcMetrics, GrpcMetricsLayer, MetricsHandle, MetricsServer,
    install_metrics, record_client_call,
};
pub use outcome::code_name;
pub use trace::{
    ClientTrace, ClientTraceLayer, ServerTrace, ServerTraceLayer, TRACE_SPAN_NAME,
    TRACEPARENT_HEADER, TRACESTATE_HEADER, TraceContext, TraceContextInterceptor, TraceHeaders,
    context_of, current_trace_context, current_trace_headers, inject_trace_context, trace_span,
    with_trace_context,
};
