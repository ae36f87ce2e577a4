//! [`ClientMetricsLayer`]: per-call count and latency of a typed gRPC client, by target.
//!
//! Wrap the channel of a client: `ServiceBuilder::new().layer(ClientTraceLayer)
//! .layer(ClientMetricsLayer::new("persist")).service(channel)`. A call is recorded when its
//! status is known (trailers-only headers, or the trailers at the end of the body); a transport
//! failure (no connection) records `UNAVAILABLE`; a call dropped unfinished (the caller's
//! timeout, a breaker) records `CANCELLED`. Each attempt of a retried call counts once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{Request, Response};
use tonic::Code;
use tonic::body::Body;
use tower::{Layer, Service};

use super::names::{
    GRPC_CLIENT_REQUEST_DURATION_SECONDS, GRPC_CLIENT_REQUESTS_TOTAL, LABEL_CODE, LABEL_METHOD,
    LABEL_SERVICE, LABEL_TARGET,
};
use crate::observe::outcome::{Finish, code_name, split_path, watch_response};

/// Records one finished client call: what [`ClientMetricsLayer`] does per call, for a client
/// that observes its calls another way.
pub fn record_client_call(target: &str, path: &str, code: Code, elapsed: Duration) {
    let (service, method) = split_path(path).unwrap_or(("unknown", "unknown"));
    metrics::counter!(
        GRPC_CLIENT_REQUESTS_TOTAL,
        LABEL_TARGET => target.to_owned(),
        LABEL_SERVICE => service.to_owned(),
        LABEL_METHOD => method.to_owned(),
        LABEL_CODE => code_name(code),
    )
    .increment(1);
    metrics::histogram!(
        GRPC_CLIENT_REQUEST_DURATION_SECONDS,
        LABEL_TARGET => target.to_owned(),
        LABEL_SERVICE => service.to_owned(),
        LABEL_METHOD => method.to_owned(),
    )
    .record(elapsed.as_secs_f64());
}

/// A tower layer over a client channel recording [`GRPC_CLIENT_REQUESTS_TOTAL`] and
/// [`GRPC_CLIENT_REQUEST_DURATION_SECONDS`] with the label `target`.
#[derive(Debug, Clone)]
pub struct ClientMetricsLayer {
    target: Arc<str>,
}

impl ClientMetricsLayer {
    /// A layer for calls to `target` (the called service's name, e.g. `persist`).
    pub fn new(target: impl AsRef<str>) -> ClientMetricsLayer {
        ClientMetricsLayer {
            target: Arc::from(target.as_ref()),
        }
    }
}

impl<S> Layer<S> for ClientMetricsLayer {
    type Service = ClientMetrics<S>;

    fn layer(&self, inner: S) -> ClientMetrics<S> {
        ClientMetrics {
            inner,
            target: self.target.clone(),
        }
    }
}

/// The service made by [`ClientMetricsLayer`].
#[derive(Debug, Clone)]
pub struct ClientMetrics<S> {
    inner: S,
    target: Arc<str>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B> Service<Request<B>> for ClientMetrics<S>
where
    S: Service<Request<B>, Response = Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<Body>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let call = ClientCall {
            target: self.target.clone(),
            path: Some(req.uri().path().to_owned()),
            start: Instant::now(),
        };
        let future = self.inner.call(req);
        Box::pin(async move {
            let mut call = call;
            match future.await {
                Ok(response) => Ok(watch_response(response, call)),
                Err(error) => {
                    call.record(Code::Unavailable);
                    Err(error)
                }
            }
        })
    }
}

/// One call in flight; records itself once (as `CANCELLED` when dropped unfinished).
struct ClientCall {
    target: Arc<str>,
    path: Option<String>,
    start: Instant,
}

impl ClientCall {
    fn record(&mut self, code: Code) {
        if let Some(path) = self.path.take() {
            record_client_call(&self.target, &path, code, self.start.elapsed());
        }
    }
}

impl Finish for ClientCall {
    fn finish(mut self, code: Code) {
        self.record(code);
    }
}

impl Drop for ClientCall {
    fn drop(&mut self) {
        self.record(Code::Cancelled);
    }
}
