//! `[database]`: which database service_persist uses, and how URLs are shown without passwords.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::ConfigError;

/// What a masked secret is shown as.
pub const MASK: &str = "********";

/// `[database]` — the database of service_persist.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    /// `database.url` — `postgres://user:password@host:5432/db` (or `postgresql://`), or
    /// `sqlite://path` / `sqlite:path`. Unset (the default): a SQLite file at
    /// `{data_dir}/carpetti.db`. Also read from `CARPETTI_DATABASE_URL`. Serialized masked.
    #[serde(serialize_with = "serialize_masked_url")]
    pub url: Option<SecretString>,
    /// `database.max_connections` — the size of the connection pool (default 10, at least 1).
    pub max_connections: u32,
    /// `database.connect_timeout_secs` — how long to wait for a connection (default 10).
    pub connect_timeout_secs: u64,
    /// `database.statement_timeout_secs` — how long one statement may run (default 30;
    /// PostgreSQL `statement_timeout`, SQLite busy timeout).
    pub statement_timeout_secs: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: 10,
            connect_timeout_secs: 10,
            statement_timeout_secs: 30,
        }
    }
}

/// The database a [`DatabaseConfig`] resolves to.
#[derive(Debug, Clone)]
pub enum DatabaseTarget {
    /// A PostgreSQL server; the full URL (it may hold a password).
    Postgres(SecretString),
    /// A SQLite database file.
    Sqlite(PathBuf),
}

impl DatabaseTarget {
    /// A one-line description for people, with any password masked:
    /// `PostgreSQL postgres://carpetti:********@db:5432/carpetti` or `SQLite ./data/carpetti.db`.
    pub fn describe(&self) -> String {
        match self {
            DatabaseTarget::Postgres(url) => {
                format!("PostgreSQL {}", mask_url(url.expose_secret()))
            }
            DatabaseTarget::Sqlite(path) => format!("SQLite {}", path.display()),
        }
    }

    /// Parses a database URL; anything but PostgreSQL or SQLite is an error.
    pub fn parse(url: &SecretString) -> Result<DatabaseTarget, ConfigError> {
        let raw = url.expose_secret().trim();
        let lower = raw.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(SecretString::from(raw)));
        }
        let rest = if lower.starts_with("sqlite://") {
            Some(&raw["sqlite://".len()..])
        } else if lower.starts_with("sqlite:") {
            Some(&raw["sqlite:".len()..])
        } else {
            None
        };
        match rest {
            Some(rest) => {
                let path = rest.split('?').next().unwrap_or_default();
                if path.is_empty() {
                    return Err(ConfigError::Invalid {
                        key: "database.url",
                        reason: "a sqlite URL needs a file path, e.g. sqlite://./data/carpetti.db"
                            .into(),
                    });
                }
                Ok(DatabaseTarget::Sqlite(PathBuf::from(path)))
            }
            None => Err(ConfigError::UnsupportedDatabaseUrl { url: mask_url(raw) }),
        }
    }
}

impl DatabaseConfig {
    /// Where the database is: `url` when set, else `{data_dir}/carpetti.db`.
    ///
    /// `Config::load` rejects an unsupported URL, so on a loaded config this never guesses; on a
    /// hand-built one an unsupported URL is passed on as `Postgres` for the driver to reject.
    pub fn target(&self, data_dir: &Path) -> DatabaseTarget {
        match &self.url {
            None => DatabaseTarget::Sqlite(data_dir.join("carpetti.db")),
            Some(url) => {
                DatabaseTarget::parse(url).unwrap_or_else(|_| DatabaseTarget::Postgres(url.clone()))
            }
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.url {
            DatabaseTarget::parse(url)?;
        }
        if self.max_connections == 0 {
            return Err(ConfigError::Invalid {
                key: "database.max_connections",
                reason: "must be at least 1".into(),
            });
        }
        if self.connect_timeout_secs == 0 {
            return Err(ConfigError::Invalid {
                key: "database.connect_timeout_secs",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// Masks the password of a URL: the one in the user info (`user:password@`) and a
/// `password=` / `sslpassword=` query parameter. Everything else is kept.
///
/// ```
/// assert_eq!(
///     carpetti_config::mask_url("postgres://app:s3cret@db:5432/carpetti?password=x"),
///     "postgres://app:********@db:5432/carpetti?password=********"
/// );
/// ```
pub fn mask_url(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let mut out = match head.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:{MASK}@{host}"),
                    None => format!("{userinfo}@{host}"),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => head.to_owned(),
    };
    if let Some(query) = query {
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _))
                    if k.eq_ignore_ascii_case("password")
                        || k.eq_ignore_ascii_case("sslpassword") =>
                {
                    format!("{k}={MASK}")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&masked.join("&"));
    }
    out
}

pub(crate) fn serialize_masked_url<S: Serializer>(
    url: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match url {
        Some(url) => s.serialize_some(&mask_url(url.expose_secret())),
        None => s.serialize_none(),
    }
}
