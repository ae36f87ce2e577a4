//! How a [`crate::CamundaClient`] reaches the engine: base URL, credentials, timeouts, retries and
//! the circuit breaker.

use std::fmt;
use std::time::Duration;

use carpetti_util::breaker::BreakerConfig;
use secrecy::SecretString;
use url::Url;

use crate::error::{CamundaError, Result};

/// The client's settings. `ClientConfig::new("http://127.0.0.1:8080/engine-rest")` gives the defaults.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The REST root, e.g. `http://localhost:8080/engine-rest` (or `…/engine-rest/engine/{name}`
    /// for a named engine). Every documented path is appended to it.
    pub base_url: Url,
    pub auth: Auth,
    /// The timeout of one HTTP attempt. A fetchAndLock long poll gets `asyncResponseTimeout` on top.
    pub request_timeout: Duration,
    pub retry: RetryConfig,
    /// Shared by all calls of one client (and its clones).
    pub breaker: BreakerConfig,
}

impl ClientConfig {
    /// The defaults for `base_url`: no auth, 30 s per attempt, 3 attempts, breaker from
    /// [`BreakerConfig::default`].
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(Self {
            base_url: parse_base_url(base_url)?,
            auth: Auth::None,
            request_timeout: Duration::from_secs(30),
            retry: RetryConfig::default(),
            breaker: BreakerConfig::default(),
        })
    }

    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_breaker(mut self, breaker: BreakerConfig) -> Self {
        self.breaker = breaker;
        self
    }
}

/// Parses a base URL; it must be `http` or `https`. A trailing slash is irrelevant.
pub fn parse_base_url(base_url: &str) -> Result<Url> {
    let url = Url::parse(base_url)
        .map_err(|e| CamundaError::Config(format!("base url {base_url:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(CamundaError::Config(format!(
            "base url {base_url:?}: not an http(s) URL"
        )));
    }
    Ok(url)
}

/// Credentials sent with every request (Camunda's REST auth filter is off by default).
#[derive(Clone, Default)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Basic base64(user:password)` (Camunda's HTTP Basic filter).
    Basic {
        user: String,
        password: SecretString,
    },
    /// `Authorization: Bearer <token>` (e.g. an OAuth2 token in front of the REST API).
    Bearer(SecretString),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { user, .. } => write!(f, "Basic {{ user: {user:?}, password: *** }}"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// Retries of idempotent calls: `max_attempts` in all (the first included), exponential back-off
/// from `base_delay` up to `max_delay`, with jitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_must_be_http() {
        assert!(ClientConfig::new("http://127.0.0.1:8080/engine-rest").is_ok());
        assert!(matches!(
            ClientConfig::new("ftp://x/engine-rest"),
            Err(CamundaError::Config(_))
        ));
        assert!(matches!(
            ClientConfig::new("not a url"),
            Err(CamundaError::Config(_))
        ));
    }

    #[test]
    fn secrets_do_not_print() {
        let auth = Auth::Basic {
            user: "demo".into(),
            password: SecretString::from("hunter2"),
        };
        let printed = format!("{auth:?}");
        assert!(printed.contains("demo") && !printed.contains("hunter2"));
        assert!(!format!("{:?}", Auth::Bearer(SecretString::from("tok"))).contains("tok"));
    }
}
