//! W3C Trace Context (<https://www.w3.org/TR/trace-context/>) across gRPC calls and queue
//! messages, on top of tracing spans: see [`TraceContext`], [`trace_span`] and the layers.

mod context;
mod propagate;
mod span;

pub use context::{TRACEPARENT_HEADER, TRACESTATE_HEADER, TraceContext, TraceHeaders};
pub use propagate::{
    ClientTrace, ClientTraceLayer, ServerTrace, ServerTraceLayer, TraceContextInterceptor,
    inject_trace_context,
};
pub use span::{
    TRACE_SPAN_NAME, context_of, current_trace_context, current_trace_headers, trace_span,
    with_trace_context,
};
