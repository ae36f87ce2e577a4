//! A product of our catalog as one marketplace's card: the channel's category and attribute
//! mappings applied, and the content hash that makes publishing the same content twice send
//! nothing.

use std::str::FromStr;

use carpetti_marketplace::{AttributeValue, Card, CardAttribute, Dimensions, Problem};
use carpetti_proto::catalog::v1 as cat;
use carpetti_util::ContentHash;
use rust_decimal::Decimal;

use crate::channel::ChannelContext;

/// The card of `product` on the channel, or what keeps it from being one.
pub fn card_of(product: &cat::Product, ctx: &ChannelContext) -> Result<Card, Vec<Problem>> {
    let mut problems = Vec::new();
    let category = product
        .category_id
        .as_ref()
        .and_then(|id| ctx.categories.get(id));
    let category = match category {
        Some(category) => category.clone(),
        None => {
            problems.push(Problem::new(
                "unmapped_category",
                match product.category_code.as_str() {
                    "" => "the product has no category".to_owned(),
                    code => format!(
                        "category {code} is not mapped to a {} category",
                        ctx.marketplace
                    ),
                },
            ));
            String::new()
        }
    };
    let price = Decimal::from_str(product.price.trim()).unwrap_or_default();
    if price <= Decimal::ZERO {
        problems.push(Problem::new("no_price", "the product has no price"));
    }
    let old_price = product
        .old_price
        .as_deref()
        .and_then(|p| Decimal::from_str(p.trim()).ok())
        .filter(|old| *old > price);
    let mut attributes: Vec<CardAttribute> = Vec::new();
    for value in &product.values {
        let Some(mapping) = ctx.attributes.get(&value.attribute_code) else {
            continue;
        };
        let values = attribute_values(value, &mapping.values);
        if !values.is_empty() {
            push_values(&mut attributes, &mapping.external_id, values);
        }
    }
    let fields: [(&str, Option<&str>); 4] = [
        ("name", Some(product.name.as_str())),
        ("vendor", product.vendor.as_deref()),
        ("vendor_code", product.vendor_code.as_deref()),
        ("description", product.description.as_deref()),
    ];
    for (field, value) in fields {
        if let (Some(id), Some(value)) = (ctx.field_attributes.get(field), value)
            && !value.trim().is_empty()
            && attributes.iter().all(|a| &a.id != id)
        {
            push_values(
                &mut attributes,
                id,
                vec![AttributeValue::text(value.trim())],
            );
        }
    }
    for (id, value) in &ctx.attribute_defaults {
        if attributes.iter().all(|a| &a.id != id) {
            push_values(
                &mut attributes,
                id,
                vec![AttributeValue::text(value.clone())],
            );
        }
    }
    attributes.sort_by(|a, b| a.id.cmp(&b.id));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Card {
        offer_id: product.sku.clone(),
        name: product.name.trim().to_owned(),
        vendor: product.vendor.clone().filter(|v| !v.trim().is_empty()),
        vendor_code: product.vendor_code.clone().filter(|v| !v.trim().is_empty()),
        description: product.description.clone().filter(|v| !v.trim().is_empty()),
        barcodes: product.barcodes.clone(),
        pictures: product.pictures.clone(),
        price,
        old_price,
        vat: vat(product.vat()),
        dimensions: dimensions(product),
        category,
        attributes,
        group_id: None,
    })
}

fn push_values(attributes: &mut Vec<CardAttribute>, id: &str, values: Vec<AttributeValue>) {
    match attributes.iter_mut().find(|a| a.id == id) {
        Some(existing) => existing.values.extend(values),
        None => attributes.push(CardAttribute {
            id: id.to_owned(),
            values,
        }),
    }
}

fn attribute_values(
    value: &cat::AttributeValue,
    options: &std::collections::HashMap<String, String>,
) -> Vec<AttributeValue> {
    use cat::attribute_value::Value;
    match &value.value {
        Some(Value::Text(text)) if !text.trim().is_empty() => {
            vec![AttributeValue::text(text.trim())]
        }
        Some(Value::Number(number)) if !number.trim().is_empty() => {
            vec![AttributeValue::text(number.trim())]
        }
        Some(Value::Boolean(flag)) => vec![AttributeValue::text(flag.to_string())],
        Some(Value::Options(codes)) => codes
            .codes
            .iter()
            .map(|code| {
                AttributeValue::text(options.get(code).cloned().unwrap_or_else(|| code.clone()))
            })
            .collect(),
        Some(Value::Measure(measure)) if !measure.amount.trim().is_empty() => {
            vec![AttributeValue::text(measure.amount.trim())]
        }
        _ => Vec::new(),
    }
}

fn vat(vat: cat::Vat) -> Option<Decimal> {
    let percent = match vat {
        cat::Vat::None | cat::Vat::Vat0 => 0,
        cat::Vat::Vat5 => 5,
        cat::Vat::Vat7 => 7,
        cat::Vat::Vat10 => 10,
        cat::Vat::Vat20 => 20,
        cat::Vat::Vat22 => 22,
        cat::Vat::Unspecified => return None,
    };
    Some(Decimal::new(percent, 2))
}

fn dimensions(product: &cat::Product) -> Option<Dimensions> {
    let d = product.dimensions.as_ref()?;
    let positive = |v: Option<i32>| v.and_then(|v| u32::try_from(v).ok()).filter(|v| *v > 0);
    Some(Dimensions {
        length_mm: positive(d.length_mm)?,
        width_mm: positive(d.width_mm)?,
        height_mm: positive(d.height_mm)?,
        weight_g: positive(product.weight_g)?,
    })
}

/// The hash of the card's content: the same card twice is the same hash. Prices are left out —
/// they travel by the marketplaces' price methods, so a new price re-sends no card.
pub fn content_hash(card: &Card) -> String {
    let mut content = card.clone();
    content.price = Decimal::ZERO;
    content.old_price = None;
    let encoded = serde_json::to_vec(&content).unwrap_or_default();
    ContentHash::of_parts([encoded.as_slice()])
        .as_str()
        .to_owned()
}
