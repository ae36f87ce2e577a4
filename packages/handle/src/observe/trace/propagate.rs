//! Trace context across gRPC: [`ServerTraceLayer`] continues (or starts) a trace for every
//! request a server receives; [`ClientTraceLayer`], [`TraceContextInterceptor`] and
//! [`inject_trace_context`] put the current one into outgoing calls.

use std::task::{Context, Poll};

use http::{HeaderMap, HeaderValue, Request};
use tonic::metadata::{MetadataMap, MetadataValue};
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::instrument::Instrumented;

use super::context::{TRACEPARENT_HEADER, TRACESTATE_HEADER, TraceContext};
use super::span::{current_trace_context, trace_span};

/// A tower layer for gRPC servers: reads `traceparent`/`tracestate` from the request (a
/// malformed or missing one starts a new trace — never an error), runs the request inside a
/// [`trace_span`] of a new child span (so its logs carry `trace_id`, `span_id` and
/// `parent_span_id`), and stores the [`TraceContext`] in the request's extensions.
/// [`crate::GrpcServer`] installs it outermost.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerTraceLayer;

impl<S> Layer<S> for ServerTraceLayer {
    type Service = ServerTrace<S>;

    fn layer(&self, inner: S) -> ServerTrace<S> {
        ServerTrace { inner }
    }
}

/// The service made by [`ServerTraceLayer`].
#[derive(Debug, Clone)]
pub struct ServerTrace<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for ServerTrace<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Instrumented<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let ctx = incoming(req.headers());
        let span = trace_span(&ctx);
        req.extensions_mut().insert(ctx);
        // Spans made while the inner service is called (the request span) nest under this one.
        let future = span.in_scope(|| self.inner.call(req));
        future.instrument(span)
    }
}

/// The local context of a request carrying `headers`.
fn incoming(headers: &HeaderMap) -> TraceContext {
    let traceparent = headers.get(TRACEPARENT_HEADER).map(HeaderValue::to_str);
    let traceparent = match traceparent {
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => None,
        None => return TraceContext::new_root(),
    };
    // Several tracestate headers are one list joined by commas.
    let states: Vec<&str> = headers
        .get_all(TRACESTATE_HEADER)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let tracestate = (!states.is_empty()).then(|| states.join(","));
    match traceparent.and_then(|tp| TraceContext::parse(tp, tracestate.as_deref())) {
        Some(remote) => remote.child(),
        None => {
            tracing::debug!("malformed traceparent ignored; starting a new trace");
            TraceContext::new_root()
        }
    }
}

/// A tower layer for gRPC clients (around a `tonic::transport::Channel`): adds the current
/// trace context ([`current_trace_context`]) to every outgoing request as `traceparent` (this
/// span as the parent) and `tracestate`. Outside any trace nothing is added and the server
/// starts one.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientTraceLayer;

impl<S> Layer<S> for ClientTraceLayer {
    type Service = ClientTrace<S>;

    fn layer(&self, inner: S) -> ClientTrace<S> {
        ClientTrace { inner }
    }
}

/// The service made by [`ClientTraceLayer`].
#[derive(Debug, Clone)]
pub struct ClientTrace<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for ClientTrace<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        if let Some(ctx) = current_trace_context() {
            let headers = req.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&ctx.traceparent()) {
                headers.insert(TRACEPARENT_HEADER, value);
            }
            if let Some(Ok(value)) = ctx.tracestate().map(HeaderValue::from_str) {
                headers.insert(TRACESTATE_HEADER, value);
            }
        }
        self.inner.call(req)
    }
}

/// Adds the current trace context to the metadata of an outgoing call (for a client that
/// composes its own interceptor, e.g. with the service token). Returns whether one was added.
pub fn inject_trace_context(metadata: &mut MetadataMap) -> bool {
    let Some(ctx) = current_trace_context() else {
        return false;
    };
    let Ok(traceparent) = MetadataValue::try_from(ctx.traceparent()) else {
        return false;
    };
    metadata.insert(TRACEPARENT_HEADER, traceparent);
    if let Some(Ok(state)) = ctx.tracestate().map(MetadataValue::try_from) {
        metadata.insert(TRACESTATE_HEADER, state);
    }
    true
}

/// A tonic interceptor doing [`inject_trace_context`]:
/// `PersistClient::with_interceptor(channel, TraceContextInterceptor)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceContextInterceptor;

impl tonic::service::Interceptor for TraceContextInterceptor {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        inject_trace_context(request.metadata_mut());
        Ok(request)
    }
}
