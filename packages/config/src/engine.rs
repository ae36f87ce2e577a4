//! `[engine]`: the embedded BPMN engine — where its Camunda 7 REST API listens, where it keeps
//! its state, which process models it deploys, and optional Basic auth.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::ConfigError;
use crate::database::{DatabaseTarget, serialize_masked_url};
use crate::infra::serialize_masked;

/// `[engine]` — the embedded BPMN engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineSettings {
    /// `engine.listen` — the address of the REST API (default `127.0.0.1:8080`, Camunda's; the
    /// API is under `/engine-rest`; port 0 picks a free port).
    pub listen: SocketAddr,
    /// `engine.database_url` — `postgres://…` or `sqlite:path`. Unset: the PostgreSQL of
    /// `database.url` when that is PostgreSQL (the engine's tables are `engine_*`), else a SQLite
    /// file at `{data_dir}/engine.db`. Serialized masked.
    #[serde(serialize_with = "serialize_masked_url")]
    pub database_url: Option<SecretString>,
    /// `engine.processes_dir` — the BPMN models deployed at start, `*.bpmn` (default
    /// `processes`); unchanged files are not re-versioned.
    pub processes_dir: PathBuf,
    /// `engine.user` — with `engine.password`, requests need HTTP Basic auth.
    pub user: Option<String>,
    /// `engine.password` — Basic auth password. Serialized masked.
    #[serde(serialize_with = "serialize_masked")]
    pub password: Option<SecretString>,
    /// `engine.url` — the engine's REST base URL for clients (`carpetti process …`, workers);
    /// default `http://127.0.0.1:8080/engine-rest`. A real Camunda 7 works here too.
    pub url: String,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            database_url: None,
            processes_dir: PathBuf::from("processes"),
            user: None,
            password: None,
            url: "http://127.0.0.1:8080/engine-rest".into(),
        }
    }
}

impl EngineSettings {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.user.is_some() != self.password.is_some() {
            return Err(ConfigError::Invalid {
                key: "engine.user",
                reason: "engine.user and engine.password are set together".into(),
            });
        }
        if let Some(url) = &self.database_url {
            DatabaseTarget::parse(url)?;
        }
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                key: "engine.url",
                reason: format!("'{}' is not an http(s) URL", self.url),
            });
        }
        Ok(())
    }

    /// The engine's database: its own URL, else persist's PostgreSQL, else `{data_dir}/engine.db`.
    pub fn target(&self, database: &DatabaseTarget, data_dir: &Path) -> DatabaseTarget {
        if let Some(url) = &self.database_url
            && let Ok(target) = DatabaseTarget::parse(url)
        {
            return target;
        }
        match database {
            DatabaseTarget::Postgres(url) => {
                DatabaseTarget::Postgres(SecretString::from(url.expose_secret()))
            }
            DatabaseTarget::Sqlite(_) => DatabaseTarget::Sqlite(data_dir.join("engine.db")),
        }
    }
}
