//! The checks Ozon makes of an import item while processing it: reported per item in
//! `/v1/product/import/info` (`errors[]` with code, field, attribute and level), never as a
//! failure of the whole request.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::catalog::Catalog;
use crate::connector::wire::flex_i64;

#[derive(Deserialize)]
pub(crate) struct ImportRequestIn {
    pub items: Vec<ItemIn>,
}

/// An import item as the method reads it (required: category, type, price).
#[derive(Deserialize)]
pub(crate) struct ItemIn {
    #[serde(default)]
    pub offer_id: String,
    #[serde(default)]
    name: String,
    #[serde(deserialize_with = "flex_i64")]
    description_category_id: i64,
    #[serde(deserialize_with = "flex_i64")]
    type_id: i64,
    price: String,
    #[serde(default)]
    old_price: Option<String>,
    #[serde(default)]
    currency_code: Option<String>,
    #[serde(default)]
    vat: Option<String>,
    #[serde(default, deserialize_with = "flex_i64")]
    depth: i64,
    #[serde(default, deserialize_with = "flex_i64")]
    width: i64,
    #[serde(default, deserialize_with = "flex_i64")]
    height: i64,
    #[serde(default)]
    dimension_unit: Option<String>,
    #[serde(default, deserialize_with = "flex_i64")]
    weight: i64,
    #[serde(default)]
    weight_unit: Option<String>,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    primary_image: Option<String>,
    #[serde(default)]
    attributes: Vec<AttributeIn>,
}

#[derive(Deserialize)]
struct AttributeIn {
    #[serde(deserialize_with = "flex_i64")]
    id: i64,
    #[serde(default)]
    values: Vec<ValueIn>,
}

#[derive(Deserialize)]
struct ValueIn {
    #[serde(default, deserialize_with = "flex_i64")]
    dictionary_value_id: i64,
    #[serde(default)]
    value: String,
}

pub(crate) const VAT_RATES: [&str; 6] = ["0", "0.05", "0.07", "0.1", "0.2", "0.22"];

/// The type attribute: replaced by `type_id`, accepted and ignored.
const ATTRIBUTE_TYPE: i64 = 8229;

struct Findings(Vec<Value>);

impl Findings {
    fn push(
        &mut self,
        level: &str,
        code: &str,
        field: &str,
        attribute: Option<(i64, &str)>,
        text: String,
    ) {
        let (attribute_id, attribute_name) = attribute.unwrap_or((0, ""));
        self.0.push(json!({
            "code": code,
            "field": field,
            "attribute_id": attribute_id,
            "state": "imported",
            "level": level,
            "description": text,
            "attribute_name": attribute_name,
            "message": text,
        }));
    }

    fn error(&mut self, code: &str, field: &str, text: String) {
        self.push("error", code, field, None, text);
    }
}

fn positive_money(text: &str) -> Option<Decimal> {
    let value: Decimal = text.trim().parse().ok()?;
    (value > Decimal::ZERO && value.scale() <= 2).then_some(value)
}

/// The findings for one item and whether any of them blocks it.
pub(crate) fn check(item: &ItemIn, catalog: &Catalog) -> (Vec<Value>, bool) {
    let mut found = Findings(Vec::new());
    let offer_chars = item.offer_id.chars().count();
    if offer_chars == 0 || offer_chars > 50 {
        found.error(
            "invalid_offer_id",
            "offer_id",
            format!("offer_id must hold 1 to 50 characters, got {offer_chars}"),
        );
    }
    let name_chars = item.name.trim().chars().count();
    if name_chars == 0 {
        found.error("empty_name", "name", "name is empty".to_owned());
    } else if name_chars > 500 {
        found.error(
            "name_too_long",
            "name",
            format!("name holds {name_chars} characters, at most 500"),
        );
    }
    let price = positive_money(&item.price);
    if price.is_none() {
        found.error(
            "invalid_price",
            "price",
            format!(
                "price «{}» is not a positive amount with at most two decimals",
                item.price
            ),
        );
    }
    if let Some(old) = item
        .old_price
        .as_deref()
        .filter(|o| !o.is_empty() && o.trim() != "0")
    {
        match (positive_money(old), price) {
            (Some(old), Some(price)) if old <= price => found.error(
                "old_price_too_low",
                "old_price",
                format!("old_price {old} must be greater than price {price}"),
            ),
            (None, _) => found.error(
                "invalid_old_price",
                "old_price",
                format!("old_price «{old}» is not an amount"),
            ),
            _ => {}
        }
    }
    if let Some(currency) = item
        .currency_code
        .as_deref()
        .filter(|c| !c.is_empty() && *c != "RUB")
    {
        found.error(
            "currency_differs_from_contract",
            "currency_code",
            format!("currency {currency} differs from the contract currency RUB"),
        );
    }
    if let Some(vat) = item.vat.as_deref().filter(|v| !VAT_RATES.contains(v)) {
        found.error(
            "invalid_vat",
            "vat",
            format!("vat «{vat}» is not one of {}", VAT_RATES.join(", ")),
        );
    }
    let units_ok = matches!(item.dimension_unit.as_deref(), Some("mm" | "cm" | "in"))
        && matches!(item.weight_unit.as_deref(), Some("g" | "kg" | "lb"));
    if !units_ok || item.depth <= 0 || item.width <= 0 || item.height <= 0 || item.weight <= 0 {
        found.error(
            "missing_dimension",
            "dimensions",
            "depth, width, height and weight with their units must be given and not 0".to_owned(),
        );
    }
    let max_images = if item.primary_image.as_deref().is_some_and(|p| !p.is_empty()) {
        29
    } else {
        30
    };
    if item.images.len() > max_images {
        found.error(
            "too_many_images",
            "images",
            format!("{} images, at most {max_images}", item.images.len()),
        );
    }
    match catalog.entry(item.description_category_id, item.type_id) {
        None => found.error(
            "levels_category_not_found",
            "category",
            format!(
                "no product type {} in description category {}",
                item.type_id, item.description_category_id
            ),
        ),
        Some(entry) => check_attributes(item, entry, &mut found),
    }
    let blocking = found.0.iter().any(|e| e["level"] == "error");
    (found.0, blocking)
}

fn check_attributes(item: &ItemIn, entry: &super::catalog::TypeEntry, found: &mut Findings) {
    for given in &item.attributes {
        if given.id == ATTRIBUTE_TYPE {
            continue;
        }
        let Some(attribute) = entry.by_id.get(&given.id).map(|i| &entry.attributes[*i]) else {
            found.push(
                "warning",
                "attribute_not_found",
                "attribute",
                Some((given.id, "")),
                format!(
                    "attribute {} does not belong to this type; ignored",
                    given.id
                ),
            );
            continue;
        };
        let at = Some((attribute.id, attribute.name.as_str()));
        let values: Vec<&ValueIn> = given
            .values
            .iter()
            .filter(|v| v.dictionary_value_id != 0 || !v.value.trim().is_empty())
            .collect();
        if values.len() > 1 && !attribute.collection {
            found.push(
                "error",
                "too_many_values",
                "attribute",
                at,
                format!("«{}» takes one value, got {}", attribute.name, values.len()),
            );
        }
        for value in values {
            if let Some(dictionary) = entry.values.get(&attribute.id) {
                let known = if value.dictionary_value_id != 0 {
                    dictionary.by_id.contains_key(&value.dictionary_value_id)
                } else {
                    dictionary
                        .by_text
                        .contains_key(&value.value.trim().to_lowercase())
                };
                if !known {
                    found.push(
                        "error",
                        "dictionary_value_not_found",
                        "attribute",
                        at,
                        format!(
                            "«{}» (id {}) is not a value of «{}»",
                            value.value, value.dictionary_value_id, attribute.name
                        ),
                    );
                }
            } else if matches!(attribute.kind.as_str(), "Integer" | "Decimal")
                && value.value.trim().replace(',', ".").parse::<f64>().is_err()
            {
                found.push(
                    "error",
                    "attribute_value_is_not_number",
                    "attribute",
                    at,
                    format!("«{}» wants a number, got «{}»", attribute.name, value.value),
                );
            }
        }
    }
    for attribute in entry.attributes.iter().filter(|a| a.required) {
        let filled = item.attributes.iter().any(|given| {
            given.id == attribute.id
                && given
                    .values
                    .iter()
                    .any(|v| v.dictionary_value_id != 0 || !v.value.trim().is_empty())
        });
        if !filled {
            found.push(
                "error",
                "error_attribute_values_empty",
                "attribute",
                Some((attribute.id, attribute.name.as_str())),
                format!("required attribute «{}» is not filled", attribute.name),
            );
        }
    }
}
