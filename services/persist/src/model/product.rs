//! Products of our catalog and their typed attribute values.

use std::str::FromStr;

use carpetti_util::{Barcode, Code, ContentHash, Currency, Money, ParseError, Sku};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::text_enum;

text_enum!(
    /// The VAT rate of a product.
    Vat {
        None => "none",
        Zero => "0",
        Five => "5",
        Seven => "7",
        Ten => "10",
        Twenty => "20",
        TwentyTwo => "22",
    }
);

text_enum!(
    /// The lifecycle status of a product.
    ProductStatus {
        Draft => "draft",
        Active => "active",
        Archived => "archived",
    }
);

/// The value of one attribute; the variant must match the attribute's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Of a `text` attribute.
    Text(String),
    /// Of a `number` attribute.
    Number(Decimal),
    /// Of a `boolean` attribute.
    Boolean(bool),
    /// Option codes of an `option` attribute (exactly one unless the attribute is multi-value).
    Options(Vec<Code>),
    /// Of a `measure` attribute; `unit` absent means the attribute's unit (filled in by the store).
    Measure {
        amount: Decimal,
        unit: Option<String>,
    },
}

impl Value {
    /// The attribute kind this value belongs to (`text`, `number`, `boolean`, `option`, `measure`).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Text(_) => "text",
            Value::Number(_) => "number",
            Value::Boolean(_) => "boolean",
            Value::Options(_) => "option",
            Value::Measure { .. } => "measure",
        }
    }

    /// The stored JSON: `{"text":…}`, `{"number":"…"}`, `{"boolean":…}`, `{"options":[codes]}`,
    /// `{"measure":{"amount":"…","unit":"…"}}`. Decimals are normalized (no trailing zeros).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Value::Text(text) => json!({ "text": text }),
            Value::Number(n) => json!({ "number": n.normalize().to_string() }),
            Value::Boolean(b) => json!({ "boolean": b }),
            Value::Options(codes) => {
                json!({ "options": codes.iter().map(Code::as_str).collect::<Vec<_>>() })
            }
            Value::Measure {
                amount,
                unit: Some(unit),
            } => {
                json!({ "measure": { "amount": amount.normalize().to_string(), "unit": unit } })
            }
            Value::Measure { amount, unit: None } => {
                json!({ "measure": { "amount": amount.normalize().to_string() } })
            }
        }
    }

    /// Parses the stored JSON written by [`Value::to_json`].
    pub fn from_json(json: &serde_json::Value) -> Result<Self, ParseError> {
        let bad = || ParseError(format!("not a product value: {json}"));
        let decimal = |v: Option<&serde_json::Value>| {
            v.and_then(serde_json::Value::as_str)
                .and_then(|s| Decimal::from_str(s).ok())
                .ok_or_else(bad)
        };
        let object = json.as_object().ok_or_else(bad)?;
        let (key, inner) = object
            .iter()
            .next()
            .filter(|_| object.len() == 1)
            .ok_or_else(bad)?;
        match key.as_str() {
            "text" => Ok(Value::Text(inner.as_str().ok_or_else(bad)?.to_owned())),
            "number" => Ok(Value::Number(decimal(Some(inner))?)),
            "boolean" => Ok(Value::Boolean(inner.as_bool().ok_or_else(bad)?)),
            "options" => inner
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|c| c.as_str().ok_or_else(bad).and_then(Code::parse))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Options),
            "measure" => Ok(Value::Measure {
                amount: decimal(inner.get("amount"))?,
                unit: inner
                    .get("unit")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
            }),
            _ => Err(bad()),
        }
    }
}

/// A product's value of one attribute, named by the attribute's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeValue {
    pub attribute_code: Code,
    pub value: Value,
}

/// A product of our catalog. Business key: `sku`.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub sku: Sku,
    pub name: String,
    pub vendor: Option<String>,
    pub vendor_code: Option<String>,
    pub barcodes: Vec<Barcode>,
    pub description: Option<String>,
    /// Picture URLs or file storage keys, the first is the main one.
    pub pictures: Vec<String>,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    pub weight_g: Option<i64>,
    pub price: Money,
    pub old_price: Option<Money>,
    pub currency: Currency,
    /// Units in stock, ≥ 0.
    pub stock: i64,
    pub vat: Vat,
    pub family_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub status: ProductStatus,
    /// At most one per attribute; the store keeps them ordered by attribute code.
    pub values: Vec<AttributeValue>,
}

impl Product {
    /// The hash of the whole content, values included (independent of the values' order): equal
    /// hashes mean an unchanged product, and a bulk upsert writes nothing.
    pub fn content_hash(&self) -> ContentHash {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let id = |v: Option<Uuid>| v.map(|n| n.to_string()).unwrap_or_default();
        let mut values: Vec<String> = self
            .values
            .iter()
            .map(|v| format!("{}\u{1f}{}", v.attribute_code, v.value.to_json()))
            .collect();
        values.sort();
        let barcodes: Vec<&str> = self.barcodes.iter().map(Barcode::as_str).collect();
        let parts: Vec<String> = vec![
            self.sku.as_str().to_owned(),
            self.name.clone(),
            opt(&self.vendor),
            opt(&self.vendor_code),
            barcodes.join("\u{1e}"),
            opt(&self.description),
            self.pictures.join("\u{1e}"),
            [self.length_mm, self.width_mm, self.height_mm, self.weight_g]
                .map(num)
                .join("\u{1e}"),
            self.price.to_string(),
            self.old_price.map(|p| p.to_string()).unwrap_or_default(),
            self.currency.as_str().to_owned(),
            self.stock.to_string(),
            self.vat.as_str().to_owned(),
            id(self.family_id),
            id(self.category_id),
            self.status.as_str().to_owned(),
            values.join("\u{1e}"),
        ];
        ContentHash::of_parts(parts.iter().map(|p| p.as_bytes()))
    }

    /// The normalized text searched by `ListQuery.text`: name, SKU, vendor code and barcodes.
    pub fn search_text(&self) -> String {
        let mut fields = vec![self.name.as_str(), self.sku.as_str()];
        fields.extend(self.vendor_code.as_deref());
        fields.extend(self.barcodes.iter().map(Barcode::as_str));
        carpetti_util::search_text(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_json() {
        let values = [
            Value::Text("синий".into()),
            Value::Number(Decimal::from_str("12.50").expect("decimal")),
            Value::Boolean(true),
            Value::Options(vec![Code::parse("red").expect("code")]),
            Value::Measure {
                amount: Decimal::from(5),
                unit: Some("kg".into()),
            },
            Value::Measure {
                amount: Decimal::from(5),
                unit: None,
            },
        ];
        for value in values {
            let json = value.to_json();
            assert_eq!(Value::from_json(&json).expect("parses"), value, "{json}");
        }
        assert_eq!(
            Value::Number(Decimal::from_str("12.50").expect("d")).to_json()["number"],
            "12.5"
        );
        assert!(Value::from_json(&serde_json::json!({"text": 1})).is_err());
        assert!(Value::from_json(&serde_json::json!({"text": "a", "number": "1"})).is_err());
    }
}
