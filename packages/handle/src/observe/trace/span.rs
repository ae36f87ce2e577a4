//! Trace contexts carried by tracing spans: a span made by [`trace_span`] holds its
//! [`TraceContext`] in the span's extensions (and shows `trace_id`, `span_id` and
//! `parent_span_id` as fields, so every log line inside it carries them), and
//! [`current_trace_context`] finds it again from any span nested inside.
//!
//! The span is made at ERROR level on purpose: a span exists only when the filter enables it,
//! and the context must propagate (and appear on warnings and errors) whatever `log.level` says.

use tracing::{Span, field};
use tracing_subscriber::Registry;
use tracing_subscriber::registry::LookupSpan;

use super::context::{TraceContext, TraceHeaders};

/// The name of the spans carrying a trace context.
pub const TRACE_SPAN_NAME: &str = "trace";

/// A span carrying `ctx`: enter it (or `.instrument(span)` a future) and everything logged
/// inside shows `trace_id`/`span_id`, and outgoing calls and published messages continue it.
pub fn trace_span(ctx: &TraceContext) -> Span {
    let span = tracing::error_span!(
        TRACE_SPAN_NAME,
        trace_id = %ctx.trace_id_hex(),
        span_id = %ctx.span_id_hex(),
        parent_span_id = field::Empty,
    );
    if let Some(parent) = ctx.parent_span_id_hex() {
        span.record("parent_span_id", parent.as_str());
    }
    attach(&span, ctx.clone());
    span
}

/// A span continuing the trace of a received message (its `traceparent`/`tracestate` headers):
/// a child of that context, or a new trace when the headers are missing or malformed.
///
/// ```no_run
/// # async fn handle() {}
/// # let (traceparent, tracestate): (Option<String>, Option<String>) = (None, None);
/// use tracing::Instrument;
/// let span = carpetti_handle::observe::with_trace_context(traceparent.as_deref(), tracestate.as_deref());
/// # async {
/// handle().instrument(span).await;
/// # };
/// ```
pub fn with_trace_context(traceparent: Option<&str>, tracestate: Option<&str>) -> Span {
    trace_span(&TraceContext::continue_from(traceparent, tracestate))
}

/// The trace context of the current span (the nearest enclosing span made by [`trace_span`]),
/// if there is one and the global subscriber is built on `tracing_subscriber`'s registry.
pub fn current_trace_context() -> Option<TraceContext> {
    context_of(&Span::current())
}

/// The current trace context as message headers, for publishing: `None` outside any trace.
pub fn current_trace_headers() -> Option<TraceHeaders> {
    current_trace_context().map(|ctx| ctx.to_headers())
}

/// The trace context of `span` or of its nearest ancestor that has one.
pub fn context_of(span: &Span) -> Option<TraceContext> {
    span.with_subscriber(|(id, dispatch)| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        let data = registry.span(id)?;
        data.scope()
            .find_map(|s| s.extensions().get::<TraceContext>().cloned())
    })
    .flatten()
}

/// Stores `ctx` in `span`'s extensions (nothing happens for a disabled span or a subscriber
/// without the registry).
fn attach(span: &Span, ctx: TraceContext) {
    span.with_subscriber(|(id, dispatch)| {
        if let Some(data) = dispatch
            .downcast_ref::<Registry>()
            .and_then(|registry| registry.span(id))
        {
            data.extensions_mut().replace(ctx);
        }
    });
}
