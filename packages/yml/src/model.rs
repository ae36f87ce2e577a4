//! The records a feed is made of, as the reader yields them and the writer takes them. Text is
//! trimmed and entity-decoded; numbers are parsed (decimal, never float); nothing is normalized
//! beyond that (units, currencies and barcodes are service_provider's business).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where something starts in the input: 1-based line and column (in characters of the decoded
/// text). For CSV / XLSX records the line is the row and the column 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

/// The `<shop>` header: everything but the offers. Fields a feed leaves out stay empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shop {
    /// `yml_catalog/@date` as written (formats vary: "YYYY-MM-DD hh:mm", RFC 3339…).
    pub date: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub url: Option<String>,
    pub platform: Option<String>,
    pub email: Option<String>,
    pub currencies: Vec<Currency>,
    pub categories: Vec<Category>,
}

/// `currencies/currency`: an id as written (`RUR`, `RUB`, `USD`, `KZT`…) and its rate, when
/// numeric (`rate="CBRF"` and friends are kept as text in `rate_source`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Currency {
    pub id: String,
    pub rate: Option<Decimal>,
    pub rate_source: Option<String>,
}

/// `categories/category`: id, optional parent id (which may point nowhere) and its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
}

/// `param`: a name, an optional unit and the value as text. Names may repeat (multi-value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub unit: Option<String>,
    pub value: String,
}

/// `dimensions` "L/W/H" in centimetres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dimensions {
    pub length_cm: Decimal,
    pub width_cm: Decimal,
    pub height_cm: Decimal,
}

/// `outlets/outlet`: stock at one warehouse / point (`id` for Megamarket, `warehouse_name` for
/// Ozon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outlet {
    pub id: Option<String>,
    pub warehouse_name: Option<String>,
    pub instock: i64,
}

/// One offer as the feed describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// `@id`, required (an offer without one is an [`crate::OfferError`]).
    pub id: String,
    /// Where the `<offer>` start tag is.
    pub position: Position,
    /// `@available`; `None` when absent.
    pub available: Option<bool>,
    /// `@type` (`vendor.model`, `book`…); `None` = simplified.
    pub kind: Option<String>,
    /// `@group_id`, or a `<group_id>` child.
    pub group_id: Option<String>,
    /// `<name>`, or `<title>` when a supplier wrote that instead.
    pub name: Option<String>,
    pub type_prefix: Option<String>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub vendor_code: Option<String>,
    pub url: Option<String>,
    pub price: Option<Decimal>,
    pub old_price: Option<Decimal>,
    pub currency_id: Option<String>,
    pub category_id: Option<String>,
    /// Every picture URL in order, several per element split on `|`, trimmed, empty ones dropped.
    pub pictures: Vec<String>,
    /// The description text: CDATA as is, entity-escaped HTML decoded to HTML.
    pub description: Option<String>,
    pub barcodes: Vec<String>,
    pub params: Vec<Param>,
    /// `<weight>` in kilograms.
    pub weight_kg: Option<Decimal>,
    pub dimensions: Option<Dimensions>,
    /// `<count>` or `<quantity>`; when only outlets are given, the sum of their `instock`.
    pub stock: Option<i64>,
    pub outlets: Vec<Outlet>,
    pub country_of_origin: Option<String>,
    pub sales_notes: Option<String>,
}

impl Offer {
    /// The display name: `name` (or `title`), else `typePrefix vendor model` as the
    /// `vendor.model` type composes it.
    pub fn display_name(&self) -> Option<String> {
        if let Some(name) = self.name.as_deref().filter(|n| !n.is_empty()) {
            return Some(name.to_owned());
        }
        let parts: Vec<&str> = [&self.type_prefix, &self.vendor, &self.model]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .filter(|p| !p.is_empty())
            .collect();
        (self.model.is_some() && !parts.is_empty()).then(|| parts.join(" "))
    }
}
