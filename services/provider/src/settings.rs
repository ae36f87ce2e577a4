//! A supplier's connector settings: the `Supplier.settings` JSON object stored in persist, parsed
//! once into types. Unknown keys are refused (a typo must not silently change an import).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Everything an import of one supplier needs besides the feed itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupplierSettings {
    /// How the feed is fetched when it is an http(s) URL.
    pub http: HttpSettings,
    /// CSV: delimiter (one character; detected from the header line when unset).
    pub delimiter: Option<char>,
    /// CSV / JSON / XML: the input encoding ("utf-8", "windows-1251"); detected when unset (BOM,
    /// XML declaration, else UTF-8 if valid, else windows-1251).
    pub encoding: Option<String>,
    /// CSV / XLSX: which column holds which offer field (see [`ColumnMapping`]).
    pub columns: ColumnMapping,
    /// XLSX: the sheet to read (the first when unset).
    pub sheet: Option<String>,
    /// JSON: the path of the offers array in the document ("data.items"); the root array when
    /// unset. Offer fields are read by the names of [`ColumnMapping`] (or its defaults).
    pub json_offers_path: Option<String>,
    /// Rates to RUB per currency code ("USD" → "92.5"), used when the feed gives none or to
    /// override it.
    pub currency_rates: BTreeMap<String, Decimal>,
    /// The param whose value says "sold in packs of N" ("Кратность", "В упаковке").
    pub pack_param: Option<String>,
    /// Prefix for relative picture URLs (else the feed's shop url).
    pub picture_base_url: Option<String>,
    /// Written by the provider after each download: the feed's ETag / Last-Modified, sent back
    /// on the next fetch so an unchanged feed is not downloaded again.
    pub fetched: Option<crate::source::Validators>,
}

/// Credentials and headers for an http(s) feed. Secrets are named, never stored here: the value is
/// read from the environment variable given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Basic auth user name.
    pub username: Option<String>,
    /// Environment variable holding the basic-auth password.
    pub password_env: Option<String>,
    /// Environment variable holding a bearer token.
    pub token_env: Option<String>,
    /// Extra request headers (no secrets).
    pub headers: BTreeMap<String, String>,
    /// Whole-download timeout in seconds (default 300).
    pub timeout_secs: Option<u64>,
}

/// Column (CSV header name or XLSX header cell; JSON key) per offer field. Unset fields use the
/// default names in parentheses (matched case-insensitively), so a file with English headers
/// needs no mapping at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnMapping {
    /// (id)
    pub id: Option<String>,
    /// (name)
    pub name: Option<String>,
    /// (vendor)
    pub vendor: Option<String>,
    /// (vendor_code)
    pub vendor_code: Option<String>,
    /// (price)
    pub price: Option<String>,
    /// (old_price)
    pub old_price: Option<String>,
    /// (currency)
    pub currency: Option<String>,
    /// (category) — a category path "A/B/C" or name.
    pub category: Option<String>,
    /// (stock)
    pub stock: Option<String>,
    /// (available)
    pub available: Option<String>,
    /// (barcode) — several separated by `,` or `;`.
    pub barcode: Option<String>,
    /// (picture) — several separated by `|`, `,` or whitespace.
    pub picture: Option<String>,
    /// (description)
    pub description: Option<String>,
    /// (url)
    pub url: Option<String>,
    /// (group_id)
    pub group_id: Option<String>,
    /// (weight) in kg.
    pub weight: Option<String>,
    /// Columns read as params: column → param name (a unit may follow in the header as
    /// "Мощность, Вт" or "Мощность (Вт)").
    pub params: BTreeMap<String, String>,
}

impl SupplierSettings {
    /// Parses the settings JSON of a supplier (`null` / empty = defaults).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        if value.is_null() {
            return Ok(Self::default());
        }
        serde_json::from_value(value.clone())
    }
}
