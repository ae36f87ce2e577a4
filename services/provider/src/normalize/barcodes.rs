//! Barcodes: EAN-8, UPC-A (12), EAN-13 and GTIN-14 with a verified check digit; several in one
//! element (`,`, `;` or whitespace between them) are split; bad ones are dropped with a note and
//! the item kept; the same GTIN twice (also as UPC-A and its EAN-13 with a leading 0) is kept once,
//! in the form first sent.

use carpetti_util::Barcode;

use super::Note;
use super::text::excerpt;

/// Why a barcode is refused.
fn check(code: &str) -> Result<(), &'static str> {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not digits only");
    }
    if !matches!(code.len(), 8 | 12 | 13 | 14) {
        return Err("not 8, 12, 13 or 14 digits");
    }
    if code.bytes().all(|b| b == b'0') {
        return Err("all zeros");
    }
    Barcode::parse(code)
        .map(|_| ())
        .map_err(|_| "bad check digit")
}

/// The GTIN without leading zeros: one key for UPC-A, EAN-13 and GTIN-14 spellings of a code.
fn gtin_key(code: &str) -> &str {
    code.trim_start_matches('0')
}

/// The offer's valid barcodes, in order, without duplicates.
pub(crate) fn normalize_barcodes(raw: &[String], notes: &mut Vec<Note>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for element in raw {
        for code in element
            .split([',', ';', ' ', '\t', '\n', '\r'])
            .filter(|c| !c.is_empty())
        {
            if let Err(why) = check(code) {
                notes.push(Note::new(
                    "barcodes",
                    format!("barcode {}: {why}", excerpt(code)),
                ));
                continue;
            }
            if !out.iter().any(|kept| gtin_key(kept) == gtin_key(code)) {
                out.push(code.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &[&str]) -> (Vec<String>, Vec<String>) {
        let raw: Vec<String> = raw.iter().map(|s| (*s).to_owned()).collect();
        let mut notes = Vec::new();
        let out = normalize_barcodes(&raw, &mut notes);
        (out, notes.into_iter().map(|n| n.message).collect())
    }

    #[test]
    fn valid_codes_of_every_length_are_kept() {
        let (out, notes) = run(&[
            " 4006381333931 ",
            "96385074",
            "036000291452",
            "10012345678902",
        ]);
        assert_eq!(
            out,
            [
                "4006381333931",
                "96385074",
                "036000291452",
                "10012345678902"
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn bad_codes_are_dropped_with_a_reason() {
        let (out, notes) = run(&[
            "4601234567891",
            "4006381333931",
            "460-1234567890",
            "12345",
            "00000000",
        ]);
        assert_eq!(out, ["4006381333931"]);
        assert_eq!(
            notes,
            [
                "barcode 4601234567891: bad check digit",
                "barcode 460-1234567890: not digits only",
                "barcode 12345: not 8, 12, 13 or 14 digits",
                "barcode 00000000: all zeros",
            ]
        );
    }

    #[test]
    fn several_in_one_element_and_duplicates() {
        let (out, notes) = run(&[
            "4006381333931, 96385074;4006381333931",
            "036000291452",
            "0036000291452",
            "96385074",
        ]);
        assert_eq!(out, ["4006381333931", "96385074", "036000291452"]);
        assert!(notes.is_empty(), "{notes:?}");
    }
}
