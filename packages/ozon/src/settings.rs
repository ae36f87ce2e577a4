//! What one Ozon channel needs to talk to the Seller API: the host, the seller's Client-Id, the
//! API key (from the channel's credentials only) and the FBS warehouses stocks go to.

use std::fmt;

use carpetti_marketplace::{Credentials, Marketplace, MpError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// The production host of the Seller API (every method lives on it).
pub const PRODUCTION_BASE_URL: &str = "https://api-seller.ozon.ru";

/// The settings of one Ozon account. `Debug` never prints the API key.
#[derive(Clone)]
pub struct Settings {
    /// The Seller API host, without a trailing slash (`base_url` in the channel settings; a
    /// sandbox serves every Ozon path on one port, so this one key overrides all of them).
    pub base_url: String,
    /// The numeric seller id sent as `Client-Id` (channel setting `client_id`, or the credential
    /// of the same name).
    pub client_id: String,
    api_key: SecretString,
    /// The seller's FBS warehouse ids (`"warehouses": ["id", …]`).
    pub warehouses: Vec<String>,
}

impl Settings {
    /// Reads a channel's settings JSON and credentials: `base_url` (optional), `client_id`
    /// (settings or credentials), `warehouses` (optional strings or numbers); the credential
    /// `api_key`.
    pub fn from_channel(settings: &Value, credentials: &Credentials) -> Result<Self, MpError> {
        let invalid = |reason: String| MpError::Settings {
            marketplace: Marketplace::Ozon,
            reason,
        };
        if !settings.is_object() && !settings.is_null() {
            return Err(invalid("channel settings must be a JSON object".into()));
        }
        let base_url = match settings.get("base_url") {
            None | Some(Value::Null) => PRODUCTION_BASE_URL.to_owned(),
            Some(Value::String(url))
                if url.starts_with("http://") || url.starts_with("https://") =>
            {
                url.trim_end_matches('/').to_owned()
            }
            Some(other) => return Err(invalid(format!("base_url {other} is not an http(s) URL"))),
        };
        let client_id = match settings.get("client_id") {
            Some(Value::String(id)) if !id.trim().is_empty() => id.trim().to_owned(),
            Some(Value::Number(id)) => id.to_string(),
            None | Some(Value::Null) => credentials
                .require(Marketplace::Ozon, "client_id")?
                .trim()
                .to_owned(),
            Some(other) => return Err(invalid(format!("client_id {other} is not an id"))),
        };
        if !client_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(format!("client_id `{client_id}` is not numeric")));
        }
        let api_key = SecretString::from(credentials.require(Marketplace::Ozon, "api_key")?);
        let warehouses = match settings.get("warehouses") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ids)) => ids
                .iter()
                .map(|id| match id {
                    Value::String(s) if is_id(s) => Ok(s.clone()),
                    Value::Number(n) if n.as_u64().is_some() => Ok(n.to_string()),
                    other => Err(invalid(format!("warehouse id {other} is not numeric"))),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(invalid(format!("warehouses {other} is not a list"))),
        };
        Ok(Self {
            base_url,
            client_id,
            api_key,
            warehouses,
        })
    }

    /// Settings made in code (tests, the `carpetti sandbox` command).
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            client_id: client_id.into(),
            api_key: SecretString::from(api_key.into()),
            warehouses: Vec::new(),
        }
    }

    pub fn with_warehouses(mut self, warehouses: &[&str]) -> Self {
        self.warehouses = warehouses.iter().map(|w| (*w).to_owned()).collect();
        self
    }

    pub(crate) fn api_key(&self) -> &str {
        self.api_key.expose_secret()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

fn is_id(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("api_key", &"***")
            .field("warehouses", &self.warehouses)
            .finish()
    }
}
