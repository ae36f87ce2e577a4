//! [`GrpcMetricsLayer`]: per-RPC count and latency of a gRPC server.
//!
//! A call is recorded when its outcome is known: at once for a trailers-only response (most
//! errors), else when the response body's trailers pass — so a streaming call counts when the
//! stream ends, with its final status and its whole duration. A response abandoned before its
//! end (the client went away) counts as `CANCELLED`.
//!
//! Label values are bounded: a path naming a service the server does not serve is recorded as
//! service and method `unknown`, and an `UNIMPLEMENTED` answer as method `unknown`, so a
//! scanner cannot create series at will.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{Request, Response};
use tonic::Code;
use tonic::body::Body;
use tower::{Layer, Service};

use super::names::{
    GRPC_SERVER_REQUEST_DURATION_SECONDS, GRPC_SERVER_REQUESTS_TOTAL, LABEL_CODE, LABEL_METHOD,
    LABEL_SERVICE,
};
use crate::observe::outcome::{Finish, code_name, split_path, watch_response};

const UNKNOWN: &str = "unknown";

/// A tower layer recording [`GRPC_SERVER_REQUESTS_TOTAL`] and
/// [`GRPC_SERVER_REQUEST_DURATION_SECONDS`] for every request. [`crate::GrpcServer`] installs
/// it with the names of the services it serves.
#[derive(Debug, Clone)]
pub struct GrpcMetricsLayer {
    services: Arc<[&'static str]>,
}

impl GrpcMetricsLayer {
    /// A layer for a server serving `services` (full names, e.g. `grpc.health.v1.Health`).
    pub fn new(services: impl IntoIterator<Item = &'static str>) -> GrpcMetricsLayer {
        GrpcMetricsLayer {
            services: services.into_iter().collect(),
        }
    }
}

impl<S> Layer<S> for GrpcMetricsLayer {
    type Service = GrpcMetrics<S>;

    fn layer(&self, inner: S) -> GrpcMetrics<S> {
        GrpcMetrics {
            inner,
            services: self.services.clone(),
        }
    }
}

/// The service made by [`GrpcMetricsLayer`].
#[derive(Debug, Clone)]
pub struct GrpcMetrics<S> {
    inner: S,
    services: Arc<[&'static str]>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B> Service<Request<B>> for GrpcMetrics<S>
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
        let known = split_path(req.uri().path()).and_then(|(service, method)| {
            let service = self.services.iter().find(|s| **s == service)?;
            Some((*service, method.to_owned()))
        });
        let (service, method) = known.unwrap_or((UNKNOWN, UNKNOWN.to_owned()));
        let call = ServerCall {
            service,
            method: Some(method),
            start: Instant::now(),
        };
        let future = self.inner.call(req);
        Box::pin(async move {
            let mut call = call;
            match future.await {
                Ok(response) => Ok(watch_response(response, call)),
                Err(error) => {
                    call.record(Code::Internal);
                    Err(error)
                }
            }
        })
    }
}

/// One call being handled; records itself once (as `CANCELLED` when dropped unfinished).
struct ServerCall {
    service: &'static str,
    method: Option<String>,
    start: Instant,
}

impl ServerCall {
    fn record(&mut self, code: Code) {
        let Some(mut method) = self.method.take() else {
            return;
        };
        if code == Code::Unimplemented {
            method = UNKNOWN.to_owned();
        }
        let seconds = self.start.elapsed().as_secs_f64();
        metrics::counter!(
            GRPC_SERVER_REQUESTS_TOTAL,
            LABEL_SERVICE => self.service,
            LABEL_METHOD => method.clone(),
            LABEL_CODE => code_name(code),
        )
        .increment(1);
        metrics::histogram!(
            GRPC_SERVER_REQUEST_DURATION_SECONDS,
            LABEL_SERVICE => self.service,
            LABEL_METHOD => method,
        )
        .record(seconds);
    }
}

impl Finish for ServerCall {
    fn finish(mut self, code: Code) {
        self.record(code);
    }
}

impl Drop for ServerCall {
    fn drop(&mut self) {
        self.record(Code::Cancelled);
    }
}
