//! Normalization: one feed [`Offer`] in, one supplier item ([`pb::SupplierItem`], `supplier_id`
//! left empty) out, with the [`Note`]s of what was changed or dropped — or a [`Rejection`] saying
//! why the offer cannot be imported. Pure, synchronous and allocation-light: the [`Normalizer`] is
//! built once per import (currency rates, category paths and the picture base resolved there),
//! then called once per offer.
//!
//! # Rules, and the edge cases decided
//!
//! - **offer_id**: trimmed; empty, longer than 256 characters or with control characters →
//!   rejected (`offer_id`), as persist would refuse it.
//! - **name**: `name` / `title`, else `typePrefix vendor model`; control characters and
//!   whitespace runs become one space; nothing left → rejected (`name`, "missing").
//! - **price / old price**, in RUB, rounded to kopecks (midpoint away from zero), written without
//!   trailing zeros ("1234.5"), `currency` always "RUB":
//!   - currency ids are trimmed, any case; `RUR`, `руб.`, `р.`, `₽` mean RUB; an offer without
//!     `currencyId` is in the feed's base currency (rate 1), else RUB;
//!   - rate (rubles per unit): `settings.currency_rates` first, else the feed's numeric rate. The
//!     feed's rates are relative to its base; when RUB is listed, rubles per unit = rate / RUB's
//!     rate (so a KZT-based feed listing RUB converts); with no RUB and no currency at rate 1 the
//!     rates are taken as rubles per unit; a non-RUB base without a RUB rate makes the feed's rates
//!     unusable (said once in [`Normalizer::header_notes`]). Text rates (`CBRF`…), zero or negative
//!     rates are never used. No rate → rejected (`currency`, "unknown currency KZT: no rate in the
//!     feed or the settings");
//!   - price missing → the old price with a note, else rejected (`price`, "missing"); 0 → rejected
//!     ("price is 0"); negative → rejected; 0 after rounding (0.004 RUB) or more than 14 integer
//!     digits → rejected;
//!   - an old price not above the price after rounding (equal, lower, 0, negative) → dropped with a
//!     note.
//! - **stock**: the offer's count / quantity / outlet sum; negative → 0 with a note; none →
//!   unknown.
//!   **available**: as sent, `true` when absent (stock 0 does not change it).
//! - **category_name**: "Root/Child/Leaf" from the feed's tree (first category per id wins, names
//!   cleaned like the name, an empty name replaced by the id); a missing parent ends the path, a
//!   cycle is cut before it repeats, at most 32 levels (the leaf side) are kept. A name holding `/`
//!   is kept as sent. An id not in the tree → the id itself, with a note; no id → none.
//! - **params**: names and values cleaned; a param without a name → dropped with a note; without a
//!   value → dropped silently. A clean number ("1.5", or "1,5" with a decimal comma; no sign, range or text) with a unit
//!   of mass (г, гр, g, кг, kg, мг, mg, т, t → "г"), length (мм, mm, см, cm, дм, м, m, км → "мм"),
//!   power (Вт, W, кВт, kW, МВт/MW mega, мВт/mW milli → "Вт") or volume (мл, ml, л, l → "мл") is
//!   converted and written without trailing zeros. Units match in any case (but the М/м of power),
//!   with or without a trailing dot; the unit may also sit in the name ("Вес, кг", "Вес (кг)"),
//!   which is then cut from the name when the value converts. Anything else is kept as sent, unit
//!   untouched. Repeated names are kept (multi-value), order too.
//! - **weight_g** from kg, **dimensions** from "L/W/H" cm to mm: rounded, a positive measure is at
//!   least 1; zero, negative or out-of-range ones dropped with a note (each side on its own).
//! - **pictures**: absolute (relative ones against
//!   `settings.picture_base_url`, else the shop url, taken as a directory; `//x` → `https://x`;
//!   `www.x/…` → `https://www.x/…`), http(s) only, one canonical form (WHATWG serialization: IDN
//!   host in punycode, spaces / Cyrillic in path and query percent-encoded, escapes upper-cased,
//!   fragment removed), de-duplicated in order; bad ones dropped with a note.
//! - **barcodes**: split on `,` `;` whitespace; digits only, 8 / 12 / 13 / 14 long, check digit
//!   verified, not all zeros; bad ones dropped with a note ("barcode 4601234567891: bad check
//!   digit"); the same GTIN twice (also UPC-A vs its 0-prefixed EAN-13) kept once, as first sent.
//! - **pack_quantity**: with `settings.pack_param`, the first param of that name (any case, a unit
//!   in the name allowed) whose value is a positive whole number, optionally followed by a word
//!   ("10", "10 шт", "6шт.") → N; otherwise 1, with a note when the param was there but unusable.
//! - **vendor, vendor_code, group_id, url**: cleaned like the name, empty → none (the offer's
//!   `url` is not checked). **description**: trimmed, HTML and line breaks kept, control
//!   characters (but tab, CR, LF) removed.
//!
//! Notes quote the supplier's text cut to 80 characters (a base64 `data:` picture must not blow up
//! an import report).

mod barcodes;
mod category;
mod measures;
mod params;
mod pictures;
mod price;
mod text;

use std::fmt;

use carpetti_proto::catalog::v1 as pb;
use carpetti_util::OfferId;
use carpetti_yml::{Offer, Shop};

use crate::settings::SupplierSettings;
use category::CategoryPaths;
use pictures::Pictures;
use price::Rates;
use text::{clean_description, clean_line, clean_opt_line};

/// Something changed or dropped while normalizing; the item is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The supplier item field concerned (`price`, `pictures`, `barcodes`…).
    pub field: &'static str,
    /// What happened, for people.
    pub message: String,
}

impl Note {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why an offer is not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Rejection {
    /// The field at fault (`name`, `price`, `currency`, `offer_id`).
    pub field: &'static str,
    /// Why, for people.
    pub reason: String,
}

impl Rejection {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// A normalized offer: the supplier item (its `supplier_id` left empty for the importer) and
/// the notes about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub item: pb::SupplierItem,
    pub notes: Vec<Note>,
}

/// Normalizes the offers of one import (see the module docs for the rules).
#[derive(Debug, Clone)]
pub struct Normalizer {
    rates: Rates,
    categories: CategoryPaths,
    pictures: Pictures,
    pack_param: Option<String>,
    header_notes: Vec<Note>,
}

impl Normalizer {
    /// Built once per import: the supplier's settings and the feed's header (currencies with
    /// rates, the category tree resolved to paths once, the shop url for relative pictures).
    pub fn new(settings: &SupplierSettings, shop: &Shop) -> Self {
        let mut header_notes = Vec::new();
        let rates = Rates::new(
            &settings.currency_rates,
            &shop.currencies,
            &mut header_notes,
        );
        let pictures = Pictures::new(
            settings.picture_base_url.as_deref(),
            shop.url.as_deref(),
            &mut header_notes,
        );
        Self {
            rates,
            categories: CategoryPaths::new(&shop.categories),
            pictures,
            pack_param: settings.pack_param.as_deref().and_then(clean_line),
            header_notes,
        }
    }

    /// What in the settings or the feed's header could not be used (a rate that is not positive,
    /// a foreign base currency without a ruble rate, a picture base that is not an http(s) URL…);
    /// reported once per import rather than per offer.
    pub fn header_notes(&self) -> &[Note] {
        &self.header_notes
    }

    /// Normalizes one offer into a supplier item, or says why it cannot be imported.
    pub fn normalize(&self, offer: &Offer) -> Result<Normalized, Rejection> {
        let offer_id = OfferId::parse(&offer.id)
            .map_err(|e| Rejection::new("offer_id", e.to_string()))?
            .into_inner();
        let name = offer
            .name
            .as_deref()
            .and_then(clean_line)
            .or_else(|| offer.display_name().as_deref().and_then(clean_line))
            .ok_or_else(|| Rejection::new("name", "missing (no name, title or vendor.model)"))?;
        let mut notes = Vec::new();
        let prices = self.rates.prices(offer, &mut notes)?;
        let stock = offer.stock.map(|stock| {
            if stock < 0 {
                notes.push(Note::new(
                    "stock",
                    format!("stock {stock} is negative: 0 used"),
                ));
                0
            } else {
                stock
            }
        });
        let category_name = offer
            .category_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| match self.categories.path(id) {
                Some(path) => path.to_owned(),
                None => {
                    let message =
                        format!("unknown category id {}: the id is used", text::excerpt(id));
                    notes.push(Note::new("category_name", message));
                    id.to_owned()
                }
            });
        let item = pb::SupplierItem {
            offer_id,
            name,
            vendor: clean_opt_line(offer.vendor.as_deref()),
            vendor_code: clean_opt_line(offer.vendor_code.as_deref()),
            barcodes: barcodes::normalize_barcodes(&offer.barcodes, &mut notes),
            description: clean_description(offer.description.as_deref()),
            category_name,
            url: clean_opt_line(offer.url.as_deref()),
            pictures: self.pictures.normalize(&offer.pictures, &mut notes),
            price: prices.price,
            old_price: prices.old_price,
            currency: "RUB".to_owned(),
            stock,
            available: offer.available.unwrap_or(true),
            pack_quantity: params::pack_quantity(
                &offer.params,
                self.pack_param.as_deref(),
                &mut notes,
            ),
            group_id: clean_opt_line(offer.group_id.as_deref()),
            params: params::convert_params(&offer.params, &mut notes),
            weight_g: measures::weight_g(offer.weight_kg, &mut notes),
            dimensions: measures::dimensions_mm(offer.dimensions.as_ref(), &mut notes),
            ..pb::SupplierItem::default()
        };
        Ok(Normalized { item, notes })
    }
}
