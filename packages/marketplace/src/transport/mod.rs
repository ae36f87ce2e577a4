//! Every HTTP call to a marketplace: per-attempt timeout, the account's rate limits, retries that
//! honour the marketplace's hints, and one circuit breaker per account.

mod limits;
mod retry;

use std::time::Duration;

use bytes::Bytes;
use carpetti_util::breaker::{BreakerConfig, CircuitBreaker};
use http::{HeaderMap, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use limits::{Limits, Quota};
pub use retry::{RetryPolicy, hint};

use crate::{Marketplace, MpError};

/// One request to make.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub url: String,
    /// The operation's name: its rate-limit bucket and its name in errors and logs.
    pub operation: &'static str,
    pub headers: Vec<(&'static str, String)>,
    /// A JSON body, already encoded.
    pub body: Option<Bytes>,
    /// Whether repeating the call after an unknown outcome (timeout, 5xx) is harmless. Calls
    /// that are not are still retried when the marketplace refused them before any work (429 /
    /// 420) or the connection never opened.
    pub idempotent: bool,
}

impl Call {
    pub fn new(method: Method, operation: &'static str, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            operation,
            headers: Vec::new(),
            body: None,
            idempotent: true,
        }
    }

    pub fn get(operation: &'static str, url: impl Into<String>) -> Self {
        Self::new(Method::GET, operation, url)
    }

    /// A call with a JSON body.
    pub fn json(
        method: Method,
        operation: &'static str,
        url: impl Into<String>,
        body: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
        let mut call = Self::new(method, operation, url);
        call.body = Some(Bytes::from(serde_json::to_vec(body)?));
        call.headers
            .push(("content-type", "application/json".to_owned()));
        Ok(call)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn not_idempotent(mut self) -> Self {
        self.idempotent = false;
        self
    }
}

/// An answer that is not a retryable failure (it may still be a 4xx for the connector to read).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The body as `T`, or a decode error naming the operation.
    pub fn json<T: DeserializeOwned>(
        &self,
        marketplace: Marketplace,
        operation: &str,
    ) -> Result<T, MpError> {
        serde_json::from_slice(&self.body).map_err(|e| MpError::Decode {
            marketplace,
            method: operation.to_owned(),
            reason: format!("{e} (HTTP {}, {} bytes)", self.status, self.body.len()),
        })
    }

    /// The body as text, cut to 300 characters, for error messages.
    pub fn snippet(&self) -> String {
        String::from_utf8_lossy(&self.body)
            .chars()
            .take(300)
            .collect()
    }
}

/// The HTTP client of one marketplace account.
pub struct Transport {
    marketplace: Marketplace,
    client: reqwest::Client,
    limits: Limits,
    policy: RetryPolicy,
    breaker: CircuitBreaker,
}

impl Transport {
    pub fn new(
        marketplace: Marketplace,
        account: &str,
        limits: Limits,
        policy: RetryPolicy,
    ) -> Result<Self, MpError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(policy.timeout))
            .user_agent(concat!("carpetti/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MpError::Settings {
                marketplace,
                reason: format!("HTTP client: {e}"),
            })?;
        let breaker = CircuitBreaker::new(
            format!("{marketplace}:{account}"),
            BreakerConfig {
                failure_threshold: policy.breaker_threshold.max(1),
                open_for: policy.breaker_open_for,
            },
        );
        Ok(Self {
            marketplace,
            client,
            limits,
            policy,
            breaker,
        })
    }

    pub fn marketplace(&self) -> Marketplace {
        self.marketplace
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Makes the call, retrying what may be retried. 2xx and non-retryable 4xx come back as a
    /// [`Reply`]; exhausted retries, an open breaker and network failures as an [`MpError`].
    pub async fn send(&self, call: &Call) -> Result<Reply, MpError> {
        let attempts = self.policy.attempts.max(1);
        let mut delays = self.policy.backoff();
        let mut backoff = move || delays.next().unwrap_or(Duration::ZERO);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= attempts;
            let permit = self
                .breaker
                .try_acquire()
                .map_err(|open| MpError::BreakerOpen {
                    marketplace: self.marketplace,
                    retry_in: open.retry_in,
                })?;
            self.limits.ready(call.operation).await;
            let slot = self.limits.slot().await;
            let outcome = self.once(call).await;
            drop(slot);
            match outcome {
                Ok(reply) if reply.status == 429 || reply.status == 420 => {
                    permit.success();
                    let wait = hint(&reply.headers).unwrap_or_else(&mut backoff);
                    if last || wait > self.policy.max_hint {
                        return Err(MpError::RateLimited {
                            marketplace: self.marketplace,
                            method: call.operation.to_owned(),
                            retry_after: wait,
                        });
                    }
                    tracing::debug!(marketplace = %self.marketplace, operation = call.operation,
                        status = reply.status, ?wait, "rate limited; waiting");
                    tokio::time::sleep(wait).await;
                }
                Ok(reply) if reply.status >= 500 || reply.status == 408 => {
                    permit.failure();
                    let reason = format!("HTTP {}: {}", reply.status, reply.snippet());
                    if last || !call.idempotent {
                        return Err(self.unavailable(call, reason));
                    }
                    tracing::warn!(marketplace = %self.marketplace, operation = call.operation,
                        attempt, %reason, "server error; retrying");
                    tokio::time::sleep(backoff()).await;
                }
                Ok(reply) => {
                    permit.success();
                    return Ok(reply);
                }
                Err(failure) => {
                    permit.failure();
                    let retry = failure.before_sending || call.idempotent;
                    if last || !retry {
                        return Err(self.unavailable(call, failure.reason));
                    }
                    tracing::warn!(marketplace = %self.marketplace, operation = call.operation,
                        attempt, reason = %failure.reason, "call failed; retrying");
                    tokio::time::sleep(backoff()).await;
                }
            }
        }
    }

    async fn once(&self, call: &Call) -> Result<Reply, Failure> {
        let mut request = self.client.request(call.method.clone(), &call.url);
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        if let Some(body) = &call.body {
            request = request.body(body.clone());
        }
        let exchange = async {
            let response = request.send().await.map_err(|e| Failure {
                before_sending: e.is_connect(),
                reason: error_chain(&e),
            })?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(|e| Failure {
                before_sending: false,
                reason: format!("reading the body: {}", error_chain(&e)),
            })?;
            Ok(Reply {
                status,
                headers,
                body,
            })
        };
        match tokio::time::timeout(self.policy.timeout, exchange).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure {
                before_sending: false,
                reason: format!("no answer within {:?}", self.policy.timeout),
            }),
        }
    }

    fn unavailable(&self, call: &Call, reason: String) -> MpError {
        MpError::Unavailable {
            marketplace: self.marketplace,
            method: call.operation.to_owned(),
            reason,
        }
    }
}

struct Failure {
    before_sending: bool,
    reason: String,
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
