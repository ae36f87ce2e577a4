//! What we send to a marketplace and what comes back for each item, in our words.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Package dimensions and weight, in millimetres and grams (connectors convert to the
/// marketplace's units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
    pub weight_g: u32,
}

/// One value of a card attribute: the text, and the marketplace's dictionary value id when the
/// attribute takes its values from a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dictionary_id: Option<String>,
}

impl AttributeValue {
    pub fn text(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            dictionary_id: None,
        }
    }
}

/// A marketplace attribute with its values (several for a multi-valued attribute).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardAttribute {
    /// The marketplace's attribute id (Ozon attribute id, WB charcID, YM parameterId …).
    pub id: String,
    pub values: Vec<AttributeValue>,
}

/// A product as one marketplace will receive it: our content, already mapped to the
/// marketplace's category and attribute ids by the channel's mappings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// Our SKU: the marketplace's offer id / vendor code.
    pub offer_id: String,
    pub name: String,
    pub vendor: Option<String>,
    pub vendor_code: Option<String>,
    pub description: Option<String>,
    pub barcodes: Vec<String>,
    /// Absolute picture URLs, the main one first.
    pub pictures: Vec<String>,
    /// Price in the channel's currency (RUB).
    pub price: Decimal,
    /// Strike-through price, greater than `price` when present.
    pub old_price: Option<Decimal>,
    /// VAT rate as a fraction (0.2 for 20 %), when known.
    pub vat: Option<Decimal>,
    pub dimensions: Option<Dimensions>,
    /// The marketplace's category id (Ozon: `description_category_id/type_id`).
    pub category: String,
    pub attributes: Vec<CardAttribute>,
    /// Variants grouped on the marketplace (sizes, colours) share this.
    pub group_id: Option<String>,
}

impl Card {
    pub fn attribute(&self, id: &str) -> Option<&CardAttribute> {
        self.attributes.iter().find(|a| a.id == id)
    }
}

/// The ids a marketplace gave one of our products (the seed's deferred link entity).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingIds {
    /// Our offer id as the marketplace knows it.
    pub offer_id: String,
    /// The marketplace's product: Ozon product_id, WB nmID, Megamarket goodsId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// The marketplace's SKU: Ozon sku, WB chrtID, YM marketSku.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

impl ListingIds {
    pub fn offer(offer_id: impl Into<String>) -> Self {
        Self {
            offer_id: offer_id.into(),
            ..Self::default()
        }
    }
}

/// Something the marketplace (or our check before sending) said is wrong with one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: String,
    pub message: String,
    /// The marketplace attribute the problem is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
}

impl Problem {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            attribute: None,
        }
    }

    pub fn on_attribute(mut self, attribute: impl Into<String>) -> Self {
        self.attribute = Some(attribute.into());
        self
    }
}

/// Where one card stands at the marketplace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CardState {
    /// Accepted for processing; ask again later.
    Pending,
    /// Created or updated; these are its ids.
    Published { ids: ListingIds },
    /// Refused, with the reasons.
    Rejected { problems: Vec<Problem> },
}

/// The state of one card of a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardResult {
    pub offer_id: String,
    pub state: CardState,
}

/// A batch of cards handed to the marketplace, enough to follow its asynchronous outcome even
/// after a restart (serialize it next to the outbox entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The marketplace's handle of the batch (Ozon task id), when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The offers sent.
    pub offer_ids: Vec<String>,
    pub submitted_at: DateTime<Utc>,
    /// Outcomes known from the submission answer itself (refused before any processing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settled: Vec<CardResult>,
}

/// A new price for one listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceUpdate {
    pub ids: ListingIds,
    pub price: Decimal,
    pub old_price: Option<Decimal>,
}

/// A new available quantity of one listing at one of the seller's warehouses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockUpdate {
    pub ids: ListingIds,
    /// The marketplace's warehouse id.
    pub warehouse_id: String,
    pub quantity: u32,
}

/// What the marketplace said about one item of a price or stock update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOutcome {
    pub offer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<String>,
    /// Empty when the item was applied.
    pub problems: Vec<Problem>,
}

impl ItemOutcome {
    pub fn applied(offer_id: impl Into<String>) -> Self {
        Self {
            offer_id: offer_id.into(),
            warehouse_id: None,
            problems: Vec::new(),
        }
    }

    pub fn is_applied(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A product the marketplace holds for the account (reconciliation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteOffer {
    pub ids: ListingIds,
    /// The marketplace's status words (moderation, card status), when it gives them.
    pub status: Option<String>,
}
