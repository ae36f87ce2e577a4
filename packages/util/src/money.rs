//! Money: a non-negative decimal amount with at most four fractional digits. Never a float.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ParseError;

/// Largest amount we store: `NUMERIC(18,4)` holds 14 integer digits.
const MAX_INTEGER_DIGITS: u32 = 14;

/// A non-negative amount of money in the entity's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses a decimal string such as `"1234.50"` (a comma as the decimal separator is accepted,
    /// as Russian price lists write it).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let text = raw.trim().replace(',', ".");
        let value = Decimal::from_str(&text)
            .map_err(|_| ParseError::new(format!("{raw:?} is not a decimal number")))?;
        Self::from_decimal(value)
    }

    /// Checks a decimal: not negative, at most 4 fractional digits, fits `NUMERIC(18,4)`.
    pub fn from_decimal(value: Decimal) -> Result<Self, ParseError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(ParseError::new(format!(
                "must not be negative, got {value}"
            )));
        }
        if value.scale() > 4 && value.normalize().scale() > 4 {
            return Err(ParseError::new(format!(
                "at most 4 decimal places are allowed, got {value}"
            )));
        }
        if value.trunc() >= Decimal::from(10_u64.pow(MAX_INTEGER_DIGITS)) {
            return Err(ParseError::new(format!("{value} is too large")));
        }
        Ok(Self(value.normalize().abs()))
    }

    /// The amount.
    pub fn amount(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An ISO-4217 currency code, upper case (`RUB` unless said otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Currency(String);

impl Currency {
    /// Parses a three-letter code; an empty input means rubles.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Ok(Self::rub());
        }
        // YML feeds say RUR for the ruble.
        if code == "RUR" {
            return Ok(Self::rub());
        }
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ParseError::new(format!(
                "{raw:?} is not an ISO-4217 currency code"
            )));
        }
        Ok(Self(code))
    }

    /// Russian rubles.
    pub fn rub() -> Self {
        Self("RUB".to_owned())
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::rub()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalizes() {
        assert_eq!(
            Money::parse("1234,50").map(|m| m.to_string()),
            Ok("1234.5".to_owned())
        );
        assert_eq!(Money::parse("0").map(|m| m.to_string()), Ok("0".to_owned()));
        assert_eq!(
            Money::parse("-0").map(|m| m.to_string()),
            Ok("0".to_owned())
        );
    }

    #[test]
    fn rejects_bad_amounts() {
        assert!(Money::parse("-1").is_err());
        assert!(Money::parse("abc").is_err());
        assert!(Money::parse("1.00001").is_err());
        assert!(Money::parse("100000000000000").is_err());
        assert!(Money::parse("1.50000").is_ok());
    }

    #[test]
    fn currency_codes() {
        assert_eq!(
            Currency::parse("rur").map(|c| c.as_str().to_owned()),
            Ok("RUB".to_owned())
        );
        assert_eq!(
            Currency::parse("").map(|c| c.as_str().to_owned()),
            Ok("RUB".to_owned())
        );
        assert!(Currency::parse("RUBL").is_err());
    }
}
