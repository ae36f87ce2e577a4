//! [`ServiceAuthLayer`]: the server side, a tower layer in front of a gRPC server's routes.

use std::task::{Context, Poll};

use futures::future::{Either, Ready, ready};
use http::{Request, Response};
use tonic::Status;
use tonic::body::Body;
use tower::{Layer, Service};

use super::Verifier;

/// Paths that stay open without a token: health checks (load balancers, Consul) and reflection.
const OPEN_PREFIXES: [&str; 2] = ["/grpc.health.v1.Health/", "/grpc.reflection."];

/// A tower layer verifying the service token of every request except health and reflection;
/// refused requests get `UNAUTHENTICATED` with the reason, accepted ones carry the
/// [`super::Caller`] in their extensions. [`crate::GrpcServer::with_service_auth`] installs it.
#[derive(Debug, Clone)]
pub struct ServiceAuthLayer {
    verifier: Verifier,
}

impl ServiceAuthLayer {
    /// A layer verifying with `verifier`.
    pub fn new(verifier: Verifier) -> ServiceAuthLayer {
        ServiceAuthLayer { verifier }
    }
}

impl<S> Layer<S> for ServiceAuthLayer {
    type Service = ServiceAuth<S>;

    fn layer(&self, inner: S) -> ServiceAuth<S> {
        ServiceAuth {
            inner,
            verifier: self.verifier.clone(),
        }
    }
}

/// The service made by [`ServiceAuthLayer`].
#[derive(Debug, Clone)]
pub struct ServiceAuth<S> {
    inner: S,
    verifier: Verifier,
}

impl<S, B> Service<Request<B>> for ServiceAuth<S>
where
    S: Service<Request<B>, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Either<S::Future, Ready<Result<Response<Body>, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let path = request.uri().path();
        if OPEN_PREFIXES.iter().any(|open| path.starts_with(open)) {
            return Either::Left(self.inner.call(request));
        }
        let header = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .map(|value| value.to_str().unwrap_or(""));
        match self.verifier.verify_authorization(header) {
            Ok(caller) => {
                tracing::debug!(caller = %caller.service, key_id = %caller.key_id, "service token accepted");
                request.extensions_mut().insert(caller);
                Either::Left(self.inner.call(request))
            }
            Err(rejection) => {
                // The reason only: the token itself is a credential and is never logged.
                tracing::warn!(method = %path, reason = %rejection, "service token rejected");
                let status = Status::unauthenticated(rejection.to_string());
                Either::Right(ready(Ok(status.into_http())))
            }
        }
    }
}
