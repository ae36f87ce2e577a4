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
    /// equal hashes mean an unchanged offer, and nothing is written.
    pub fn content_hash(&self) -> ContentHash {
        let stock = self.stock.map(|s| s.to_string()).unwrap_or_default();
        let old_price = self.old_price.map(|p| p.to_string()).unwrap_or_default();
        let price = self.price.to_string();
        let dims = [self.weight_g, self.length_mm, self.width_mm, self.height_mm]
            .map(|v| v.map(|n| n.to_string()).unwrap_or_default());
        let pack = self.pack_quantity.to_string();
        let params = self
            .params
            .iter()
            .map(|p| format!("{}\u{1f}{}\u{1f}{}", p.name, p.value, p.unit.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
            .join("\u{1e}");
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let parts: Vec<String> = vec![
            self.offer_id.as_str().to_owned(),
            self.name.clone(),
            opt(&self.vendor),
            opt(&self.vendor_code),
            self.barcodes.join("\u{1e}"),
            opt(&self.description),
            opt(&self.category_name),
            opt(&self.url),
            self.pictures.join("\u{1e}"),
            price,
            old_price,
            self.currency.as_str().to_owned(),
            stock,
            if self.available { "1" } else { "0" }.to_owned(),
            pack,
            opt(&self.group_id),
            params,
            dims.join("\u{1e}"),
        ];
        ContentHash::of_parts(parts.iter().map(|p| p.as_bytes()))
    }

    /// The normalized text searched by `ListQuery.text`.
    pub fn search_text(&self) -> String {
        let mut fields = vec![self.name.as_str(), self.offer_id.as_str()];
        fields.extend(self.vendor_code.as_deref());
        fields.extend(self.barcodes.iter().map(String::as_str));
        carpetti_util::search_text(fields)
    }
}
