//! The one error type of configuration loading.

use std::path::PathBuf;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config` named a file that does not exist.
    #[error("configuration file {} does not exist", .0.display())]
    FileNotFound(PathBuf),

    /// The configuration file has a key Carpetti does not know (usually a typo).
    #[error("unknown key `{key}` in {} (see docs/configuration.md for the keys)", file.display())]
    UnknownKey {
        /// The dotted key, e.g. `persist.listn`.
        key: String,
        /// The file it was found in.
        file: PathBuf,
    },

    /// A value has the wrong type or shape, or a file does not parse; figment names the key and
    /// where the value came from (default, file, environment variable).
    #[error("invalid configuration: {0}")]
    Figment(#[from] Box<figment::Error>),

    /// `database.url` is neither PostgreSQL nor SQLite. The URL is shown with its password masked.
    #[error(
        "database.url `{url}` is not supported: use postgres://…, postgresql://…, sqlite://path or sqlite:path"
    )]
    UnsupportedDatabaseUrl {
        /// The URL with its password masked.
        url: String,
    },

    /// A value parsed but is out of range.
    #[error("invalid value for `{key}`: {reason}")]
    Invalid {
        /// The dotted key.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl From<figment::Error> for ConfigError {
    fn from(e: figment::Error) -> Self {
        ConfigError::Figment(Box::new(e))
    }
}
