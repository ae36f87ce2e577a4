//! [`BalancedChannel`]: the tower service every generated tonic client of a Carpetti service runs
//! on. Per call: pick an instance round-robin (skipping open breakers), stamp the headers (service
//! JWT, trace context), send with a deadline, and on a transient failure try again — on another
//! instance, after a jittered back-off — when the method allows it.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use bytes::Bytes;
use carpetti_handle::observe::names::{
    CLIENT_BREAKER_STATE, GRPC_CLIENT_RETRIES_TOTAL, LABEL_TARGET,
};
use carpetti_util::breaker::Permit;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::BodyExt;
use tokio::sync::watch;
use tonic::body::Body;
use tower::{Service, ServiceExt};

use crate::methods::{MethodKind, MethodTable};
use crate::outcome::{Outcome, classify_error, classify_response};
use crate::pool::{Instance, Pool};
use crate::{CallPolicy, RepoError};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Adds headers to every outgoing request (the service JWT for the target, the W3C trace
/// context): called once per attempt, so a token refreshed between attempts is picked up.
pub trait HeaderStamp: Send + Sync + 'static {
    fn stamp(&self, service: &str, headers: &mut HeaderMap);
}

/// A load-balancing, retrying, breaker-guarded channel to every instance of one service.
#[derive(Clone)]
pub struct BalancedChannel {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    policy: CallPolicy,
    methods: MethodTable,
    stamps: Vec<Arc<dyn HeaderStamp>>,
}

impl BalancedChannel {
    /// A channel to `service`, whose instance addresses `addresses` keeps current (discovery's
    /// watch, or a fixed list).
    pub fn new(
        service: impl Into<String>,
        addresses: watch::Receiver<Vec<SocketAddr>>,
        policy: CallPolicy,
        stamps: Vec<Arc<dyn HeaderStamp>>,
    ) -> Self {
        let service = service.into();
        Self {
            inner: Arc::new(Inner {
                pool: Pool::new(service, policy.clone(), addresses),
                policy,
                methods: MethodTable::carpetti(),
                stamps,
            }),
        }
    }

    /// The service this channel calls.
    pub fn service(&self) -> &str {
        self.inner.pool.service()
    }
}

impl Service<Request<Body>> for BalancedChannel {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is per instance and checked per attempt inside `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move { inner.call(request).await.map_err(into_status) })
    }
}

impl Inner {
    /// Calls and their latency are counted by the `ClientMetricsLayer` wrapped around this
    /// channel (it reads the final status from the trailers); this counts retries and breakers.
    async fn call(&self, request: Request<Body>) -> Result<Response<Body>, BoxError> {
        let kind = self.methods.kind(request.uri().path());
        if kind.client_streaming {
            self.call_streaming(request).await
        } else {
            self.call_unary(request, kind).await
        }
    }

    /// A client-streaming call: its body cannot be replayed, so it is sent once, to the first
    /// instance whose breaker allows it.
    async fn call_streaming(&self, mut request: Request<Body>) -> Result<Response<Body>, BoxError> {
        for instance in &self.pool.candidates(&[]).await? {
            let Ok(permit) = instance.breaker.try_acquire() else {
                continue;
            };
            self.stamp(request.headers_mut());
            let result = send(instance, request, None).await;
            self.settle(instance, permit, classify_result(&result));
            return result;
        }
        Err(RepoError::AllOpen {
            service: self.pool.service().to_owned(),
        }
        .into())
    }

    async fn call_unary(
        &self,
        request: Request<Body>,
        kind: MethodKind,
    ) -> Result<Response<Body>, BoxError> {
        let (parts, body) = request.into_parts();
        let body: Bytes = body
            .collect()
            .await
            .map_err(|err| RepoError::Body {
                service: self.pool.service().to_owned(),
                reason: err.to_string(),
            })?
            .to_bytes();
        let mut delays = ExponentialBuilder::default()
            .with_min_delay(self.policy.min_delay)
            .with_max_delay(self.policy.max_delay)
            .with_jitter()
            .without_max_times()
            .build();
        let mut tried: Vec<SocketAddr> = Vec::new();
        let mut last = String::from("no attempt made");
        let max_attempts = self.policy.max_attempts.max(1);
        for attempt in 1..=max_attempts {
            if attempt > 1 {
                metrics::counter!(GRPC_CLIENT_RETRIES_TOTAL, LABEL_TARGET => self.pool.service().to_owned())
                    .increment(1);
            }
            let candidates = self.pool.candidates(&tried).await?;
            let chosen = candidates.iter().find_map(|instance| {
                instance
                    .breaker
                    .try_acquire()
                    .ok()
                    .map(|permit| (instance, permit))
            });
            let Some((instance, permit)) = chosen else {
                return Err(RepoError::AllOpen {
                    service: self.pool.service().to_owned(),
                }
                .into());
            };
            tried.push(instance.address);
            let mut request = Request::from_parts(
                parts.clone(),
                Body::new(http_body_util::Full::new(body.clone())),
            );
            self.stamp(request.headers_mut());
            let result = send(instance, request, Some(self.policy.attempt_timeout)).await;
            let outcome = classify_result(&result);
            self.settle(instance, permit, outcome);
            let retry = match outcome {
                Outcome::Ok | Outcome::Error => false,
                // Never reached the server: safe for any method.
                Outcome::Refused => true,
                Outcome::Unavailable | Outcome::Timeout => kind.idempotent,
            };
            if !retry || attempt == max_attempts {
                return result;
            }
            last = describe(&result);
            tracing::debug!(
                service = self.pool.service(),
                instance = %instance.address,
                attempt,
                reason = %last,
                "retrying gRPC call"
            );
            if outcome != Outcome::Refused {
                let delay = delays.next().unwrap_or(self.policy.max_delay);
                tokio::time::sleep(delay).await;
            }
        }
        Err(RepoError::Exhausted {
            service: self.pool.service().to_owned(),
            attempts: max_attempts,
            last,
        }
        .into())
    }

    fn stamp(&self, headers: &mut HeaderMap) {
        for stamp in &self.stamps {
            stamp.stamp(self.pool.service(), headers);
        }
    }

    /// Reports one attempt's outcome to the instance's breaker and its state to the metrics.
    fn settle(&self, instance: &Instance, permit: Permit<'_>, outcome: Outcome) {
        match outcome {
            Outcome::Ok | Outcome::Error => permit.success(),
            Outcome::Refused | Outcome::Unavailable | Outcome::Timeout => permit.failure(),
        }
        self.report_breaker(instance);
    }

    fn report_breaker(&self, instance: &Instance) {
        metrics::gauge!(
            CLIENT_BREAKER_STATE,
            LABEL_TARGET => self.pool.service().to_owned(),
            "instance" => instance.address.to_string()
        )
        .set(instance.breaker.state().as_gauge());
    }
}

async fn send(
    instance: &Instance,
    mut request: Request<Body>,
    timeout: Option<Duration>,
) -> Result<Response<Body>, BoxError> {
    if let Some(timeout) = timeout
        && let Ok(value) = HeaderValue::from_str(&format!("{}m", timeout.as_millis().max(1)))
    {
        request.headers_mut().insert("grpc-timeout", value);
    }
    let mut channel = instance.channel.clone();
    let call = async move {
        let ready = channel.ready().await.map_err(BoxError::from)?;
        ready.call(request).await.map_err(BoxError::from)
    };
    match timeout {
        Some(timeout) => tokio::time::timeout(timeout, call)
            .await
            .unwrap_or_else(|_| Err(Box::new(crate::outcome::AttemptTimedOut(timeout)))),
        None => call.await,
    }
}

/// Our own failures reach the caller as a `tonic::Status` with the right code (tonic finds a
/// `Status` in the error chain); transport errors keep tonic's own mapping.
fn into_status(error: BoxError) -> BoxError {
    if let Some(repo) = error.downcast_ref::<RepoError>() {
        return Box::new(tonic::Status::unavailable(repo.to_string()));
    }
    if let Some(timeout) = error.downcast_ref::<crate::outcome::AttemptTimedOut>() {
        return Box::new(tonic::Status::deadline_exceeded(timeout.to_string()));
    }
    // tonic enforces the `grpc-timeout` we send and reports it as CANCELLED; to the caller it is
    // the deadline of the attempt.
    if crate::outcome::in_chain::<tonic::TimeoutExpired>(error.as_ref()) {
        return Box::new(tonic::Status::deadline_exceeded(
            "no answer within the attempt's deadline",
        ));
    }
    error
}

fn classify_result(result: &Result<Response<Body>, BoxError>) -> Outcome {
    match result {
        Ok(response) => classify_response(response),
        Err(err) => classify_error(err.as_ref()),
    }
}

fn describe(result: &Result<Response<Body>, BoxError>) -> String {
    match result {
        Ok(response) => format!(
            "grpc-status {}",
            response
                .headers()
                .get("grpc-status")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?")
        ),
        Err(err) => err.to_string(),
    }
}
