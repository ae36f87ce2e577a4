//! Business keys: the identifiers people and importers use, each parsed once at the edge.

use std::fmt;

use crate::ParseError;

macro_rules! text_key {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses a key: trimmed, not empty, at most the maximum length, no control characters.
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                let trimmed = raw.trim();
                if trimmed.is_empty() {
                    return Err(ParseError::new("must not be empty"));
                }
                if trimmed.chars().count() > $max {
                    return Err(ParseError::new(format!("must be at most {} characters", $max)));
                }
                if trimmed.chars().any(char::is_control) {
                    return Err(ParseError::new("must not contain control characters"));
                }
                Ok(Self(trimmed.to_owned()))
            }

            /// The key as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The key as an owned string.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_key!(
    /// Our stock-keeping unit: the business key of a product.
    Sku,
    128
);
text_key!(
    /// A supplier's offer id: the business key of a supplier item within its supplier.
    OfferId,
    256
);
text_key!(
    /// The code of a structural entity (supplier, category, attribute, channel, role…).
    Code,
    128
);

/// A product barcode: EAN-8, UPC-A, EAN-13 or GTIN-14 digits with a valid check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Barcode(String);

impl Barcode {
    /// Parses a GTIN barcode (8, 12, 13 or 14 digits) and checks its check digit.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let digits = raw.trim();
        if !matches!(digits.len(), 8 | 12 | 13 | 14) || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParseError::new(format!(
                "barcode {digits:?} must be 8, 12, 13 or 14 digits"
            )));
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let (body, check) = values.split_at(values.len() - 1);
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
            .sum();
        if (10 - sum % 10) % 10 != check[0] {
            return Err(ParseError::new(format!(
                "barcode {digits:?} has a wrong check digit"
            )));
        }
        Ok(Self(digits.to_owned()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A count of units, at least one (link quantities, order lines, pack sizes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quantity(u32);

impl Quantity {
    /// One unit.
    pub const ONE: Quantity = Quantity(1);

    /// Parses a quantity: must be ≥ 1.
    pub fn parse(raw: i64) -> Result<Self, ParseError> {
        match u32::try_from(raw) {
            Ok(n) if n >= 1 => Ok(Self(n)),
            _ => Err(ParseError::new(format!(
                "quantity must be at least 1, got {raw}"
            ))),
        }
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_reject_empty_and_trim() {
        assert!(Sku::parse("   ").is_err());
        assert_eq!(
            Sku::parse(" A-1 ").map(Sku::into_inner),
            Ok("A-1".to_owned())
        );
        assert!(Code::parse("a\u{7}b").is_err());
        assert!(OfferId::parse(&"x".repeat(257)).is_err());
    }

    #[test]
    fn barcodes_check_digit() {
        assert!(Barcode::parse("4006381333931").is_ok());
        assert!(Barcode::parse("4006381333932").is_err());
        assert!(Barcode::parse("96385074").is_ok());
        assert!(Barcode::parse("12345").is_err());
        assert!(Barcode::parse("40063813339a1").is_err());
    }

    #[test]
    fn quantity_is_positive() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(-3).is_err());
        assert_eq!(Quantity::parse(6).map(Quantity::get), Ok(6));
    }
}
