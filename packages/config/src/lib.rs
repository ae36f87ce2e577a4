//! carpetti-config owns the typed configuration of every Carpetti service and how it is loaded:
//! serialized defaults, then `carpetti.toml` (the path given, or `./carpetti.toml` when present),
//! then `CARPETTI_…` environment variables (nested keys joined with `__`, e.g.
//! `CARPETTI_PERSIST__LISTEN`, plus the alias `CARPETTI_DATABASE_URL` for `database.url`).
//!
//! Secrets are [`SecretString`]s; [`Config::masked`] (and any serialization of a [`Config`]) shows
//! them masked. Every key is listed in `docs/configuration.md`.

mod adapter;
mod database;
mod engine;
mod error;
mod infra;
mod sources;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Value};
use serde::{Deserialize, Serialize};

pub use adapter::ProcessAdapterConfig;
pub use database::{DatabaseConfig, DatabaseTarget, MASK, mask_url};
pub use engine::EngineSettings;
pub use error::ConfigError;
pub use infra::{AuthConfig, CacheConfig, DiscoveryConfig, MetricsConfig, QueueConfig};
pub use secrecy::SecretString;
pub use sources::{CliOverride, source_of};

/// The prefix of every configuration environment variable.
pub const ENV_PREFIX: &str = "CARPETTI_";

/// The configuration file read from the working directory when no path is given.
pub const DEFAULT_FILE: &str = "carpetti.toml";

/// Every key a configuration file may hold, dotted. Kept in step with `docs/configuration.md`.
pub const KEYS: &[&str] = &[
    "data_dir",
    "database.url",
    "database.max_connections",
    "database.connect_timeout_secs",
    "database.statement_timeout_secs",
    "persist.listen",
    "persist.tombstone_retention_days",
    "provider.listen",
    "provider.work_dir",
    "provider.workers",
    "provider.schedules",
    "provider.heartbeat_secs",
    "provider.stale_after_secs",
    "mp.listen",
    "mp.order_sync_secs",
    "mp.files_dir",
    "process_adapter.listen",
    "process_adapter.engine_url",
    "process_adapter.min_poll_ms",
    "process_adapter.max_poll_ms",
    "process_adapter.engine_budget_rps",
    "process_adapter.ping_secs",
    "process_adapter.max_connections",
    "process_adapter.cluster",
    "process_adapter.lease_ms",
    "engine.listen",
    "engine.database_url",
    "engine.processes_dir",
    "engine.user",
    "engine.password",
    "engine.url",
    "log.level",
    "log.format",
    "log.fluent_address",
    "log.fluent_tag",
    "queue.amqp_url",
    "queue.exchange",
    "queue.prefetch",
    "queue.max_attempts",
    "cache.redis_url",
    "cache.namespace",
    "cache.max_bytes",
    "cache.timeout_ms",
    "discovery.consul_url",
    "discovery.consul_token",
    "discovery.advertise_host",
    "discovery.services",
    "metrics.listen",
    "metrics.enabled",
    "auth.required",
    "auth.signing_kid",
    "auth.signing_key_file",
    "auth.verification_keys_file",
    "auth.token_ttl_secs",
];

const SECTIONS: &[&str] = &[
    "database",
    "persist",
    "provider",
    "mp",
    "process_adapter",
    "engine",
    "log",
    "queue",
    "cache",
    "discovery",
    "metrics",
    "auth",
];

/// Keys whose value is a table of names the operator chooses (`discovery.services.persist`).
const OPEN_TABLES: &[&str] = &["discovery.services"];

/// Short environment aliases: `CARPETTI_<alias>` sets the dotted key (the long
/// `CARPETTI_<SECTION>__<KEY>` form wins when both are set).
const ENV_ALIASES: &[(&str, &str)] = &[
    ("database_url", "database.url"),
    ("amqp_url", "queue.amqp_url"),
    ("redis_url", "cache.redis_url"),
    ("consul_url", "discovery.consul_url"),
];

/// The whole configuration of a Carpetti process.
///
/// Serializing it (as [`Config::masked`] does) masks every secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `data_dir` — where embedded state lives: the SQLite file, queues, local files
    /// (default `./data`; the CLI's `--data-dir` overrides it).
    pub data_dir: PathBuf,
    /// `[database]` — the database of service_persist.
    pub database: DatabaseConfig,
    /// `[persist]` — service_persist's gRPC server.
    pub persist: PersistConfig,
    /// `[provider]` — service_provider: supplier imports.
    pub provider: ProviderConfig,
    /// `[mp]` — service_mp: the marketplaces.
    pub mp: MpConfig,
    /// `[engine]` — the embedded BPMN engine and its Camunda 7 REST API.
    pub engine: EngineSettings,
    /// `[process_adapter]` — the WebSocket service of live process diagrams.
    pub process_adapter: ProcessAdapterConfig,
    /// `[log]` — logging of every service.
    pub log: LogConfig,
    /// `[queue]` — the topic bus: RabbitMQ or the embedded durable queue.
    pub queue: QueueConfig,
    /// `[cache]` — the cache: Redis or in-process.
    pub cache: CacheConfig,
    /// `[discovery]` — Consul or static.
    pub discovery: DiscoveryConfig,
    /// `[metrics]` — the Prometheus `/metrics` endpoint.
    pub metrics: MetricsConfig,
    /// `[auth]` — service-to-service tokens.
    pub auth: AuthConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            database: DatabaseConfig::default(),
            persist: PersistConfig::default(),
            provider: ProviderConfig::default(),
            mp: MpConfig::default(),
            engine: EngineSettings::default(),
            process_adapter: ProcessAdapterConfig::default(),
            log: LogConfig::default(),
            queue: QueueConfig::default(),
            cache: CacheConfig::default(),
            discovery: DiscoveryConfig::default(),
            metrics: MetricsConfig::default(),
            auth: AuthConfig::default(),
        }
    }
}

/// `[persist]` — service_persist's gRPC server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistConfig {
    /// `persist.listen` — the address the gRPC server binds (default `127.0.0.1:50051`; port 0
    /// picks a free port).
    pub listen: SocketAddr,
    /// `persist.tombstone_retention_days` — how long the tombstones of deleted entities are kept
    /// for "what changed since N" consumers (default 30; 0 keeps them forever).
    pub tombstone_retention_days: u32,
}

impl Default for PersistConfig {
    fn default() -> Self {
        PersistConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 50051)),
            tombstone_retention_days: 30,
        }
    }
}

/// `[provider]` — service_provider: supplier imports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderConfig {
    /// `provider.listen` — the address of service_provider's gRPC server (default
    /// `127.0.0.1:50052`; port 0 picks a free port).
    pub listen: SocketAddr,
    /// `provider.work_dir` — where downloads, uploads and import spools are kept while an import
    /// runs (default: `<data_dir>/work`).
    pub work_dir: Option<PathBuf>,
    /// `provider.workers` — threads normalizing offers during an import (default 0 = the number
    /// of cores minus one, at least one).
    pub workers: usize,
    /// `provider.schedules` — whether suppliers' cron schedules are run (default true).
    pub schedules: bool,
    /// `provider.heartbeat_secs` — how often a running import touches its run to show that its
    /// provider is alive (default 60).
    pub heartbeat_secs: u64,
    /// `provider.stale_after_secs` — a RUNNING import run not written for this long was left by
    /// a provider that stopped and is closed as failed (default 600; keep it many heartbeats).
    pub stale_after_secs: u64,
}

impl ProviderConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.heartbeat_secs == 0 {
            return Err(ConfigError::Invalid {
                key: "provider.heartbeat_secs",
                reason: "must be at least 1".into(),
            });
        }
        if self.stale_after_secs <= self.heartbeat_secs {
            return Err(ConfigError::Invalid {
                key: "provider.stale_after_secs",
                reason: format!(
                    "must be longer than provider.heartbeat_secs ({}), or live imports are taken \
                     for interrupted ones",
                    self.heartbeat_secs
                ),
            });
        }
        Ok(())
    }
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 50052)),
            work_dir: None,
            workers: 0,
            schedules: true,
            heartbeat_secs: 60,
            stale_after_secs: 600,
        }
    }
}

/// `[mp]` — service_mp: publication to the marketplaces, their orders and labels.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MpConfig {
    /// `mp.listen` — the address of service_mp's gRPC server (health and reflection; default
    /// `127.0.0.1:50053`; port 0 picks a free port).
    pub listen: SocketAddr,
    /// `mp.order_sync_secs` — how often the orders of every active marketplace channel are
    /// brought into the catalog (default 300; 0 turns the periodic sync off).
    pub order_sync_secs: u64,
    /// `mp.files_dir` — where labels and other marketplace documents are kept (default:
    /// `<data_dir>/files`).
    pub files_dir: Option<PathBuf>,
}

impl Default for MpConfig {
    fn default() -> Self {
        MpConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 50053)),
            order_sync_secs: 300,
            files_dir: None,
        }
    }
}

/// `[log]` — logging of every service.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// `log.level` — a tracing filter: `info` (default), `debug`, or directives such as
    /// `info,sqlx=warn`. `RUST_LOG`, when set, wins.
    pub level: String,
    /// `log.format` — `json` (default: one object a line on stdout, what Fluent Bit / Fluentd
    /// collect) or `pretty` (for people at a terminal).
    pub format: LogFormat,
    /// `log.fluent_address` — also send every log event to a Fluentd / Fluent Bit `forward` input
    /// at `host:port` (msgpack over TCP). Unset (the default): stdout only.
    pub fluent_address: Option<String>,
    /// `log.fluent_tag` — the Fluent tag of those events (default `carpetti`).
    pub fluent_tag: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".to_owned(),
            format: LogFormat::Json,
            fluent_address: None,
            fluent_tag: "carpetti".to_owned(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    #[default]
    Json,
}

impl LogFormat {
    /// True for [`LogFormat::Json`].
    pub fn is_json(self) -> bool {
        self == LogFormat::Json
    }
}

impl Config {
    /// Loads defaults → the configuration file → the environment, and validates the result.
    ///
    /// `file` must exist when given; without it `./carpetti.toml` is read when present.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::from_figment(Config::figment(file)?)
    }

    /// The layered sources [`Config::load`] reads, for a caller that merges more on top (the
    /// CLI merges `--data-dir`) before [`Config::from_figment`].
    pub fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = Config::resolve_file(file)? {
            check_known_keys(&path)?;
            figment = figment.merge(Toml::file_exact(path));
        }
        let aliases: Vec<&str> = ENV_ALIASES.iter().map(|(alias, _)| *alias).collect();
        figment = figment.merge(Env::prefixed(ENV_PREFIX).only(&aliases).map(|alias| {
            ENV_ALIASES
                .iter()
                .find(|(name, _)| alias.as_str().eq_ignore_ascii_case(name))
                .map_or_else(|| alias.as_str().to_owned(), |(_, key)| (*key).to_owned())
                .into()
        }));
        Ok(figment.merge(Env::prefixed(ENV_PREFIX).ignore(&aliases).split("__")))
    }

    /// The configuration file [`Config::load`] reads: `file` (an error when it does not exist),
    /// else `./carpetti.toml` when present, else none.
    pub fn resolve_file(file: Option<&Path>) -> Result<Option<PathBuf>, ConfigError> {
        match file {
            Some(path) if path.is_file() => Ok(Some(path.to_path_buf())),
            Some(path) => Err(ConfigError::FileNotFound(path.to_path_buf())),
            None => {
                let default = PathBuf::from(DEFAULT_FILE);
                Ok(default.is_file().then_some(default))
            }
        }
    }

    /// Extracts and validates a configuration from any figment (tests build their own).
    pub fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
        let config: Config = figment.extract()?;
        config.database.validate()?;
        config.provider.validate()?;
        config.engine.validate()?;
        config.process_adapter.validate()?;
        config.queue.validate()?;
        config.cache.validate()?;
        config.discovery.validate()?;
        config.auth.validate()?;
        infra::check_fluent_address(config.log.fluent_address.as_deref())?;
        if config.log.level.trim().is_empty() {
            return Err(ConfigError::Invalid {
                key: "log.level",
                reason: "must not be empty (try `info`)".into(),
            });
        }
        Ok(config)
    }

    /// The effective configuration as JSON, secrets shown as `********` and the password of the
    /// database URL masked.
    pub fn masked(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(
            |e| serde_json::json!({ "error": format!("cannot show the configuration: {e}") }),
        )
    }

    /// The database of the embedded engine (see [`EngineSettings::target`]).
    pub fn engine_target(&self) -> DatabaseTarget {
        self.engine.target(&self.database_target(), &self.data_dir)
    }

    /// The database service_persist uses (see [`DatabaseConfig::target`]).
    pub fn database_target(&self) -> DatabaseTarget {
        self.database.target(&self.data_dir)
    }
}

/// Rejects keys of the file that Carpetti does not know, so that a typo is not silently ignored.
fn check_known_keys(path: &Path) -> Result<(), ConfigError> {
    let dict: Dict = Figment::from(Toml::file_exact(path)).extract()?;
    let unknown = |key: String| ConfigError::UnknownKey {
        key,
        file: path.to_path_buf(),
    };
    for (key, value) in &dict {
        if SECTIONS.contains(&key.as_str()) {
            if let Value::Dict(_, inner) = value {
                for sub in inner.keys() {
                    let dotted = format!("{key}.{sub}");
                    if OPEN_TABLES.contains(&dotted.as_str()) {
                        continue;
                    }
                    if !KEYS.contains(&dotted.as_str()) {
                        return Err(unknown(dotted));
                    }
                }
            }
        } else if !KEYS.contains(&key.as_str()) {
            return Err(unknown(key.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
