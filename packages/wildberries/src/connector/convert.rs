//! Our card in WB's words: vendorCode = our offer id, title, brand, dimensions in cm and kg,
//! characteristics typed by their `charcType` (1 = string array, 4 = number), VAT as the
//! «Ставка НДС» characteristic, one size with the barcodes (and its chrtID when it exists).

use carpetti_marketplace::{Card, Problem};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Number, Value};

use super::dictionaries::subject_id;
use super::memory::KnownCard;
use super::wire::{Characteristic, Charc, Variant, WireDimensions, WireSize};

/// Longest title WB takes (`maxLength: 60` in the spec).
pub(crate) const TITLE_MAX: usize = 60;
/// Longest vendor code (`maxLength: 72`).
pub(crate) const VENDOR_CODE_MAX: usize = 72;

/// What WB would refuse outright or what cannot be expressed in its request (checked before
/// sending, so that every request fits the official schema).
pub(crate) fn problem_locally(card: &Card) -> Option<Problem> {
    let vendor_code_len = card.offer_id.chars().count();
    if vendor_code_len == 0 || vendor_code_len > VENDOR_CODE_MAX {
        return Some(Problem::new(
            "vendor_code_invalid",
            format!(
                "vendor code must have 1 to {VENDOR_CODE_MAX} characters, has {vendor_code_len}"
            ),
        ));
    }
    if subject_id(&card.category).is_none() {
        return Some(Problem::new(
            "unknown_category",
            format!("category `{}` is not a WB subject id", card.category),
        ));
    }
    let title_len = card.name.chars().count();
    if title_len > TITLE_MAX {
        return Some(Problem::new(
            "title_too_long",
            format!("WB takes titles of at most {TITLE_MAX} characters, this one has {title_len}"),
        ));
    }
    card.attributes
        .iter()
        .find(|a| a.id.trim().parse::<i64>().is_err())
        .map(|a| {
            Problem::new(
                "unknown_attribute",
                format!("`{}` is not a WB characteristic id", a.id),
            )
            .on_attribute(&a.id)
        })
}

/// A card as an upload variant (`known` = None) or an update item (with its nmID and sizes).
pub(crate) fn variant(card: &Card, charcs: &[Charc], known: Option<&KnownCard>) -> Variant {
    Variant {
        nm_id: known.map(|k| k.nm_id),
        vendor_code: card.offer_id.clone(),
        title: card.name.clone(),
        description: card.description.clone().filter(|d| !d.is_empty()),
        brand: card.vendor.clone().filter(|b| !b.is_empty()),
        dimensions: card.dimensions.map(|d| WireDimensions {
            length: centimetres(d.length_mm),
            width: centimetres(d.width_mm),
            height: centimetres(d.height_mm),
            weight_brutto: f64::from(d.weight_g) / 1000.0,
        }),
        characteristics: characteristics(card, charcs),
        sizes: sizes(card, known),
    }
}

fn centimetres(mm: u32) -> i64 {
    i64::from(mm.div_ceil(10))
}

fn characteristics(card: &Card, charcs: &[Charc]) -> Vec<Characteristic> {
    let mut out = Vec::with_capacity(card.attributes.len() + 1);
    for attribute in &card.attributes {
        let Ok(id) = attribute.id.trim().parse::<i64>() else {
            continue;
        };
        let texts: Vec<String> = attribute
            .values
            .iter()
            .map(|v| v.value.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        if texts.is_empty() {
            continue;
        }
        let numeric = charcs.iter().any(|c| c.charc_id == id && c.charc_type == 4);
        let value = match numeric.then(|| number(&texts[0])).flatten() {
            Some(number) => Value::Number(number),
            // Strings, or WB's own refusal of a value that is not a number.
            None => Value::Array(texts.into_iter().map(Value::String).collect()),
        };
        out.push(Characteristic { id, value });
    }
    if let (Some(vat), Some(charc)) = (card.vat, charcs.iter().find(|c| is_vat(&c.name)))
        && !out.iter().any(|c| c.id == charc.charc_id)
    {
        out.push(Characteristic {
            id: charc.charc_id,
            value: Value::Array(vec![Value::String(vat_text(vat))]),
        });
    }
    out
}

fn number(text: &str) -> Option<Number> {
    let value: f64 = text.replace(',', ".").parse().ok()?;
    if value.fract() == 0.0 && value.abs() < 9e15 {
        Some(Number::from(value as i64))
    } else {
        Number::from_f64(value)
    }
}

fn is_vat(name: &str) -> bool {
    name.trim().to_lowercase() == "ставка ндс"
}

/// 0.2 → "20" (WB's VAT directory: "0", "10", "20", "Без НДС" …).
pub(crate) fn vat_text(vat: Decimal) -> String {
    (vat * Decimal::from(100)).normalize().to_string()
}

/// WB prices are whole roubles.
pub(crate) fn roubles(amount: Decimal) -> i64 {
    amount
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

fn sizes(card: &Card, known: Option<&KnownCard>) -> Vec<WireSize> {
    let barcodes: Vec<String> = card
        .barcodes
        .iter()
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty())
        .collect();
    match known.filter(|k| !k.sizes.is_empty()) {
        Some(known) => {
            let mut sizes: Vec<WireSize> = known
                .sizes
                .iter()
                .map(|s| WireSize {
                    price: None,
                    ..s.clone()
                })
                .collect();
            // Barcodes can only be added: the existing ones stay.
            for barcode in barcodes {
                if !sizes[0].skus.contains(&barcode) {
                    sizes[0].skus.push(barcode);
                }
            }
            sizes
        }
        None => {
            let price = card
                .old_price
                .filter(|old| *old > card.price)
                .unwrap_or(card.price);
            vec![WireSize {
                price: Some(roubles(price)).filter(|p| *p > 0),
                skus: barcodes,
                ..WireSize::default()
            }]
        }
    }
}
