//! One `<offer>` per flavor: what is checked before anything is written, and the element order.
//!
//! Yandex Market / Megamarket: `offer @id @available @group_id @type`, then url, price, oldprice,
//! currencyId, categoryId, picture×n, name, typePrefix, vendor, model, vendorCode, description
//! (CDATA), sales_notes, country_of_origin, barcode×n, param×n, weight, dimensions, count, and for
//! Megamarket outlets. Ozon: `offer @id` with price, oldprice and outlets only.
//!
//! Choices the record leaves open:
//! - `@type` is the offer's `kind`; when that is `None`, the offer has no `name` and has a
//!   `model`, it is `vendor.model` (the only way Yandex reads such an offer);
//! - empty texts are left out (Megamarket refuses empty required elements);
//! - a `|` in a picture URL is written `%7C` (the same URL; readers split pictures on `|`);
//! - negative stock is written as 0 (no marketplace takes negative stock).

use crate::model::{Offer, Outlet};

use super::{Flavor, escape, number};

const TYPE_VENDOR_MODEL: &str = "vendor.model";

/// Why `offer` cannot be written in `flavor`, or `Ok`.
pub(super) fn check(
    flavor: Flavor,
    offer: &Offer,
    default_warehouse: Option<&str>,
) -> Result<(), String> {
    if offer.id.trim().is_empty() {
        return Err("the offer has no id".to_owned());
    }
    for (what, value) in [("price", offer.price), ("oldprice", offer.old_price)] {
        if value.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
            return Err(format!("{what} is negative"));
        }
    }
    match flavor {
        Flavor::YandexMarket | Flavor::Megamarket => {
            if present(&offer.name).is_none() && present(&offer.model).is_none() {
                return Err("the offer has neither a name nor a model".to_owned());
            }
            if offer
                .weight_kg
                .is_some_and(|w| w.is_sign_negative() && !w.is_zero())
            {
                return Err("weight is negative".to_owned());
            }
            if let Some(d) = offer.dimensions {
                let sides = [d.length_cm, d.width_cm, d.height_cm];
                if sides.iter().any(|s| s.is_sign_negative() && !s.is_zero()) {
                    return Err("a dimension is negative".to_owned());
                }
            }
            if flavor == Flavor::Megamarket
                && offer.outlets.iter().any(|o| present(&o.id).is_none())
            {
                return Err("an outlet has no id (Megamarket's warehouse id)".to_owned());
            }
        }
        Flavor::OzonPriceStock => {
            if offer
                .outlets
                .iter()
                .any(|o| present(&o.warehouse_name).is_none())
            {
                return Err("an outlet has no warehouse_name (Ozon's warehouse)".to_owned());
            }
            let has_stock =
                !offer.outlets.is_empty() || (offer.stock.is_some() && default_warehouse.is_some());
            if offer.price.is_none() && !has_stock {
                return Err("neither a price nor stock with a warehouse to update".to_owned());
            }
        }
    }
    Ok(())
}

/// Appends `offer` in `flavor`; [`check`] has passed.
pub(super) fn write(
    buf: &mut Vec<u8>,
    flavor: Flavor,
    offer: &Offer,
    default_warehouse: Option<&str>,
) {
    const IN: &str = "";
    buf.extend_from_slice(b"<offer id=\"");
    escape::attribute(buf, &offer.id);
    buf.push(b'"');
    if flavor == Flavor::OzonPriceStock {
        buf.extend_from_slice(b">\n");
        decimal_element(buf, "price", offer.price);
        decimal_element(buf, "oldprice", offer.old_price);
        outlets(buf, flavor, offer, default_warehouse);
        buf.extend_from_slice(b"</offer>\n");
        return;
    }
    if let Some(available) = offer.available {
        buf.extend_from_slice(if available {
            b" available=\"true\""
        } else {
            b" available=\"false\""
        });
    }
    if let Some(group) = present(&offer.group_id) {
        buf.extend_from_slice(b" group_id=\"");
        escape::attribute(buf, group);
        buf.push(b'"');
    }
    let kind = present(&offer.kind).or_else(|| {
        (present(&offer.name).is_none() && present(&offer.model).is_some())
            .then_some(TYPE_VENDOR_MODEL)
    });
    if let Some(kind) = kind {
        buf.extend_from_slice(b" type=\"");
        escape::attribute(buf, kind);
        buf.push(b'"');
    }
    buf.extend_from_slice(b">\n");

    element(buf, IN, "url", present(&offer.url));
    decimal_element(buf, "price", offer.price);
    decimal_element(buf, "oldprice", offer.old_price);
    element(buf, IN, "currencyId", present(&offer.currency_id));
    element(buf, IN, "categoryId", present(&offer.category_id));
    for picture in offer.pictures.iter().filter(|p| !p.is_empty()) {
        if picture.contains('|') {
            element(buf, IN, "picture", Some(&picture.replace('|', "%7C")));
        } else {
            element(buf, IN, "picture", Some(picture));
        }
    }
    element(buf, IN, "name", present(&offer.name));
    element(buf, IN, "typePrefix", present(&offer.type_prefix));
    element(buf, IN, "vendor", present(&offer.vendor));
    element(buf, IN, "model", present(&offer.model));
    element(buf, IN, "vendorCode", present(&offer.vendor_code));
    if let Some(description) = present(&offer.description) {
        buf.extend_from_slice(b"<description>");
        escape::cdata(buf, description);
        buf.extend_from_slice(b"</description>\n");
    }
    element(buf, IN, "sales_notes", present(&offer.sales_notes));
    element(
        buf,
        IN,
        "country_of_origin",
        present(&offer.country_of_origin),
    );
    for barcode in offer.barcodes.iter().filter(|b| !b.is_empty()) {
        element(buf, IN, "barcode", Some(barcode));
    }
    for param in &offer.params {
        buf.extend_from_slice(b"<param name=\"");
        escape::attribute(buf, &param.name);
        buf.push(b'"');
        if let Some(unit) = present(&param.unit) {
            buf.extend_from_slice(b" unit=\"");
            escape::attribute(buf, unit);
            buf.push(b'"');
        }
        buf.push(b'>');
        escape::text(buf, &param.value);
        buf.extend_from_slice(b"</param>\n");
    }
    decimal_element(buf, "weight", offer.weight_kg);
    if let Some(d) = offer.dimensions {
        buf.extend_from_slice(b"<dimensions>");
        number::decimal(buf, d.length_cm);
        buf.push(b'/');
        number::decimal(buf, d.width_cm);
        buf.push(b'/');
        number::decimal(buf, d.height_cm);
        buf.extend_from_slice(b"</dimensions>\n");
    }
    if let Some(stock) = offer.stock {
        buf.extend_from_slice(b"<count>");
        number::integer(buf, stock.max(0));
        buf.extend_from_slice(b"</count>\n");
    }
    if flavor == Flavor::Megamarket {
        outlets(buf, flavor, offer, default_warehouse);
    }
    buf.extend_from_slice(b"</offer>\n");
}

/// `<outlets>` for Megamarket (`@id @instock`) or Ozon (`@instock @warehouse_name`): the offer's
/// outlets, or one at `default_warehouse` holding `stock` when it has none.
fn outlets(buf: &mut Vec<u8>, flavor: Flavor, offer: &Offer, default_warehouse: Option<&str>) {
    let fallback;
    let outlets: &[Outlet] = match (offer.outlets.is_empty(), offer.stock, default_warehouse) {
        (false, _, _) => &offer.outlets,
        (true, Some(stock), Some(warehouse)) => {
            fallback = [Outlet {
                id: Some(warehouse.to_owned()),
                warehouse_name: Some(warehouse.to_owned()),
                instock: stock,
            }];
            &fallback
        }
        (true, _, _) => return,
    };
    buf.extend_from_slice(b"<outlets>\n");
    for outlet in outlets {
        buf.extend_from_slice(b"<outlet");
        if flavor == Flavor::Megamarket
            && let Some(id) = present(&outlet.id)
        {
            buf.extend_from_slice(b" id=\"");
            escape::attribute(buf, id);
            buf.push(b'"');
        }
        buf.extend_from_slice(b" instock=\"");
        number::integer(buf, outlet.instock.max(0));
        buf.push(b'"');
        if flavor == Flavor::OzonPriceStock
            && let Some(name) = present(&outlet.warehouse_name)
        {
            buf.extend_from_slice(b" warehouse_name=\"");
            escape::attribute(buf, name);
            buf.push(b'"');
        }
        buf.extend_from_slice(b"/>\n");
    }
    buf.extend_from_slice(b"</outlets>\n");
}

/// `Some(text)` when the option holds a non-empty string.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// `{indent}<tag>text</tag>\n`, or nothing for `None` / an empty text.
pub(super) fn element(buf: &mut Vec<u8>, indent: &str, tag: &str, value: Option<&str>) {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return;
    };
    buf.extend_from_slice(indent.as_bytes());
    buf.push(b'<');
    buf.extend_from_slice(tag.as_bytes());
    buf.push(b'>');
    escape::text(buf, value);
    buf.extend_from_slice(b"</");
    buf.extend_from_slice(tag.as_bytes());
    buf.extend_from_slice(b">\n");
}

fn decimal_element(buf: &mut Vec<u8>, tag: &str, value: Option<rust_decimal::Decimal>) {
    let Some(value) = value else {
        return;
    };
    buf.push(b'<');
    buf.extend_from_slice(tag.as_bytes());
    buf.push(b'>');
    number::decimal(buf, value);
    buf.extend_from_slice(b"</");
    buf.extend_from_slice(tag.as_bytes());
    buf.extend_from_slice(b">\n");
}
