//! The infrastructure sections: `[queue]`, `[cache]`, `[discovery]`, `[metrics]`. Each picks the
//! embedded default when its server URL is unset, so `carpetti up` needs none of them.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::database::serialize_masked_url;
use crate::{ConfigError, MASK, mask_url};

/// `[queue]` — the topic bus.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueConfig {
    /// `queue.amqp_url` — RabbitMQ, `amqp://user:password@host:5672/%2f`. Unset (the default): the
    /// embedded durable queue in `{data_dir}/queue.db`. Also read from `CARPETTI_AMQP_URL`.
    #[serde(serialize_with = "serialize_masked_url")]
    pub amqp_url: Option<SecretString>,
    /// `queue.exchange` — the topic exchange every message goes through (default `carpetti`).
    pub exchange: String,
    /// `queue.prefetch` — unacked deliveries per consumer (default 64).
    pub prefetch: u16,
    /// `queue.max_attempts` — deliveries before a message is dead-lettered (default 5).
    pub max_attempts: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            amqp_url: None,
            exchange: "carpetti".to_owned(),
            prefetch: 64,
            max_attempts: 5,
        }
    }
}

/// `[cache]` — the shared cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CacheConfig {
    /// `cache.redis_url` — Redis, `redis://[:password@]host:6379[/db]`. Unset (the default): an
    /// in-process cache. Also read from `CARPETTI_REDIS_URL`.
    #[serde(serialize_with = "serialize_masked_url")]
    pub redis_url: Option<SecretString>,
    /// `cache.namespace` — prefix of every key, so several deployments can share one Redis
    /// (default `carpetti`).
    pub namespace: String,
    /// `cache.max_bytes` — capacity of the in-process cache / the near-cache in front of Redis,
    /// keys and values counted (default 64 MiB).
    pub max_bytes: u64,
    /// `cache.timeout_ms` — how long one Redis call may take before the source is asked instead
    /// (default 250).
    pub timeout_ms: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            redis_url: None,
            namespace: "carpetti".to_owned(),
            max_bytes: 64 << 20,
            timeout_ms: 250,
        }
    }
}

/// `[discovery]` — how services find each other.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscoveryConfig {
    /// `discovery.consul_url` — a Consul agent, `http://127.0.0.1:8500`. Unset (the default):
    /// static discovery from `discovery.services`. Also read from `CARPETTI_CONSUL_URL`.
    pub consul_url: Option<String>,
    /// `discovery.consul_token` — Consul ACL token (secret), sent as `X-Consul-Token`.
    #[serde(serialize_with = "serialize_masked")]
    pub consul_token: Option<SecretString>,
    /// `discovery.advertise_host` — the host other services reach this process at when it
    /// registers in Consul (default: the listen address's host).
    pub advertise_host: Option<String>,
    /// `discovery.services.<service>` — static discovery: the addresses of each service's
    /// instances, e.g. `persist = ["10.0.0.5:50051", "10.0.0.6:50051"]`. In `carpetti up` every
    /// service's own listen address is added.
    pub services: BTreeMap<String, Vec<SocketAddr>>,
}

/// `[metrics]` — the Prometheus endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsConfig {
    /// `metrics.listen` — where `GET /metrics` is served (default `127.0.0.1:9464`; port 0 picks a
    /// free one). Unset with `metrics.enabled = false`.
    pub listen: SocketAddr,
    /// `metrics.enabled` — serve `/metrics` at all (default true).
    pub enabled: bool,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 9464)),
            enabled: true,
        }
    }
}

pub(crate) fn serialize_masked<S: Serializer>(
    secret: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => serializer.serialize_some(MASK),
        None => serializer.serialize_none(),
    }
}

fn invalid(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        reason: reason.into(),
    }
}

fn check_scheme(key: &'static str, url: Option<&str>, schemes: &[&str]) -> Result<(), ConfigError> {
    let Some(url) = url else { return Ok(()) };
    let lower = url.trim().to_ascii_lowercase();
    if schemes
        .iter()
        .any(|scheme| lower.starts_with(&format!("{scheme}://")))
    {
        return Ok(());
    }
    Err(invalid(
        key,
        format!(
            "`{}` must start with {}",
            mask_url(url),
            schemes
                .iter()
                .map(|s| format!("{s}://"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    ))
}

impl QueueConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        check_scheme(
            "queue.amqp_url",
            self.amqp_url.as_ref().map(|u| u.expose_secret()),
            &["amqp", "amqps"],
        )?;
        if self.prefetch == 0 {
            return Err(invalid("queue.prefetch", "must be at least 1"));
        }
        if self.max_attempts == 0 {
            return Err(invalid("queue.max_attempts", "must be at least 1"));
        }
        check_word("queue.exchange", &self.exchange)
    }
}

impl CacheConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        check_scheme(
            "cache.redis_url",
            self.redis_url.as_ref().map(|u| u.expose_secret()),
            &["redis", "rediss"],
        )?;
        if self.timeout_ms == 0 {
            return Err(invalid("cache.timeout_ms", "must be at least 1"));
        }
        check_word("cache.namespace", &self.namespace)
    }
}

impl DiscoveryConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        check_scheme(
            "discovery.consul_url",
            self.consul_url.as_deref(),
            &["http", "https"],
        )
    }
}

fn check_word(key: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.is_empty()
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    {
        return Err(invalid(key, format!("`{value}` must be [A-Za-z0-9_.-]+")));
    }
    Ok(())
}

pub(crate) fn check_fluent_address(address: Option<&str>) -> Result<(), ConfigError> {
    let Some(address) = address else {
        return Ok(());
    };
    match address.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
        _ => Err(invalid(
            "log.fluent_address",
            format!("`{address}` must be host:port, e.g. 127.0.0.1:24224"),
        )),
    }
}

/// `[auth]` — service-to-service tokens (Ed25519-signed JWTs).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// `auth.required` — refuse to start `carpetti serve` without keys (default true). `carpetti
    /// up` needs none: without keys its loopback listeners serve without service tokens.
    pub required: bool,
    /// `auth.signing_kid` — the key id of the signing key (written in every token's header).
    pub signing_kid: Option<String>,
    /// `auth.signing_key_file` — this service's Ed25519 private key, PKCS#8 PEM (`openssl genpkey
    /// -algorithm ed25519`, or `carpetti keys generate`). A secret: keep the file private.
    pub signing_key_file: Option<std::path::PathBuf>,
    /// `auth.verification_keys_file` — a JSON array of `{"kid", "public_key_pem", "issuers"}`:
    /// the public keys tokens sent to this service are checked with. List the old and the new
    /// key during a rotation.
    pub verification_keys_file: Option<std::path::PathBuf>,
    /// `auth.token_ttl_secs` — lifetime of the tokens this service signs (default 60).
    pub token_ttl_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            required: true,
            signing_kid: None,
            signing_key_file: None,
            verification_keys_file: None,
            token_ttl_secs: 60,
        }
    }
}

impl AuthConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.signing_key_file.is_some() != self.signing_kid.is_some() {
            return Err(invalid(
                "auth.signing_kid",
                "auth.signing_kid and auth.signing_key_file go together",
            ));
        }
        if !(1..=3600).contains(&self.token_ttl_secs) {
            return Err(invalid("auth.token_ttl_secs", "must be 1 to 3600"));
        }
        Ok(())
    }

    /// Whether any key is configured.
    pub fn has_keys(&self) -> bool {
        self.signing_key_file.is_some() || self.verification_keys_file.is_some()
    }
}
