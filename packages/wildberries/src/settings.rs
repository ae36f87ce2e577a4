//! A Wildberries channel's settings: the three API hosts, the seller warehouses, and the token.

use std::fmt;

use carpetti_marketplace::{Credentials, Marketplace, MpError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// Production hosts, one per API category (the token's categories must include each).
pub const CONTENT_URL: &str = "https://content-api.wildberries.ru";
pub const PRICES_URL: &str = "https://discounts-prices-api.wildberries.ru";
pub const MARKETPLACE_URL: &str = "https://marketplace-api.wildberries.ru";

/// How the connector reaches one Wildberries seller account.
///
/// Channel settings (JSON object, every key optional):
/// - `base_url`: one URL for every host (the loopback sandbox serves them all on one port);
/// - `content_url`, `prices_url`, `marketplace_url`: each host on its own;
/// - `warehouses`: the seller warehouse ids stocks may go to (`["1234", …]`; empty = any);
/// - `account`: a name for logs and the circuit breaker.
///
/// Credentials: `token` (the API token sent as `Authorization`; `api_key` is accepted too).
#[derive(Clone)]
pub struct Settings {
    pub content_url: String,
    pub prices_url: String,
    pub marketplace_url: String,
    pub warehouses: Vec<i64>,
    pub account: String,
    token: SecretString,
}

impl Settings {
    pub fn from_channel(settings: &Value, credentials: &Credentials) -> Result<Self, MpError> {
        let invalid = |reason: String| MpError::Settings {
            marketplace: Marketplace::Wildberries,
            reason,
        };
        if !settings.is_object() && !settings.is_null() {
            return Err(invalid("settings must be a JSON object".into()));
        }
        let text = |key: &str| -> Result<Option<String>, MpError> {
            match settings.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().trim_end_matches('/').to_owned())),
                Some(_) => Err(invalid(format!("`{key}` must be a string"))),
            }
        };
        let base = text("base_url")?;
        let host = |key: &str, default: &str| -> Result<String, MpError> {
            Ok(match &base {
                Some(base) => base.clone(),
                None => text(key)?.unwrap_or_else(|| default.to_owned()),
            })
        };
        let content_url = host("content_url", CONTENT_URL)?;
        let prices_url = host("prices_url", PRICES_URL)?;
        let marketplace_url = host("marketplace_url", MARKETPLACE_URL)?;
        for url in [&content_url, &prices_url, &marketplace_url] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(format!("`{url}` is not an http(s) URL")));
            }
        }
        let warehouses = match settings.get("warehouses") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    let id = match item {
                        Value::String(s) => s.trim().parse::<i64>().ok(),
                        Value::Number(n) => n.as_i64(),
                        _ => None,
                    };
                    id.ok_or_else(|| invalid(format!("warehouse id {item} is not an integer")))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid("`warehouses` must be an array of ids".into())),
        };
        let account = text("account")?.unwrap_or_else(|| "default".to_owned());
        let token = match credentials.get("token").filter(|t| !t.is_empty()) {
            Some(token) => token,
            None => credentials
                .require(Marketplace::Wildberries, "api_key")
                .map_err(|_| invalid("credential `token` is missing".into()))?,
        };
        Ok(Self {
            content_url,
            prices_url,
            marketplace_url,
            warehouses,
            account,
            token: SecretString::from(token.to_owned()),
        })
    }

    /// Settings for a sandbox (or any single host) at `base_url` with `token`.
    pub fn for_base_url(base_url: &str, token: &str) -> Self {
        let base = base_url.trim_end_matches('/').to_owned();
        Self {
            content_url: base.clone(),
            prices_url: base.clone(),
            marketplace_url: base,
            warehouses: Vec::new(),
            account: "default".to_owned(),
            token: SecretString::from(token.to_owned()),
        }
    }

    pub(crate) fn token(&self) -> &str {
        self.token.expose_secret()
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("content_url", &self.content_url)
            .field("prices_url", &self.prices_url)
            .field("marketplace_url", &self.marketplace_url)
            .field("warehouses", &self.warehouses)
            .field("account", &self.account)
            .field("token", &"***")
            .finish()
    }
}
