//! A Yandex Market channel's settings: the API host, the cabinet (`business_id`) and shop
//! (`campaign_id`) ids, the seller's warehouses, and the `Api-Key` token from the credentials.

use std::fmt;

use carpetti_marketplace::{Credentials, Marketplace, MpError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// The production host of the Partner API.
pub const DEFAULT_BASE_URL: &str = "https://api.partner.market.yandex.ru";

/// What the connector needs to drive one Yandex Market account. `Debug` never prints the key.
#[derive(Clone)]
pub struct Settings {
    /// Scheme and host, no trailing slash (`base_url` in the channel settings overrides it).
    pub base_url: String,
    /// The cabinet: catalog, cards and business prices.
    pub business_id: i64,
    /// The shop: orders, stocks, labels.
    pub campaign_id: i64,
    /// The seller's warehouse ids (stocks name one of them).
    pub warehouses: Vec<String>,
    api_key: SecretString,
}

impl Settings {
    /// Reads `{"business_id", "campaign_id", "base_url"?, "warehouses"?}` and the `api_key`
    /// credential (sent as the `Api-Key` header).
    pub fn from_channel(settings: &Value, credentials: &Credentials) -> Result<Self, MpError> {
        let base_url = match settings.get("base_url") {
            None | Some(Value::Null) => DEFAULT_BASE_URL.to_owned(),
            Some(Value::String(url))
                if url.starts_with("http://") || url.starts_with("https://") =>
            {
                url.trim_end_matches('/').to_owned()
            }
            Some(other) => return Err(invalid(format!("base_url {other} is not an http(s) URL"))),
        };
        let warehouses = match settings.get("warehouses") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ids)) => ids
                .iter()
                .map(|id| {
                    id_text(id).ok_or_else(|| invalid(format!("warehouse id {id} is not a string")))
                })
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(invalid(format!("warehouses {other} is not a list"))),
        };
        let api_key = credentials.require(Marketplace::YandexMarket, "api_key")?;
        Ok(Self {
            base_url,
            business_id: positive_id(settings, "business_id")?,
            campaign_id: positive_id(settings, "campaign_id")?,
            warehouses,
            api_key: SecretString::from(api_key.to_owned()),
        })
    }

    /// Settings built directly (tests, the sandbox printout).
    pub fn new(
        base_url: impl Into<String>,
        business_id: i64,
        campaign_id: i64,
        api_key: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            business_id,
            campaign_id,
            warehouses: Vec::new(),
            api_key: SecretString::from(api_key.into()),
        }
    }

    pub(crate) fn api_key(&self) -> &str {
        self.api_key.expose_secret()
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("business_id", &self.business_id)
            .field("campaign_id", &self.campaign_id)
            .field("warehouses", &self.warehouses)
            .field("api_key", &"***")
            .finish()
    }
}

fn invalid(reason: String) -> MpError {
    MpError::Settings {
        marketplace: Marketplace::YandexMarket,
        reason,
    }
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A positive integer id given as a number or a numeric string.
fn positive_id(settings: &Value, key: &str) -> Result<i64, MpError> {
    let value = settings
        .get(key)
        .ok_or_else(|| invalid(format!("`{key}` is missing")))?;
    id_text(value)
        .and_then(|text| text.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| invalid(format!("`{key}` {value} is not a positive integer")))
}
