//! A card of `card/save` checked against its category's info model, as the sandbox imagines
//! Megamarket does it: required attributes, value types, exact dictionary values, name length,
//! photo count, digit-only barcodes, unknown attributes.

use serde::Deserialize;
use serde_json::{Value, json};

use super::seed::{SeedAttribute, SeedKind};
use super::state::Leaf;
use crate::api::{MAX_NAME_CHARS, MAX_PHOTOS, master};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IncomingCard {
    #[serde(default)]
    pub offer_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    brand: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    manufacturer_no: Option<String>,
    #[serde(default)]
    photos: Vec<String>,
    #[serde(default)]
    package: Option<Package>,
    #[serde(default)]
    master_attributes: Vec<Values>,
    #[serde(default)]
    content_attributes: Vec<Values>,
    #[serde(default)]
    barcodes: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Package {
    weight: f64,
    height: f64,
    width: f64,
    length: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    attribute_id: u64,
    #[serde(default)]
    values: Vec<String>,
}

/// A card's attribute values once checked: masters and contents, `attributeId → values`.
pub(crate) type Accepted = (Vec<(u64, Vec<String>)>, Vec<(u64, Vec<String>)>);

/// One error of a card (`errorCards[].errors[]`).
pub(crate) fn error(code: &str, message: impl Into<String>, attribute: Option<u64>) -> Value {
    json!({ "code": code, "message": message.into(), "attributeId": attribute })
}

/// The card's master values: `masterAttributes` first, the top-level fields fill the gaps.
fn masters(card: &IncomingCard) -> Vec<(u64, Vec<String>)> {
    let mut out: Vec<(u64, Vec<String>)> = card
        .master_attributes
        .iter()
        .map(|a| (a.attribute_id, clean(&a.values)))
        .collect();
    let mut fill = |id: u64, values: Vec<String>| {
        if !out.iter().any(|(a, v)| *a == id && !v.is_empty()) && !values.is_empty() {
            out.retain(|(a, _)| *a != id);
            out.push((id, values));
        }
    };
    let one = |v: &Option<String>| clean(v.as_slice());
    fill(master::NAME, one(&card.name));
    fill(master::BRAND, one(&card.brand));
    fill(master::DESCRIPTION, one(&card.description));
    fill(master::ARTICLE, one(&card.manufacturer_no));
    fill(master::PHOTOS, clean(&card.photos));
    fill(master::BARCODE, clean(&card.barcodes));
    if let Some(p) = &card.package {
        fill(master::WEIGHT_KG, vec![p.weight.to_string()]);
        fill(master::LENGTH_CM, vec![p.length.to_string()]);
        fill(master::HEIGHT_CM, vec![p.height.to_string()]);
        fill(master::WIDTH_CM, vec![p.width.to_string()]);
    }
    out
}

fn clean(values: &[String]) -> Vec<String> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .cloned()
        .collect()
}

/// The card's values, or its errors.
pub(crate) fn check(card: &IncomingCard, leaf: &Leaf) -> Result<Accepted, Vec<Value>> {
    let masters = masters(card);
    let contents: Vec<(u64, Vec<String>)> = card
        .content_attributes
        .iter()
        .map(|a| (a.attribute_id, clean(&a.values)))
        .collect();
    let mut errors = Vec::new();
    for (given, model) in [(&masters, &leaf.masters), (&contents, &leaf.contents)] {
        for (id, _) in given.iter() {
            if !model.iter().any(|a| a.id == *id) {
                errors.push(error(
                    "ATTRIBUTE_NOT_FOUND",
                    format!("attribute {id} is not in the category's info model"),
                    Some(*id),
                ));
            }
        }
        for attribute in model.iter() {
            let values = given
                .iter()
                .find(|(id, _)| *id == attribute.id)
                .map(|(_, v)| v.as_slice())
                .unwrap_or_default();
            check_attribute(attribute, values, &mut errors);
        }
    }
    if errors.is_empty() {
        Ok((masters, contents))
    } else {
        Err(errors)
    }
}

fn check_attribute(attribute: &SeedAttribute, values: &[String], errors: &mut Vec<Value>) {
    let id = Some(attribute.id);
    let name = &attribute.name;
    if values.is_empty() {
        if attribute.required {
            errors.push(error(
                "REQUIRED_ATTRIBUTE_MISSING",
                format!("required attribute «{name}» is not filled"),
                id,
            ));
        }
        return;
    }
    if values.len() > 1 && !attribute.multiple {
        errors.push(error(
            "TOO_MANY_VALUES",
            format!("attribute «{name}» takes one value"),
            id,
        ));
    }
    match attribute.id {
        master::NAME if values[0].chars().count() > MAX_NAME_CHARS => errors.push(error(
            "NAME_TOO_LONG",
            format!("the name is longer than {MAX_NAME_CHARS} characters"),
            id,
        )),
        master::PHOTOS if values.len() > MAX_PHOTOS => errors.push(error(
            "TOO_MANY_PHOTOS",
            format!("at most {MAX_PHOTOS} photos, got {}", values.len()),
            id,
        )),
        master::BARCODE => {
            if let Some(bad) = values
                .iter()
                .find(|v| !v.bytes().all(|b| b.is_ascii_digit()))
            {
                errors.push(error(
                    "INVALID_BARCODE",
                    format!("barcode «{bad}» must be digits only"),
                    id,
                ));
            }
        }
        _ => {}
    }
    for value in values {
        let fits = match attribute.kind {
            SeedKind::String => true,
            SeedKind::Number => value.trim().replace(',', ".").parse::<f64>().is_ok(),
            SeedKind::Boolean => {
                matches!(
                    value.trim().to_lowercase().as_str(),
                    "true" | "false" | "да" | "нет"
                )
            }
            SeedKind::Enum if attribute.suggest => true,
            SeedKind::Enum => {
                // Dictionary values must match exactly (NOTES).
                let known = attribute.values.iter().any(|(_, v)| v == value);
                if !known {
                    errors.push(error(
                        "INVALID_DICTIONARY_VALUE",
                        format!("«{value}» is not a value of «{name}»"),
                        id,
                    ));
                }
                true
            }
        };
        if !fits {
            errors.push(error(
                "INVALID_ATTRIBUTE_VALUE",
                format!(
                    "«{value}» does not fit attribute «{name}» ({:?})",
                    attribute.kind
                ),
                id,
            ));
        }
    }
}
