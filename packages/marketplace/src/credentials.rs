//! A channel's account credentials: named secrets that never reach a log.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::{Marketplace, MpError};

/// Named secrets of one marketplace account (`api_key`, `client_id`, `token` …). `Debug` prints
/// the names only.
#[derive(Clone, Default)]
pub struct Credentials {
    secrets: BTreeMap<String, SecretString>,
}

impl Credentials {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a JSON object of strings (numbers are taken as their text).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let serde_json::Value::Object(map) = value else {
            return Err("credentials must be a JSON object".into());
        };
        let mut secrets = BTreeMap::new();
        for (name, value) in map {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(format!("credential {name} must be a string")),
            };
            secrets.insert(name.clone(), SecretString::from(text));
        }
        Ok(Self { secrets })
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.secrets
            .insert(name.to_owned(), SecretString::from(value.into()));
        self
    }

    /// The secret `name`, or a settings error naming what is missing.
    pub fn require(&self, marketplace: Marketplace, name: &str) -> Result<&str, MpError> {
        self.secrets
            .get(name)
            .map(|s| s.expose_secret())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| MpError::Settings {
                marketplace,
                reason: format!("credential `{name}` is missing"),
            })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.secrets.get(name).map(|s| s.expose_secret())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.secrets.keys().map(|k| format!("{k}: ***")))
            .finish()
    }
}
