//! Offer fields from tabular and JSON records: the header → field mapping of
//! [`ColumnMapping`] (defaults, case-insensitive; param columns with a unit in the header), and
//! the tolerant value parsers every non-YML format shares (decimal commas, thousands spaces,
//! yes/no words, lists of barcodes and pictures).

use std::str::FromStr;

use carpetti_yml::{Item, Offer, OfferError, Param, Position};
use rust_decimal::Decimal;

use crate::settings::ColumnMapping;

/// An offer field a column (or JSON key) feeds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field {
    Id,
    Name,
    Vendor,
    VendorCode,
    Price,
    OldPrice,
    Currency,
    Category,
    Stock,
    Available,
    Barcode,
    Picture,
    Description,
    Url,
    GroupId,
    Weight,
    Param { name: String, unit: Option<String> },
}

/// The plain fields with their configured (or default) column names, in mapping order.
pub(crate) fn named_fields(mapping: &ColumnMapping) -> Vec<(Field, String)> {
    let pick = |value: &Option<String>, default: &str| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(default)
            .to_owned()
    };
    vec![
        (Field::Id, pick(&mapping.id, "id")),
        (Field::Name, pick(&mapping.name, "name")),
        (Field::Vendor, pick(&mapping.vendor, "vendor")),
        (Field::VendorCode, pick(&mapping.vendor_code, "vendor_code")),
        (Field::Price, pick(&mapping.price, "price")),
        (Field::OldPrice, pick(&mapping.old_price, "old_price")),
        (Field::Currency, pick(&mapping.currency, "currency")),
        (Field::Category, pick(&mapping.category, "category")),
        (Field::Stock, pick(&mapping.stock, "stock")),
        (Field::Available, pick(&mapping.available, "available")),
        (Field::Barcode, pick(&mapping.barcode, "barcode")),
        (Field::Picture, pick(&mapping.picture, "picture")),
        (
            Field::Description,
            pick(&mapping.description, "description"),
        ),
        (Field::Url, pick(&mapping.url, "url")),
        (Field::GroupId, pick(&mapping.group_id, "group_id")),
        (Field::Weight, pick(&mapping.weight, "weight")),
    ]
}

/// Which field each column of a header row feeds.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    fields: Vec<Option<Field>>,
}

impl Columns {
    /// Maps a header row; an offer id column is required.
    pub fn from_header(header: &[String], mapping: &ColumnMapping) -> Result<Self, String> {
        let normalized: Vec<String> = header.iter().map(|h| normalize_name(h)).collect();
        let mut fields: Vec<Option<Field>> = vec![None; header.len()];
        for (field, name) in named_fields(mapping) {
            let wanted = normalize_name(&name);
            if let Some(i) = normalized.iter().position(|h| *h == wanted) {
                fields[i].get_or_insert(field);
            }
        }
        for (column, param) in &mapping.params {
            let wanted = normalize_name(column);
            let found = normalized.iter().position(|h| *h == wanted).or_else(|| {
                header
                    .iter()
                    .position(|h| normalize_name(&split_unit(h).0) == wanted)
            });
            let Some(i) = found else {
                continue; // an optional column this file does not have
            };
            let (header_name, header_unit) = split_unit(&header[i]);
            let (name, unit) = match param.trim() {
                "" => (header_name, header_unit),
                given => {
                    let (name, unit) = split_unit(given);
                    (name, unit.or(header_unit))
                }
            };
            fields[i] = Some(Field::Param { name, unit });
        }
        if !fields.contains(&Some(Field::Id)) {
            let wanted = named_fields(mapping)
                .into_iter()
                .find(|(f, _)| *f == Field::Id)
                .map(|(_, n)| n)
                .unwrap_or_default();
            return Err(format!(
                "no offer id column: expected a header {wanted:?} (set columns.id to map another); \
                 the header has {header:?}"
            ));
        }
        Ok(Self { fields })
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// One row as an offer (its cells in header order), or the reason it is rejected.
    pub fn offer<S: AsRef<str>>(&self, cells: &[S], position: Position) -> Item {
        let mut builder = OfferBuilder::new(position);
        for (field, cell) in self.fields.iter().zip(cells) {
            if let Some(field) = field {
                builder.set(field, cell.as_ref());
            }
        }
        builder.finish()
    }
}

/// Collects an offer field by field; the first bad value decides the rejection reason.
pub(crate) struct OfferBuilder {
    offer: Offer,
    error: Option<String>,
}

impl OfferBuilder {
    pub fn new(position: Position) -> Self {
        Self {
            offer: Offer {
                position,
                ..Offer::default()
            },
            error: None,
        }
    }

    /// Sets one field from its text (lists split, numbers parsed).
    pub fn set(&mut self, field: &Field, raw: &str) {
        let value = raw.trim();
        if value.is_empty() {
            return;
        }
        let text = || Some(value.to_owned());
        let number = |what: &str| {
            parse_decimal(value).ok_or_else(|| format!("bad {what} {value:?}: not a number"))
        };
        let mut error = None;
        let o = &mut self.offer;
        match field {
            Field::Id => o.id = value.to_owned(),
            Field::Name => o.name = text(),
            Field::Vendor => o.vendor = text(),
            Field::VendorCode => o.vendor_code = text(),
            Field::Currency => o.currency_id = text(),
            Field::Category => o.category_id = text(),
            Field::Description => o.description = text(),
            Field::Url => o.url = text(),
            Field::GroupId => o.group_id = text(),
            Field::Price => o.price = keep(number("price"), &mut error),
            Field::OldPrice => o.old_price = keep(number("old price"), &mut error),
            Field::Weight => o.weight_kg = keep(number("weight"), &mut error),
            Field::Stock => {
                let whole = parse_decimal(value)
                    .filter(|d| d.fract().is_zero())
                    .and_then(|d| i64::try_from(d).ok())
                    .ok_or_else(|| format!("bad stock {value:?}: not a whole number"));
                o.stock = keep(whole, &mut error);
            }
            Field::Available => {
                let flag = parse_bool(value)
                    .ok_or_else(|| format!("bad available {value:?}: expected yes/no"));
                o.available = keep(flag, &mut error);
            }
            Field::Barcode => o.barcodes.extend(split_list(value, &[',', ';'])),
            Field::Picture => o.pictures.extend(split_list(value, &['|', ','])),
            Field::Param { name, unit } => o.params.push(Param {
                name: name.clone(),
                unit: unit.clone(),
                value: value.to_owned(),
            }),
        }
        if let Some(reason) = error {
            self.fail(reason);
        }
    }

    pub fn push_param(&mut self, param: Param) {
        self.offer.params.push(param);
    }

    pub fn fail(&mut self, reason: String) {
        self.error.get_or_insert(reason);
    }

    /// The offer, or a rejection when it has no id or a bad value.
    pub fn finish(self) -> Item {
        let Self { offer, error } = self;
        let id = Some(offer.id.clone()).filter(|id| !id.is_empty());
        match (id, error) {
            (None, _) => rejected(None, offer.position, "no offer id".into()),
            (Some(id), Some(reason)) => rejected(Some(id), offer.position, reason),
            (Some(_), None) => Item::Offer(offer),
        }
    }
}

/// The value, or `None` with the reason noted.
fn keep<T>(result: Result<T, String>, error: &mut Option<String>) -> Option<T> {
    result.map_err(|reason| *error = Some(reason)).ok()
}

/// A rejected record.
pub(crate) fn rejected(offer_id: Option<String>, position: Position, reason: String) -> Item {
    Item::Rejected(OfferError {
        offer_id,
        position,
        reason,
    })
}

/// A header or JSON key compared with the mapping: trimmed, lower-case, inner whitespace as one.
pub(crate) fn normalize_name(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// "Мощность, Вт" / "Мощность (Вт)" / "Мощность [Вт]" → ("Мощность", Some("Вт")).
pub(crate) fn split_unit(header: &str) -> (String, Option<String>) {
    let header = header.trim();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(inner) = header.strip_suffix(close)
            && let Some(at) = inner.rfind(open)
        {
            let (name, unit) = (inner[..at].trim(), inner[at + 1..].trim());
            if !name.is_empty() && !unit.is_empty() {
                return (name.to_owned(), Some(unit.to_owned()));
            }
        }
    }
    if let Some((name, unit)) = header.rsplit_once(',') {
        let (name, unit) = (name.trim(), unit.trim());
        if !name.is_empty() && !unit.is_empty() {
            return (name.to_owned(), Some(unit.to_owned()));
        }
    }
    (header.to_owned(), None)
}

/// A number as suppliers write it: "1 234,50", "1234.5", "1,234.50", "1.234,50", "+5", "1e3".
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '_'))
        .collect();
    let cleaned = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    if cleaned.is_empty() {
        return None;
    }
    let (commas, dots) = (cleaned.matches(',').count(), cleaned.matches('.').count());
    let normal = match (commas, dots) {
        (0, 0) | (0, 1) => cleaned.to_owned(),
        (1, 0) => cleaned.replace(',', "."),
        (_, 0) => cleaned.replace(',', ""),
        (0, _) => cleaned.replace('.', ""),
        _ => {
            // Both: the last one is the decimal point.
            let (last_comma, last_dot) = (cleaned.rfind(',')?, cleaned.rfind('.')?);
            if last_comma > last_dot {
                cleaned.replace('.', "").replace(',', ".")
            } else {
                cleaned.replace(',', "")
            }
        }
    };
    if normal.contains(['e', 'E']) {
        return Decimal::from_scientific(&normal).ok();
    }
    Decimal::from_str(&normal).ok()
}

/// Yes / no as suppliers write it.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "+" | "да" | "есть" | "в наличии" => Some(true),
        "0" | "false" | "no" | "n" | "-" | "нет" | "нет в наличии" => Some(false),
        _ => None,
    }
}

/// Splits a list cell on the separators and whitespace; empty parts dropped.
pub(crate) fn split_list(text: &str, separators: &[char]) -> Vec<String> {
    text.split(|c: char| separators.contains(&c) || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Option<Decimal> {
        Decimal::from_str(s).ok()
    }

    #[test]
    fn numbers_as_suppliers_write_them() {
        assert_eq!(parse_decimal("1 234,50"), dec("1234.50"));
        assert_eq!(parse_decimal("1\u{a0}234,5"), dec("1234.5"));
        assert_eq!(parse_decimal("1,234.50"), dec("1234.50"));
        assert_eq!(parse_decimal("1.234,50"), dec("1234.50"));
        assert_eq!(parse_decimal("1,234,567"), dec("1234567"));
        assert_eq!(parse_decimal("+5"), dec("5"));
        assert_eq!(parse_decimal("-0,5"), dec("-0.5"));
        assert_eq!(parse_decimal("1.5e3"), dec("1500"));
        assert_eq!(parse_decimal("12 руб"), None);
        assert_eq!(parse_decimal(""), None);
    }

    #[test]
    fn units_split_from_param_headers() {
        let unit = |s: &str| split_unit(s);
        assert_eq!(unit("Мощность, Вт"), ("Мощность".into(), Some("Вт".into())));
        assert_eq!(
            unit("Мощность (Вт)"),
            ("Мощность".into(), Some("Вт".into()))
        );
        assert_eq!(unit("Вес [кг]"), ("Вес".into(), Some("кг".into())));
        assert_eq!(unit("Цвет"), ("Цвет".into(), None));
        assert_eq!(unit("(x)"), ("(x)".into(), None));
    }

    #[test]
    fn header_maps_defaults_case_insensitively_and_params() {
        let mut mapping = ColumnMapping {
            price: Some("Цена".into()),
            ..ColumnMapping::default()
        };
        mapping.params.insert("Мощность".into(), String::new());
        mapping.params.insert("Color".into(), "Цвет".into());
        let header: Vec<String> = ["ID", " цена ", "Мощность, Вт", "color", "other"]
            .map(String::from)
            .to_vec();
        let columns = Columns::from_header(&header, &mapping).expect("mapped");
        let at = Position { line: 2, column: 0 };
        let Item::Offer(offer) = columns.offer(&["7", "1 000,5", "1500", "red", "x"], at) else {
            panic!("an offer");
        };
        assert_eq!(offer.id, "7");
        assert_eq!(offer.price, dec("1000.5"));
        assert_eq!(
            offer.params,
            vec![
                Param {
                    name: "Мощность".into(),
                    unit: Some("Вт".into()),
                    value: "1500".into()
                },
                Param {
                    name: "Цвет".into(),
                    unit: None,
                    value: "red".into()
                },
            ]
        );
        let Item::Rejected(bad) = columns.offer(&["8", "abc", "", "", ""], at) else {
            panic!("rejected");
        };
        assert_eq!(bad.offer_id.as_deref(), Some("8"));
        assert!(bad.reason.contains("bad price"), "{}", bad.reason);
        assert!(Columns::from_header(&["name".into()], &mapping).is_err());
    }
}
