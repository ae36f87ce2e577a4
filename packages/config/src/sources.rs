//! Where each configuration value came from, for `carpetti config`, and command-line overrides.

use figment::value::{Dict, Map};
use figment::{Error, Figment, Metadata, Profile, Provider, Source};
use serde::Serialize;

use crate::ENV_PREFIX;

const ENV_METADATA_NAME: &str = "environment variable(s)";

/// A figment provider setting one key from a command-line flag; [`source_of`] reports it by the
/// flag's name. Merge it last: `Config::figment(file)?.merge(CliOverride::new("--data-dir", "data_dir", dir))`.
#[derive(Debug, Clone)]
pub struct CliOverride {
    flag: &'static str,
    key: &'static str,
    value: figment::value::Value,
}

impl CliOverride {
    /// Sets the dotted `key` to `value`, reported as coming from `flag` (e.g. `--data-dir`).
    pub fn new(flag: &'static str, key: &'static str, value: impl Serialize) -> CliOverride {
        let value = figment::value::Value::serialize(value)
            .unwrap_or_else(|e| figment::value::Value::from(e.to_string()));
        CliOverride { flag, key, value }
    }
}

impl Provider for CliOverride {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.flag)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        figment::providers::Serialized::default(self.key, &self.value).data()
    }
}

/// Where the effective value of the dotted `key` came from: `default`, `file <path>`, the
/// environment variable's name (e.g. `CARPETTI_PERSIST__LISTEN`), or a command-line flag.
pub fn source_of(figment: &Figment, key: &str) -> String {
    let Some(metadata) = figment.find_metadata(key) else {
        return "default".to_owned();
    };
    if metadata.name.ends_with(ENV_METADATA_NAME) {
        return env_name(key);
    }
    if let Some(Source::File(path)) = &metadata.source {
        return format!("file {}", path.display());
    }
    if metadata.name.starts_with("--") {
        return metadata.name.to_string();
    }
    "default".to_owned()
}

/// The environment variable that set `key`: the nested form, or the alias for `database.url`.
fn env_name(key: &str) -> String {
    let nested = format!(
        "{ENV_PREFIX}{}",
        key.replace('.', "__").to_ascii_uppercase()
    );
    if key == "database.url" && std::env::var_os(&nested).is_none() {
        return format!("{ENV_PREFIX}DATABASE_URL");
    }
    nested
}
