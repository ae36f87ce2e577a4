//! The `<shop>` header outside the offers: which element feeds which field of [`Shop`]
//! (`yml_catalog/@date` is read with the root). Currencies are complete at their start tag;
//! shop fields and category names when their text ends. Elements the header does not use
//! (delivery options, promos, gifts…) are skipped.

use quick_xml::events::BytesStart;

use crate::read::text::{for_each_attribute, forbidden_char, parse_decimal};
use crate::{Category, Currency, Shop};

#[derive(Debug, Clone, Copy)]
pub(crate) enum ShopField {
    Name,
    Company,
    Url,
    Platform,
    Email,
}

/// Where a header element's text goes.
pub(crate) enum HeaderTarget {
    Shop(ShopField),
    Category {
        id: String,
        parent_id: Option<String>,
    },
}

/// An element starts in the header, below `parent`: its text target, if it has one. An error is
/// a message about malformed attributes.
pub(crate) fn start(
    shop: &mut Shop,
    parent: Option<&str>,
    e: &BytesStart<'_>,
) -> Result<Option<HeaderTarget>, String> {
    let field = match (parent, e.name().into_inner()) {
        (Some("currencies"), "currency") => {
            let (mut id, mut rate) = (String::new(), String::new());
            for_each_attribute(e, true, |key, value| match key {
                "id" => id = value.to_owned(),
                "rate" => rate = value.to_owned(),
                _ => {}
            })?;
            if !id.is_empty() {
                let numeric = parse_decimal(&rate);
                let rate_source = (numeric.is_none() && !rate.is_empty()).then_some(rate);
                shop.currencies.push(Currency {
                    id,
                    rate: numeric,
                    rate_source,
                });
            }
            return Ok(None);
        }
        (Some("categories"), "category") => {
            let (mut id, mut parent_id) = (String::new(), None);
            for_each_attribute(e, true, |key, value| match key {
                "id" => id = value.to_owned(),
                "parentId" if !value.is_empty() => parent_id = Some(value.to_owned()),
                _ => {}
            })?;
            // A category without an id cannot be referred to: it is left out.
            return Ok((!id.is_empty()).then_some(HeaderTarget::Category { id, parent_id }));
        }
        (Some("shop"), "name") => ShopField::Name,
        (Some("shop"), "company") => ShopField::Company,
        (Some("shop"), "url") => ShopField::Url,
        (Some("shop"), "platform") => ShopField::Platform,
        (Some("shop"), "email") => ShopField::Email,
        _ => return Ok(None),
    };
    Ok(Some(HeaderTarget::Shop(field)))
}

/// A header element's complete text (trimmed, references resolved).
pub(crate) fn finish(shop: &mut Shop, target: HeaderTarget, text: &str) -> Result<(), String> {
    if let Some(c) = forbidden_char(text) {
        return Err(format!("the forbidden character {c:?} in the shop header"));
    }
    let value = (!text.is_empty()).then(|| text.to_owned());
    match target {
        HeaderTarget::Shop(ShopField::Name) => shop.name = value,
        HeaderTarget::Shop(ShopField::Company) => shop.company = value,
        HeaderTarget::Shop(ShopField::Url) => shop.url = value,
        HeaderTarget::Shop(ShopField::Platform) => shop.platform = value,
        HeaderTarget::Shop(ShopField::Email) => shop.email = value,
        HeaderTarget::Category { id, parent_id } => {
            shop.categories.push(Category {
                id,
                parent_id,
                name: value.unwrap_or_default(),
            });
        }
    }
    Ok(())
}
