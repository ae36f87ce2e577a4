//! Small value types every Carpetti crate shares: ids, money, content hashes, time and text
//! normalization, a circuit breaker for outbound calls, and the business-key newtypes (`Sku`, `OfferId`, `Code`, `Barcode`, `Quantity`).
//!
//! "Parse, don't validate": each newtype is built by a `parse` constructor that rejects bad input
//! with a [`ParseError`] saying why, so a value of the type is always valid.

pub mod breaker;
mod hash;
mod id;
mod keys;
mod money;
mod text;
mod time;

pub use hash::{ContentHash, ContentHasher};
pub use id::new_id;
pub use keys::{Barcode, Code, OfferId, Quantity, Sku};
pub use money::{Currency, Money};
pub use text::{normalize_search_text, search_text};
pub use time::now;

/// Why a value could not be parsed into one of this crate's types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}
