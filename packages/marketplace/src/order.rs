//! Orders as the marketplaces report them, and their shipping labels.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One line of a marketplace order, with every key that can match it to our product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketOrderLine {
    /// Our offer id (SKU) when the marketplace reports it.
    pub offer_id: Option<String>,
    /// Barcodes of the unit, when reported.
    pub barcodes: Vec<String>,
    /// The marketplace's SKU or product id of the line.
    pub external_sku: Option<String>,
    pub name: String,
    pub quantity: u32,
    /// Unit price the buyer pays, in RUB.
    pub price: Decimal,
}

/// An order (Ozon posting, WB assembly task, YM order, Megamarket shipment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketOrder {
    /// The marketplace's id of the order (what labels are asked for by).
    pub external_id: String,
    /// The marketplace's status word, as it gives it (`awaiting_packaging`, `new`, `PROCESSING`…).
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// When the marketplace last changed it, when it says.
    pub updated_at: Option<DateTime<Utc>>,
    pub lines: Vec<MarketOrderLine>,
    pub customer_name: Option<String>,
}

/// A shipping label or sticker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub order_external_id: String,
    /// `application/pdf`, `image/png`, `image/svg+xml`, `text/html` …
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Label {
    /// A file name for it: the order id and an extension from the content type.
    pub fn file_name(&self) -> String {
        let extension = match self.content_type.as_str() {
            "application/pdf" => "pdf",
            "image/png" => "png",
            "image/svg+xml" => "svg",
            "text/html" => "html",
            "application/zpl" | "text/zpl" => "zpl",
            _ => "bin",
        };
        let safe: String = self
            .order_external_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("label-{safe}.{extension}")
    }
}
