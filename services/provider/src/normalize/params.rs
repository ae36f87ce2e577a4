//! Params: names and values cleaned, units of mass, length, power and volume converted to base
//! units (г, мм, Вт, мл), and the "sold in packs of N" quantity read from a configured param.

use carpetti_proto::catalog::v1 as pb;
use carpetti_yml::Param;
use rust_decimal::Decimal;

use super::Note;
use super::text::{clean_line, decimal_text, eq_ignore_case, excerpt, trim_text};

/// Lower-cases a short text into `buf` (no allocation); `None` when it does not fit, which no unit
/// we know does not.
fn lower_small<'b>(text: &str, buf: &'b mut [u8; 16]) -> Option<&'b str> {
    let mut len = 0;
    for ch in text.chars().flat_map(char::to_lowercase) {
        let width = ch.len_utf8();
        if len + width > buf.len() {
            return None;
        }
        ch.encode_utf8(&mut buf[len..len + width]);
        len += width;
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// A unit we convert: the base unit and how many base units one of it is. Any case, an optional
/// trailing dot; power prefixes are case-sensitive (МВт / MW mega, мВт / mW milli).
fn unit_factor(raw: &str) -> Option<(&'static str, Decimal)> {
    let trimmed = raw.trim();
    let unit = trimmed.strip_suffix('.').unwrap_or(trimmed).trim_end();
    // The spellings feeds use most, without lower-casing.
    match unit {
        "г" => return Some(("г", Decimal::ONE)),
        "кг" => return Some(("г", Decimal::ONE_THOUSAND)),
        "мм" => return Some(("мм", Decimal::ONE)),
        "см" => return Some(("мм", Decimal::TEN)),
        "Вт" => return Some(("Вт", Decimal::ONE)),
        "кВт" => return Some(("Вт", Decimal::ONE_THOUSAND)),
        _ => {}
    }
    let mut buf = [0_u8; 16];
    let lower = lower_small(unit, &mut buf)?;
    let mega = Decimal::new(1_000_000, 0);
    let milli = Decimal::new(1, 3);
    Some(match lower {
        "вт" | "w" => ("Вт", Decimal::ONE),
        "квт" | "kw" => ("Вт", Decimal::ONE_THOUSAND),
        "мвт" | "mw" => match unit.chars().next() {
            Some('М' | 'M') => ("Вт", mega),
            Some('м' | 'm') => ("Вт", milli),
            _ => return None,
        },
        "г" | "гр" | "g" | "gr" => ("г", Decimal::ONE),
        "кг" | "kg" => ("г", Decimal::ONE_THOUSAND),
        "мг" | "mg" => ("г", milli),
        "т" | "тн" | "t" => ("г", mega),
        "мм" | "mm" => ("мм", Decimal::ONE),
        "см" | "cm" => ("мм", Decimal::TEN),
        "дм" | "dm" => ("мм", Decimal::ONE_HUNDRED),
        "м" | "m" => ("мм", Decimal::ONE_THOUSAND),
        "км" | "km" => ("мм", mega),
        "мл" | "ml" => ("мл", Decimal::ONE),
        "л" | "l" => ("мл", Decimal::ONE_THOUSAND),
        _ => return None,
    })
}

/// A clean number ("1.5", or "1,5" as Russian feeds write it: digits with an optional `.` or `,`
/// fraction; no sign, exponent, thousands separator or text) times `factor`, as text without
/// trailing zeros; `None` when the value is not one.
fn convert_number(value: &str, factor: Decimal) -> Option<String> {
    let dotted;
    let value = if value.bytes().filter(|b| *b == b',').count() == 1 && !value.contains('.') {
        dotted = value.replacen(',', ".", 1);
        dotted.as_str()
    } else {
        value
    };
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (value.contains('.') && frac.is_empty()) {
        return None;
    }
    // Already in the base unit and written canonically: nothing to compute.
    let canonical = (int == "0" || !int.starts_with('0')) && !frac.ends_with('0');
    if factor == Decimal::ONE && canonical {
        return Some(value.to_owned());
    }
    let number: Decimal = value.parse().ok()?;
    Some(decimal_text(number.checked_mul(factor)?))
}

/// The unit written into a param name: "Вес, кг" or "Вес (кг)" → ("Вес", "кг"), only for a unit
/// we convert.
fn unit_in_name(name: &str) -> Option<(&str, &str)> {
    let (base, unit) = if let Some(inner) = name.strip_suffix(')') {
        let open = inner.rfind('(')?;
        (&inner[..open], &inner[open + 1..])
    } else {
        let comma = name.rfind(',')?;
        (&name[..comma], &name[comma + 1..])
    };
    let base = base.trim_end_matches([' ', ',']).trim();
    (!base.is_empty() && unit_factor(unit).is_some()).then_some((base, unit.trim()))
}

/// Converts one param; `None` (with a note when something is lost) when it is dropped.
fn convert(param: &Param, notes: &mut Vec<Note>) -> Option<pb::Param> {
    let Some(name) = clean_line(&param.name) else {
        let value = param.value.trim();
        notes.push(Note::new(
            "params",
            format!("param without a name (value {:?}): dropped", excerpt(value)),
        ));
        return None;
    };
    // An empty value carries nothing: dropped silently.
    let value = trim_text(&param.value);
    if value.is_empty() {
        return None;
    }
    // Only trimmed here: a unit we convert needs no other cleaning, and is not kept.
    let unit = param
        .unit
        .as_deref()
        .map(trim_text)
        .filter(|u| !u.is_empty());
    let converted = match unit {
        Some(unit) => unit_factor(unit).map(|found| (found, None)),
        None => unit_in_name(&name).and_then(|(base, unit)| Some((unit_factor(unit)?, Some(base)))),
    }
    .and_then(|((base_unit, factor), base_name)| {
        let amount = convert_number(value, factor)?;
        // A unit given in both places: the name loses its unit too.
        let base_name = base_name.or_else(|| unit_in_name(&name).map(|(base, _)| base));
        Some((base_unit, amount, base_name.map(str::to_owned)))
    });
    Some(match converted {
        Some((base_unit, amount, base_name)) => pb::Param {
            name: base_name.unwrap_or(name),
            value: amount,
            unit: Some(base_unit.to_owned()),
        },
        None => pb::Param {
            name,
            value: clean_line(value)?,
            unit: unit.and_then(clean_line),
        },
    })
}

/// Every param of an offer, in order; repeated names are kept (multi-value).
pub(crate) fn convert_params(params: &[Param], notes: &mut Vec<Note>) -> Vec<pb::Param> {
    params.iter().filter_map(|p| convert(p, notes)).collect()
}

/// A positive whole number, optionally followed by a word such as "шт" ("10", "10 шт", "6шт.").
fn pack_size(value: &str) -> Option<Result<i32, &'static str>> {
    let value = value.trim();
    let end = value
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(value.len());
    let (digits, rest) = value.split_at(end);
    let rest = rest.trim();
    if digits.is_empty()
        || !rest.chars().all(|c| c.is_alphabetic() || c == '.')
        || rest.starts_with('.')
    {
        return None;
    }
    Some(match digits.parse::<i32>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err("is not positive"),
        Err(_) => Err("is too large"),
    })
}

/// The pack quantity from the param named `pack_param` (case-insensitive, a unit in the name
/// allowed): the first usable value wins; none → 1, with a note when the param was there.
pub(crate) fn pack_quantity(
    params: &[Param],
    pack_param: Option<&str>,
    notes: &mut Vec<Note>,
) -> i32 {
    let Some(wanted) = pack_param.map(str::trim).filter(|p| !p.is_empty()) else {
        return 1;
    };
    let mut problem = None;
    for param in params {
        let name = param.name.trim();
        let matches = eq_ignore_case(name, wanted)
            || (name.len() > wanted.len()
                && unit_in_name_any(name).is_some_and(|base| eq_ignore_case(base, wanted)));
        if !matches {
            continue;
        }
        match pack_size(&param.value) {
            Some(Ok(n)) => return n,
            Some(Err(why)) => problem.get_or_insert_with(|| {
                format!("{wanted} = {:?} {why}", excerpt(param.value.trim()))
            }),
            None => problem.get_or_insert_with(|| {
                format!(
                    "{wanted} = {:?} is not a positive whole number",
                    excerpt(param.value.trim())
                )
            }),
        };
    }
    if let Some(problem) = problem {
        notes.push(Note::new("pack_quantity", format!("{problem}: 1 used")));
    }
    1
}

/// The name part before any ", unit" / " (unit)" suffix, whatever the unit.
fn unit_in_name_any(name: &str) -> Option<&str> {
    let cut = if name.ends_with(')') {
        name.rfind('(')
    } else {
        name.rfind(',')
    }?;
    Some(name[..cut].trim_end_matches([' ', ',']).trim()).filter(|b| !b.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, unit: Option<&str>, value: &str) -> Param {
        Param {
            name: name.to_owned(),
            unit: unit.map(str::to_owned),
            value: value.to_owned(),
        }
    }

    fn one(name: &str, unit: Option<&str>, value: &str) -> (String, String, Option<String>) {
        let mut notes = Vec::new();
        let out = convert_params(&[param(name, unit, value)], &mut notes);
        assert!(notes.is_empty(), "{notes:?}");
        let p = out.into_iter().next().expect("test value");
        (p.name, p.value, p.unit)
    }

    fn converted(unit: &str, value: &str) -> (String, Option<String>) {
        let (_, value, unit) = one("X", Some(unit), value);
        (value, unit)
    }

    fn pair(value: &str, unit: &str) -> (String, Option<String>) {
        (value.to_owned(), Some(unit.to_owned()))
    }

    #[test]
    fn mass_converts_to_grams() {
        assert_eq!(converted("кг", "1.5"), pair("1500", "г"));
        assert_eq!(converted("kg", "0.200"), pair("200", "г"));
        assert_eq!(converted("g", "250.0"), pair("250", "г"));
        assert_eq!(converted("гр.", "12"), pair("12", "г"));
        assert_eq!(converted("мг", "5"), pair("0.005", "г"));
        assert_eq!(converted("mg", "1500"), pair("1.5", "г"));
        assert_eq!(converted("т", "2"), pair("2000000", "г"));
    }

    #[test]
    fn length_converts_to_millimetres() {
        assert_eq!(converted("см", "12.5"), pair("125", "мм"));
        assert_eq!(converted("CM", "3"), pair("30", "мм"));
        assert_eq!(converted("м", "2.25"), pair("2250", "мм"));
        assert_eq!(converted("m", "1"), pair("1000", "мм"));
        assert_eq!(converted("км", "1"), pair("1000000", "мм"));
        assert_eq!(converted("mm", "63.50"), pair("63.5", "мм"));
    }

    #[test]
    fn power_converts_to_watts_with_case_sensitive_prefixes() {
        assert_eq!(converted("кВт", "2.2"), pair("2200", "Вт"));
        assert_eq!(converted("kW", "1"), pair("1000", "Вт"));
        assert_eq!(converted("W", "60"), pair("60", "Вт"));
        assert_eq!(converted("МВт", "1.5"), pair("1500000", "Вт"));
        assert_eq!(converted("MW", "1"), pair("1000000", "Вт"));
        assert_eq!(converted("мВт", "500"), pair("0.5", "Вт"));
    }

    #[test]
    fn volume_converts_to_millilitres() {
        assert_eq!(converted("л", "1.75"), pair("1750", "мл"));
        assert_eq!(converted("l", "2"), pair("2000", "мл"));
        assert_eq!(converted("ml", "330"), pair("330", "мл"));
    }

    #[test]
    fn unclean_values_and_other_units_are_kept_as_sent() {
        // A decimal comma is a number as Russian feeds write it; thousands separators are not.
        assert_eq!(converted("кг", "1,5"), pair("1500", "г"));
        assert_eq!(converted("кг", "1,500,5"), pair("1,500,5", "кг"));
        assert_eq!(converted("см", "10-20"), pair("10-20", "см"));
        assert_eq!(converted("Вт", "до 60"), pair("до 60", "Вт"));
        assert_eq!(converted("кг", "-1"), pair("-1", "кг"));
        assert_eq!(converted("кГц", "20"), pair("20", "кГц"));
        assert_eq!(converted("RU", "52"), pair("52", "RU"));
        assert_eq!(
            one("Цвет", None, " Чёрный "),
            ("Цвет".to_owned(), "Чёрный".to_owned(), None)
        );
    }

    #[test]
    fn a_unit_in_the_name_is_recognized() {
        assert_eq!(
            one("Вес, кг", None, "2"),
            ("Вес".to_owned(), "2000".to_owned(), Some("г".to_owned()))
        );
        assert_eq!(
            one("Длина (см)", None, "4.5"),
            ("Длина".to_owned(), "45".to_owned(), Some("мм".to_owned()))
        );
        // Not a number: everything as sent.
        assert_eq!(
            one("Вес, кг", None, "около 2"),
            ("Вес, кг".to_owned(), "около 2".to_owned(), None)
        );
        // Not a unit we convert.
        assert_eq!(
            one("Размер, RU", None, "52"),
            ("Размер, RU".to_owned(), "52".to_owned(), None)
        );
        assert_eq!(one("Цвет, оттенок", None, "красный").0, "Цвет, оттенок");
    }

    #[test]
    fn repeated_names_are_kept_and_nameless_params_dropped() {
        let mut notes = Vec::new();
        let out = convert_params(
            &[
                param("Цвет", None, "Красный"),
                param("Цвет", None, "Синий"),
                param(" ", None, "x"),
                param("Пусто", None, "  "),
            ],
            &mut notes,
        );
        let values: Vec<_> = out
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(values, [("Цвет", "Красный"), ("Цвет", "Синий")]);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].field, "params");
    }

    #[test]
    fn pack_quantity_from_the_configured_param() {
        let mut notes = Vec::new();
        let params = [
            param("Цвет", None, "Белый"),
            param("Кратность", None, "10 шт"),
        ];
        assert_eq!(pack_quantity(&params, Some("кратность"), &mut notes), 10);
        assert_eq!(pack_quantity(&params, None, &mut notes), 1);
        assert_eq!(pack_quantity(&params, Some("В упаковке"), &mut notes), 1);
        assert!(notes.is_empty());
        for (value, expected) in [("6", 6), ("6шт.", 6), (" 12 pcs ", 12)] {
            assert_eq!(
                pack_quantity(
                    &[param("В упаковке, шт", None, value)],
                    Some("В упаковке"),
                    &mut notes
                ),
                expected
            );
        }
        assert!(notes.is_empty());
        for value in ["0", "1,5", "2.5", "abc", "-3", "99999999999"] {
            let mut notes = Vec::new();
            assert_eq!(
                pack_quantity(
                    &[param("Кратность", None, value)],
                    Some("Кратность"),
                    &mut notes
                ),
                1,
                "{value}"
            );
            assert_eq!(notes.len(), 1, "{value}");
            assert_eq!(notes[0].field, "pack_quantity");
        }
        // The first usable value wins.
        let params = [param("Кратность", None, "x"), param("Кратность", None, "4")];
        assert_eq!(pack_quantity(&params, Some("Кратность"), &mut notes), 4);
    }
}
