//! [`BusinessKey`]: the name of a channel — a process instance's business key as clients send it.

use std::fmt;
use std::sync::Arc;

/// The longest business key a client may subscribe to (Camunda stores 255 characters).
pub const MAX_BUSINESS_KEY: usize = 255;

/// A process instance's business key: 1–255 characters, no control characters, not only
/// whitespace. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessKey(Arc<str>);

/// Why a string is not a business key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessKeyError {
    #[error("the business key is empty")]
    Empty,
    #[error("the business key is longer than {MAX_BUSINESS_KEY} characters")]
    TooLong,
    #[error("the business key contains a control character")]
    ControlCharacter,
}

impl BusinessKey {
    pub fn parse(raw: &str) -> Result<Self, BusinessKeyError> {
        if raw.trim().is_empty() {
            return Err(BusinessKeyError::Empty);
        }
        if raw.chars().count() > MAX_BUSINESS_KEY {
            return Err(BusinessKeyError::TooLong);
        }
        if raw.chars().any(char::is_control) {
            return Err(BusinessKeyError::ControlCharacter);
        }
        Ok(Self(Arc::from(raw)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BusinessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BusinessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(
            BusinessKey::parse("order-42")
                .expect("valid in this test")
                .as_str(),
            "order-42"
        );
        assert_eq!(
            BusinessKey::parse("заказ 7")
                .expect("valid in this test")
                .as_str(),
            "заказ 7"
        );
        assert_eq!(BusinessKey::parse(" "), Err(BusinessKeyError::Empty));
        assert_eq!(
            BusinessKey::parse("a\nb"),
            Err(BusinessKeyError::ControlCharacter)
        );
        assert_eq!(
            BusinessKey::parse(&"x".repeat(256)),
            Err(BusinessKeyError::TooLong)
        );
    }
}
