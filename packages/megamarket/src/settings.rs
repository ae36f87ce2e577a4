//! The channel settings of a Megamarket account: hosts, merchant id, warehouses, and the merchant
//! token (from the credentials only).

use std::fmt;

use carpetti_marketplace::{Credentials, Marketplace, MpError};
use serde_json::Value;

/// Production host of both the Merchant API and the content (assortment) API (NOTES §4.1).
pub const PRODUCTION_URL: &str = "https://api.megamarket.tech";
/// Test host; production and test need different tokens.
pub const TEST_URL: &str = "https://api-test.megamarket.tech";

/// How one Megamarket account is reached.
///
/// Channel settings keys:
/// - `merchant_id` (required, number or string of digits): the seller's id, part of box codes;
/// - `base_url`: one URL for every Megamarket host (the loopback sandbox), overrides the rest;
/// - `test` (bool): use the test host instead of production;
/// - `content_url`: the content (assortment) API host alone, when it differs;
/// - `warehouses`: the warehouse ids this account's stock stands for (optional; Megamarket keeps
///   one stock per offer and token, so updates for other warehouses are refused per item).
///
/// Credentials: `token` (the merchant token). `Debug` does not print it.
#[derive(Clone)]
pub struct Settings {
    /// Merchant API host (prices, stocks, orders), without a trailing slash.
    pub merchant_url: String,
    /// Content API host (categories, info models, cards), without a trailing slash.
    pub content_url: String,
    pub merchant_id: String,
    pub warehouses: Vec<String>,
    token: String,
}

impl Settings {
    /// Reads the channel settings and credentials.
    pub fn from_channel(settings: &Value, credentials: &Credentials) -> Result<Self, MpError> {
        let invalid = |reason: String| MpError::Settings {
            marketplace: Marketplace::Megamarket,
            reason,
        };
        let text = |key: &str| -> Result<Option<String>, MpError> {
            match settings.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().trim_end_matches('/').to_owned())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(other) => Err(invalid(format!("`{key}` must be a string, got {other}"))),
            }
        };
        let merchant_id =
            text("merchant_id")?.ok_or_else(|| invalid("`merchant_id` is missing".into()))?;
        if !merchant_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!(
                "`merchant_id` must be digits, got «{merchant_id}»"
            )));
        }
        let test = match settings.get("test") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(invalid(format!(
                    "`test` must be true or false, got {other}"
                )));
            }
        };
        let default = if test { TEST_URL } else { PRODUCTION_URL };
        let base = text("base_url")?;
        let merchant_url = base.clone().unwrap_or_else(|| default.to_owned());
        let content_url = match base {
            Some(base) => base,
            None => text("content_url")?.unwrap_or_else(|| default.to_owned()),
        };
        for url in [&merchant_url, &content_url] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(format!("`{url}` is not an http(s) URL")));
            }
        }
        let warehouses = match settings.get("warehouses") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(invalid(format!(
                        "a warehouse id must be a string, got {other}"
                    ))),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(invalid(format!("`warehouses` must be a list, got {other}")));
            }
        };
        let token = credentials
            .require(Marketplace::Megamarket, "token")?
            .to_owned();
        Ok(Self {
            merchant_url,
            content_url,
            merchant_id,
            warehouses,
            token,
        })
    }

    /// Settings for one sandbox URL (tests, `carpetti sandbox`).
    pub fn for_sandbox(base_url: &str, merchant_id: &str, token: &str) -> Self {
        let base = base_url.trim_end_matches('/').to_owned();
        Self {
            merchant_url: base.clone(),
            content_url: base,
            merchant_id: merchant_id.to_owned(),
            warehouses: Vec::new(),
            token: token.to_owned(),
        }
    }

    /// The merchant token.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// The box code of the only box of a shipment: `<merchantId>*<shipmentId>*1` (NOTES §4.4).
    pub fn box_code(&self, shipment_id: &str) -> String {
        format!("{}*{shipment_id}*1", self.merchant_id)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("merchant_url", &self.merchant_url)
            .field("content_url", &self.content_url)
            .field("merchant_id", &self.merchant_id)
            .field("warehouses", &self.warehouses)
            .field("token", &"***")
            .finish()
    }
}
