//! [`CamundaClient`]: one HTTP client, the base URL and credentials, and the policy every call goes
//! through — a timeout per attempt, retries with exponential back-off and jitter for idempotent
//! calls only, and one circuit breaker per client that fails fast after consecutive
//! unavailability (transport errors, timeouts, 5xx). The calls themselves are grouped by area in
//! the submodules.

mod definition;
mod deployment;
mod external_task;
mod history;
mod instance;
mod message;
mod task;

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use carpetti_util::breaker::{BreakerState, CircuitBreaker};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::config::{Auth, ClientConfig, RetryConfig};
use crate::dto::{CountResult, EngineName};
use crate::error::{CamundaError, Result};
use crate::query::query_pairs;

/// A Camunda 7 REST client. Cheap to clone: clones share the connection pool and the breaker.
#[derive(Clone, Debug)]
pub struct CamundaClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: Auth,
    request_timeout: Duration,
    retry: RetryConfig,
    breaker: CircuitBreaker,
}

/// Whether a call may be sent again after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Reads, fetchAndLock, extendLock, unlock: retried on transport errors, timeouts and 5xx.
    Idempotent,
    /// Start, complete, failure, bpmnError, deploy, correlate, delete: retried only when the
    /// connection could not even be opened (nothing was sent, so nothing can be applied twice).
    Once,
}

/// The body of a request.
pub(crate) enum Payload {
    None,
    /// Serialized once, sent as `application/json` on every attempt.
    Json(Vec<u8>),
}

impl CamundaClient {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| CamundaError::Config(format!("http client: {e}")))?;
        Ok(Self::with_http_client(config, http))
    }

    /// A client over an existing `reqwest::Client` (its own timeouts are overridden per request).
    pub fn with_http_client(config: ClientConfig, http: reqwest::Client) -> Self {
        let breaker = CircuitBreaker::new(
            format!("camunda {}", config.base_url.as_str()),
            config.breaker,
        );
        Self {
            inner: Arc::new(Inner {
                http,
                base: config.base_url,
                auth: config.auth,
                request_timeout: config.request_timeout,
                retry: config.retry,
                breaker,
            }),
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub fn request_timeout(&self) -> Duration {
        self.inner.request_timeout
    }

    /// The state of the client's circuit breaker.
    pub fn breaker_state(&self) -> BreakerState {
        self.inner.breaker.state()
    }

    /// `GET /engine`: the names of the engines behind this REST root.
    pub async fn engines(&self) -> Result<Vec<EngineName>> {
        self.get_json("engines", &["engine"], Vec::new()).await
    }

    /// The base URL with `segments` appended, each percent-encoded as one path segment.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| CamundaError::Config("base url cannot have a path".into()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// `GET` a JSON answer (idempotent: retried).
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        op: &'static str,
        segments: &[&str],
        query: Vec<(String, String)>,
    ) -> Result<T> {
        let mut url = self.url(segments)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let body = self
            .execute(op, Retry::Idempotent, self.inner.request_timeout, || {
                self.inner
                    .http
                    .get(url.clone())
                    .header(ACCEPT, "application/json")
            })
            .await?;
        decode(op, &body)
    }

    /// `GET` a list for a query struct.
    pub(crate) async fn get_query<Q: Serialize, T: DeserializeOwned>(
        &self,
        op: &'static str,
        segments: &[&str],
        query: &Q,
    ) -> Result<T> {
        self.get_json(op, segments, query_pairs(query)?).await
    }

    /// `GET …/count` for a query struct.
    pub(crate) async fn get_count<Q: Serialize>(
        &self,
        op: &'static str,
        segments: &[&str],
        query: &Q,
    ) -> Result<u64> {
        let count: CountResult = self.get_query(op, segments, query).await?;
        Ok(count.count)
    }

    /// Sends `method` with `payload`; the raw body of a 2xx answer (empty for 204).
    pub(crate) async fn send(
        &self,
        op: &'static str,
        method: Method,
        segments: &[&str],
        payload: Payload,
        retry: Retry,
        timeout: Duration,
    ) -> Result<Vec<u8>> {
        let url = self.url(segments)?;
        self.execute(op, retry, timeout, || {
            let request = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, "application/json");
            match &payload {
                Payload::None => request,
                Payload::Json(bytes) => request
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.clone()),
            }
        })
        .await
    }

    /// `POST` a JSON body, expecting a JSON answer.
    pub(crate) async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        op: &'static str,
        segments: &[&str],
        body: &B,
        retry: Retry,
    ) -> Result<T> {
        let body = self
            .send(
                op,
                Method::POST,
                segments,
                json_payload(body)?,
                retry,
                self.inner.request_timeout,
            )
            .await?;
        decode(op, &body)
    }

    /// `POST` a JSON body, expecting `204 No Content`.
    pub(crate) async fn post_no_content<B: Serialize>(
        &self,
        op: &'static str,
        segments: &[&str],
        body: &B,
        retry: Retry,
    ) -> Result<()> {
        self.send(
            op,
            Method::POST,
            segments,
            json_payload(body)?,
            retry,
            self.inner.request_timeout,
        )
        .await
        .map(drop)
    }

    /// Runs one call under the client's policy. `build` makes the request afresh per attempt.
    pub(crate) async fn execute<F>(
        &self,
        op: &'static str,
        retry: Retry,
        timeout: Duration,
        build: F,
    ) -> Result<Vec<u8>>
    where
        F: Fn() -> RequestBuilder,
    {
        let policy = &self.inner.retry;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.base_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.max_attempts.saturating_sub(1) as usize)
            .with_jitter();
        (|| self.attempt(op, timeout, &build))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e: &CamundaError| match retry {
                Retry::Idempotent => e.is_unavailability(),
                Retry::Once => e.is_not_sent(),
            })
            .notify(|e: &CamundaError, delay: Duration| {
                tracing::debug!(op, error = %e, ?delay, "camunda: retrying");
            })
            .await
    }

    async fn attempt<F>(&self, op: &'static str, timeout: Duration, build: &F) -> Result<Vec<u8>>
    where
        F: Fn() -> RequestBuilder,
    {
        let permit = self.inner.breaker.try_acquire()?;
        let request = self.authorize(build()).timeout(timeout);
        let answer = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        }
        .await;
        let result = match answer {
            Err(e) if e.is_timeout() => Err(CamundaError::Timeout(timeout)),
            Err(e) => Err(CamundaError::Transport(e)),
            Ok((status, body)) if (200..300).contains(&status) => Ok(body.to_vec()),
            Ok((status, body)) => Err(CamundaError::from_response(status, &body)),
        };
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) if e.is_unavailability() => "unavailable",
            Err(_) => "rejected",
        };
        metrics::counter!("camunda_client_requests_total", "op" => op, "outcome" => outcome)
            .increment(1);
        match &result {
            Err(e) if e.is_unavailability() => permit.failure(),
            _ => permit.success(),
        }
        if let Err(e) = &result {
            tracing::debug!(op, error = %e, "camunda: call failed");
        }
        result
    }

    fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.inner.auth {
            Auth::None => request,
            Auth::Basic { user, password } => {
                request.basic_auth(user, Some(password.expose_secret()))
            }
            Auth::Bearer(token) => request.bearer_auth(token.expose_secret()),
        }
    }
}

pub(crate) fn json_payload<B: Serialize>(body: &B) -> Result<Payload> {
    serde_json::to_vec(body)
        .map(Payload::Json)
        .map_err(|e| CamundaError::Config(format!("request body does not serialize: {e}")))
}

pub(crate) fn decode<T: DeserializeOwned>(op: &'static str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|source| CamundaError::Decode {
        what: op.to_owned(),
        source,
    })
}
