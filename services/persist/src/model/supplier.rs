//! Suppliers and the items (offers) they send, kept as the supplier sent them, normalized.

use carpetti_util::{Code, ContentHash, Currency, Money, OfferId};
use uuid::Uuid;

use super::text_enum;

text_enum!(
    /// The format of a supplier's feed.
    FeedFormat {
        Yml => "yml",
        Xml => "xml",
        Csv => "csv",
        Xlsx => "xlsx",
        Json => "json",
    }
);

/// A company we buy from.
#[derive(Debug, Clone, PartialEq)]
pub struct Supplier {
    pub code: Code,
    pub name: String,
    pub feed_url: Option<String>,
    pub feed_format: FeedFormat,
    /// Cron expression of the import schedule.
    pub schedule: Option<String>,
    pub active: bool,
    /// Connector settings (no secrets).
    pub settings: serde_json::Value,
}

/// One parameter of an offer as the supplier wrote it (`<param name="Цвет">синий</param>`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Param {
    pub name: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One offer of one supplier.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierItem {
    pub supplier_id: Uuid,
    pub offer_id: OfferId,
    pub name: String,
    pub vendor: Option<String>,
    pub vendor_code: Option<String>,
    /// Barcodes as sent (kept even when not valid GTINs; suppliers send internal codes too).
    pub barcodes: Vec<String>,
    pub description: Option<String>,
    /// The supplier's own category path.
    pub category_name: Option<String>,
    pub url: Option<String>,
    pub pictures: Vec<String>,
    pub price: Money,
    pub old_price: Option<Money>,
    pub currency: Currency,
    /// Units in stock, when the supplier says.
    pub stock: Option<i64>,
    pub available: bool,
    /// The supplier sells it in packs of this many units.
    pub pack_quantity: i64,
    /// Variant group id from the feed.
    pub group_id: Option<String>,
    pub params: Vec<Param>,
    pub weight_g: Option<i64>,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    /// The import run that last wrote this item.
    pub last_import_run_id: Option<Uuid>,
}

impl SupplierItem {
    /// The hash of everything the supplier sent (not of our bookkeeping such as the import run):
    /// equal hashes mean an unchanged offer, and nothing is written. Hashing streams the fields
    /// into the hasher without building an intermediate copy (it runs for every imported item).
    pub fn content_hash(&self) -> ContentHash {
        let mut h = ContentHash::builder();
        h.text(self.offer_id.as_str())
            .text(&self.name)
            .opt_text(self.vendor.as_deref())
            .opt_text(self.vendor_code.as_deref())
            .texts(&self.barcodes)
            .opt_text(self.description.as_deref())
            .opt_text(self.category_name.as_deref())
            .opt_text(self.url.as_deref())
            .texts(&self.pictures)
            .display(&self.price)
            .opt_display(self.old_price.as_ref())
            .text(self.currency.as_str())
            .opt_display(self.stock.as_ref())
            .display(&self.available)
            .display(&self.pack_quantity)
            .opt_text(self.group_id.as_deref());
        for param in &self.params {
            h.text(&param.name)
                .text(&param.value)
                .opt_text(param.unit.as_deref());
        }
        for dim in [self.weight_g, self.length_mm, self.width_mm, self.height_mm] {
            h.opt_display(dim.as_ref());
        }
        h.finish()
    }

    /// The normalized text searched by `ListQuery.text`.
    pub fn search_text(&self) -> String {
        let mut fields = vec![self.name.as_str(), self.offer_id.as_str()];
        fields.extend(self.vendor_code.as_deref());
        fields.extend(self.barcodes.iter().map(String::as_str));
        carpetti_util::search_text(fields)
    }
}
