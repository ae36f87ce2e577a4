//! Channels (a marketplace account or our shop), their category and attribute mappings, listings
//! (product × channel) and the deferred-publication outbox. See docs/domain.md, "Channels and
//! publication".

use std::collections::BTreeMap;

use carpetti_util::{Code, Currency};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::text_enum;

text_enum!(
    /// The kind of sales channel.
    ChannelKind {
        Ozon => "ozon",
        Wildberries => "wildberries",
        YandexMarket => "yandex_market",
        Megamarket => "megamarket",
        Shop => "shop",
    }
);

text_enum!(
    /// Publication status of a listing.
    ListingStatus {
        /// Not yet sent to the channel.
        New => "new",
        /// Sent; the channel has not answered yet.
        Pending => "pending",
        /// Accepted and live.
        Published => "published",
        /// Refused by the channel; see `errors`.
        Rejected => "rejected",
        /// Withdrawn from the channel.
        Archived => "archived",
    }
);

text_enum!(
    /// What an outbox entry publishes.
    OutboxKind {
        Content => "content",
        Price => "price",
        Stock => "stock",
    }
);

text_enum!(
    /// Delivery status of an outbox entry.
    OutboxStatus {
        /// Waiting to be sent (at most one per channel, product and kind).
        Pending => "pending",
        /// Taken into a batch being sent.
        Sending => "sending",
        /// Sent and acknowledged.
        Sent => "sent",
        /// Gave up after retries; see `last_error`.
        Failed => "failed",
    }
);

/// The locale of a channel when none is given.
pub const DEFAULT_LOCALE: &str = "ru_RU";

/// A sales channel: one marketplace account or our shop.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub code: Code,
    pub name: String,
    pub kind: ChannelKind,
    /// Locale of the content published there (`ru_RU` by default).
    pub locale: String,
    /// Currency of prices there (`RUB` by default).
    pub currency: Currency,
    /// Whether publication and order sync run for it.
    pub active: bool,
    /// Connector settings, a JSON object (no secrets).
    pub settings: serde_json::Value,
}

/// The secrets a channel's connector signs its calls with (`api_key`, `client_id`, `token` …).
/// `Debug` prints the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChannelCredentials {
    pub secrets: BTreeMap<String, String>,
}

impl std::fmt::Debug for ChannelCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.secrets.keys().map(|k| format!("{k}: ***")))
            .finish()
    }
}

impl ChannelCredentials {
    /// Checks what needs no database: names are non-empty words.
    pub fn validate(&self) -> Result<(), crate::StoreError> {
        for name in self.secrets.keys() {
            if name.trim().is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(crate::StoreError::invalid(
                    "credentials",
                    format!("{name:?} is not a credential name (letters, digits, _ and -)"),
                ));
            }
        }
        Ok(())
    }
}

/// One of our categories mapped to the channel's category. Key: (channel, category).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelCategoryMap {
    pub channel_id: Uuid,
    pub category_id: Uuid,
    /// The channel's category id (not empty).
    pub external_id: String,
    pub external_name: Option<String>,
}

/// One of our attributes mapped to the channel's attribute. Key: (channel, attribute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAttributeMap {
    pub channel_id: Uuid,
    pub attribute_id: Uuid,
    /// The channel's attribute id (not empty).
    pub external_id: String,
    pub external_name: Option<String>,
    /// For option attributes: our option code → the channel's value.
    pub value_map: BTreeMap<String, String>,
}

/// An error the channel reported for a listing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemError {
    pub code: String,
    pub message: String,
    /// The attribute code the error is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
}

/// A product on a channel, with the channel's own ids for it. Key: (product, channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub product_id: Uuid,
    pub channel_id: Uuid,
    pub external_offer_id: Option<String>,
    pub external_product_id: Option<String>,
    pub external_sku: Option<String>,
    pub status: ListingStatus,
    /// Hash of the content last published.
    pub published_hash: Option<String>,
    pub errors: Vec<ItemError>,
    pub published_at: Option<DateTime<Utc>>,
    pub synced_at: Option<DateTime<Utc>>,
}

/// One change to publish to a channel. At most one `pending` entry per (channel, product, kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub channel_id: Uuid,
    pub product_id: Uuid,
    pub kind: OutboxKind,
    /// Hash of the payload to publish (not empty).
    pub payload_hash: String,
    pub status: OutboxStatus,
    /// Send attempts made so far, ≥ 0.
    pub attempts: i64,
    /// Not to be sent before this time.
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub batch_id: Option<String>,
}

impl ChannelCategoryMap {
    /// Checks what needs no database.
    pub fn validate(&self) -> Result<(), crate::StoreError> {
        required("external_id", &self.external_id)
    }
}

impl ChannelAttributeMap {
    /// Checks what needs no database.
    pub fn validate(&self) -> Result<(), crate::StoreError> {
        required("external_id", &self.external_id)
    }
}

impl Channel {
    /// Checks what needs no database.
    pub fn validate(&self) -> Result<(), crate::StoreError> {
        required("name", &self.name)?;
        required("locale", &self.locale)?;
        if !self.settings.is_object() {
            return Err(crate::StoreError::invalid(
                "settings",
                "must be a JSON object",
            ));
        }
        Ok(())
    }
}

impl OutboxEntry {
    /// Checks what needs no database.
    pub fn validate(&self) -> Result<(), crate::StoreError> {
        required("payload_hash", &self.payload_hash)?;
        if self.attempts < 0 {
            return Err(crate::StoreError::invalid(
                "attempts",
                format!("must not be negative, got {}", self.attempts),
            ));
        }
        Ok(())
    }
}

fn required(field: &str, value: &str) -> Result<(), crate::StoreError> {
    if value.trim().is_empty() {
        Err(crate::StoreError::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}
