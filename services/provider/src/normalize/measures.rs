//! Weight (kg → g) and dimensions (cm → mm) of an offer, rounded to whole units, midpoint away
//! from zero. A positive measure never rounds down to 0 (it becomes 1); a zero or negative one, or
//! one too large for the field, is dropped with a note.

use carpetti_proto::catalog::v1 as pb;
use carpetti_yml::Dimensions;
use rust_decimal::Decimal;

use super::Note;

/// `value × 10^exponent` as a whole positive number (midpoint away from zero, at least 1), or why
/// not. Integer arithmetic on the decimal's mantissa: no rounding through `Decimal` per offer.
fn whole(value: Decimal, exponent: u32) -> Result<i32, &'static str> {
    if value <= Decimal::ZERO {
        return Err("not positive");
    }
    let mantissa = value.mantissa();
    let scale = value.scale();
    let scaled = if exponent >= scale {
        mantissa.checked_mul(10_i128.pow(exponent - scale))
    } else {
        let divisor = 10_i128.pow(scale - exponent);
        Some((mantissa + divisor / 2) / divisor)
    };
    let n = scaled
        .and_then(|n| i32::try_from(n).ok())
        .ok_or("too large")?;
    Ok(n.max(1))
}

/// `weight_g` from the offer's weight in kilograms.
pub(crate) fn weight_g(weight_kg: Option<Decimal>, notes: &mut Vec<Note>) -> Option<i32> {
    let kg = weight_kg?;
    whole(kg, 3)
        .map_err(|why| {
            notes.push(Note::new(
                "weight_g",
                format!("weight {kg} kg: {why}: dropped"),
            ))
        })
        .ok()
}

/// Dimensions in millimetres from "L/W/H" in centimetres; each side is checked on its own.
pub(crate) fn dimensions_mm(
    dimensions: Option<&Dimensions>,
    notes: &mut Vec<Note>,
) -> Option<pb::Dimensions> {
    let d = dimensions?;
    let mut side = |label: &str, cm: Decimal| {
        whole(cm, 1)
            .map_err(|why| {
                notes.push(Note::new(
                    "dimensions",
                    format!("{label} {cm} cm: {why}: dropped"),
                ))
            })
            .ok()
    };
    let out = pb::Dimensions {
        length_mm: side("length", d.length_cm),
        width_mm: side("width", d.width_cm),
        height_mm: side("height", d.height_cm),
    };
    (out.length_mm.is_some() || out.width_mm.is_some() || out.height_mm.is_some()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().expect("test value")
    }

    #[test]
    fn weight_in_grams() {
        let mut notes = Vec::new();
        assert_eq!(weight_g(Some(dec("0.200")), &mut notes), Some(200));
        assert_eq!(weight_g(Some(dec("1.2345")), &mut notes), Some(1235));
        assert_eq!(weight_g(Some(dec("0.0005")), &mut notes), Some(1));
        assert_eq!(weight_g(Some(dec("0.0001")), &mut notes), Some(1));
        assert_eq!(weight_g(Some(dec("0.0015")), &mut notes), Some(2));
        assert_eq!(weight_g(Some(dec("0.0024999")), &mut notes), Some(2));
        assert_eq!(
            weight_g(Some(dec("2147483.647")), &mut notes),
            Some(i32::MAX)
        );
        assert_eq!(weight_g(None, &mut notes), None);
        assert!(notes.is_empty());
        assert_eq!(weight_g(Some(dec("0")), &mut notes), None);
        assert_eq!(weight_g(Some(dec("-1")), &mut notes), None);
        assert_eq!(weight_g(Some(dec("99999999")), &mut notes), None);
        assert_eq!(notes.len(), 3);
        assert!(notes.iter().all(|n| n.field == "weight_g"));
    }

    #[test]
    fn dimensions_in_millimetres() {
        let mut notes = Vec::new();
        let d = Dimensions {
            length_cm: dec("12.55"),
            width_cm: dec("3"),
            height_cm: dec("0.04"),
        };
        let mm = dimensions_mm(Some(&d), &mut notes).expect("test value");
        assert_eq!(
            (mm.length_mm, mm.width_mm, mm.height_mm),
            (Some(126), Some(30), Some(1))
        );
        assert!(notes.is_empty());
        let d = Dimensions {
            length_cm: dec("10"),
            width_cm: dec("-2"),
            height_cm: dec("0"),
        };
        let mm = dimensions_mm(Some(&d), &mut notes).expect("test value");
        assert_eq!(
            (mm.length_mm, mm.width_mm, mm.height_mm),
            (Some(100), None, None)
        );
        assert_eq!(notes.len(), 2);
        let zero = Dimensions {
            length_cm: Decimal::ZERO,
            width_cm: Decimal::ZERO,
            height_cm: Decimal::ZERO,
        };
        assert_eq!(dimensions_mm(Some(&zero), &mut notes), None);
        assert_eq!(dimensions_mm(None, &mut notes), None);
    }
}
