//! [`ConsulDiscovery`]: a Consul agent's HTTP API.
//!
//! Endpoints used (and nothing else):
//! - `PUT /v1/agent/service/register?replace-existing-checks=true` with a service definition whose
//!   `Check` is a gRPC health check (`GRPC`, `Interval`, `Timeout`,
//!   `DeregisterCriticalServiceAfter`);
//! - `PUT /v1/agent/service/deregister/:service_id`;
//! - `GET /v1/health/service/:service?passing=true`, as a blocking query (`index`, `wait`, the
//!   `X-Consul-Index` answer header) for watches.
//!
//! An ACL token, if configured, goes in the `X-Consul-Token` header (marked sensitive, never
//! logged). Every call has a timeout; a blocking query's is its `wait` plus Consul's jitter
//! (`wait / 16`) plus the plain call timeout.

mod api;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};

use self::api::{ServiceDefinition, ServiceEntry};
use super::{Discovery, DiscoveryError, Registration, ServiceInstance, sorted};

const TOKEN_HEADER: &str = "x-consul-token";
const INDEX_HEADER: &str = "x-consul-index";
/// Longest part of an error body kept in [`DiscoveryError::Status`].
const MAX_ERROR_BODY: usize = 512;

/// How to reach the Consul agent.
#[derive(Debug, Clone)]
pub struct ConsulConfig {
    /// The agent's HTTP API, e.g. `http://127.0.0.1:8500`.
    pub url: String,
    /// ACL token sent as `X-Consul-Token`, if the agent enforces ACLs.
    pub token: Option<SecretString>,
    /// Timeout of each non-blocking call, connecting included (default 10 s).
    pub timeout: Duration,
    /// How long one blocking query of a watch waits for a change (default 60 s; Consul caps it
    /// at 10 min).
    pub wait: Duration,
}

impl ConsulConfig {
    /// The agent at `url`, without a token, with the default timings.
    pub fn new(url: impl Into<String>) -> ConsulConfig {
        ConsulConfig {
            url: url.into(),
            token: None,
            timeout: Duration::from_secs(10),
            wait: Duration::from_secs(60),
        }
    }

    /// Sets the ACL token.
    pub fn with_token(mut self, token: SecretString) -> ConsulConfig {
        self.token = Some(token);
        self
    }

    /// Sets the blocking-query wait of watches.
    pub fn with_wait(mut self, wait: Duration) -> ConsulConfig {
        self.wait = wait;
        self
    }

    /// Sets the timeout of non-blocking calls.
    pub fn with_timeout(mut self, timeout: Duration) -> ConsulConfig {
        self.timeout = timeout;
        self
    }
}

/// Discovery through a Consul agent. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ConsulDiscovery {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    base: Url,
    timeout: Duration,
    wait: Duration,
}

/// One answer of `health/service`: the passing instances and the `X-Consul-Index`.
struct Answer {
    instances: Vec<ServiceInstance>,
    index: u64,
}

impl ConsulDiscovery {
    /// A client of the agent `config` names. Fails on a URL that is not `http(s)://…` or a token
    /// that cannot be a header value.
    pub fn new(config: ConsulConfig) -> Result<ConsulDiscovery, DiscoveryError> {
        let mut base = Url::parse(config.url.trim())
            .map_err(|e| DiscoveryError::Config(format!("consul url `{}`: {e}", config.url)))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(DiscoveryError::Config(format!(
                "consul url `{}` must be http:// or https://",
                config.url
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut headers = HeaderMap::new();
        if let Some(token) = &config.token {
            let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
                DiscoveryError::Config("consul token is not a valid header value".to_owned())
            })?;
            value.set_sensitive(true);
            headers.insert(TOKEN_HEADER, value);
        }
        let client = Client::builder()
            .default_headers(headers)
            .connect_timeout(config.timeout)
            .no_proxy()
            .build()
            .map_err(|e| DiscoveryError::Config(format!("consul http client: {e}")))?;
        Ok(ConsulDiscovery {
            inner: Arc::new(Inner {
                client,
                base,
                timeout: config.timeout,
                wait: config.wait,
            }),
        })
    }
}

impl Inner {
    fn url(&self, segments: &[&str]) -> Result<Url, DiscoveryError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| DiscoveryError::Config(format!("consul url `{}`", self.base)))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// `GET /v1/health/service/:service?passing=true`, blocking until the index passes `index`
    /// (at most `wait`) when `index` is non-zero.
    async fn health(&self, service: &str, index: u64) -> Result<Answer, DiscoveryError> {
        let operation = format!("health of {service}");
        let mut url = self.url(&["v1", "health", "service", service])?;
        let mut timeout = self.timeout;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("passing", "true");
            if index > 0 {
                query.append_pair("index", &index.to_string());
                query.append_pair("wait", &api::go_duration(self.wait));
                timeout += self.wait + self.wait / 16;
            }
        }
        let response = self
            .client
            .get(url)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| unreachable(&operation, &e))?;
        let response = check_status(&operation, response).await?;
        let index = response
            .headers()
            .get(INDEX_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| DiscoveryError::Decode {
                operation: operation.clone(),
                reason: "no numeric X-Consul-Index header".to_owned(),
            })?;
        let entries: Vec<ServiceEntry> =
            response.json().await.map_err(|e| DiscoveryError::Decode {
                operation: operation.clone(),
                reason: e.to_string(),
            })?;
        let instances = entries
            .into_iter()
            .filter_map(ServiceEntry::into_instance)
            .collect();
        Ok(Answer {
            instances: sorted(instances),
            index,
        })
    }
}

#[async_trait::async_trait]
impl Discovery for ConsulDiscovery {
    async fn register(&self, registration: Registration) -> Result<(), DiscoveryError> {
        let operation = format!("register {}", registration.id);
        let mut url = self.inner.url(&["v1", "agent", "service", "register"])?;
        url.query_pairs_mut()
            .append_pair("replace-existing-checks", "true");
        let response = self
            .inner
            .client
            .put(url)
            .timeout(self.inner.timeout)
            .json(&ServiceDefinition::of(&registration))
            .send()
            .await
            .map_err(|e| unreachable(&operation, &e))?;
        check_status(&operation, response).await?;
        tracing::info!(
            id = %registration.id,
            service = %registration.service,
            address = %registration.address,
            "consul: registered"
        );
        Ok(())
    }

    async fn deregister(&self, instance_id: &str) -> Result<(), DiscoveryError> {
        let operation = format!("deregister {instance_id}");
        let url = self
            .inner
            .url(&["v1", "agent", "service", "deregister", instance_id])?;
        let response = self
            .inner
            .client
            .put(url)
            .timeout(self.inner.timeout)
            .send()
            .await
            .map_err(|e| unreachable(&operation, &e))?;
        if response.status() == StatusCode::NOT_FOUND {
            tracing::debug!(
                id = instance_id,
                "consul: deregister of an unknown instance"
            );
            return Ok(());
        }
        check_status(&operation, response).await?;
        tracing::info!(id = instance_id, "consul: deregistered");
        Ok(())
    }

    async fn healthy(&self, service: &str) -> Result<Vec<ServiceInstance>, DiscoveryError> {
        Ok(self.inner.health(service, 0).await?.instances)
    }

    fn watch(&self, service: &str) -> tokio::sync::watch::Receiver<Vec<ServiceInstance>> {
        let (sender, receiver) = tokio::sync::watch::channel(Vec::new());
        tokio::spawn(watch::run(
            Arc::clone(&self.inner),
            service.to_owned(),
            sender,
        ));
        receiver
    }
}

fn unreachable(operation: &str, error: &reqwest::Error) -> DiscoveryError {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "failed"
    };
    // reqwest's Display names the URL (never the token header); the source says why.
    let cause = std::error::Error::source(error)
        .map(|s| format!(": {s}"))
        .unwrap_or_default();
    DiscoveryError::Unreachable(format!("{operation} {kind}: {error}{cause}"))
}

async fn check_status(
    operation: &str,
    response: reqwest::Response,
) -> Result<reqwest::Response, DiscoveryError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let mut body = response.text().await.unwrap_or_default();
    if body.len() > MAX_ERROR_BODY {
        let mut end = MAX_ERROR_BODY;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
    }
    Err(DiscoveryError::Status {
        operation: operation.to_owned(),
        status: status.as_u16(),
        body: body.trim().to_owned(),
    })
}
