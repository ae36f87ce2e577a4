//! The reader's two kinds of failure: an [`OfferError`] rejects one offer and the stream goes on;
//! a [`FeedError`] ends the stream (broken XML structure outside an offer, a limit, the encoding,
//! not a YML catalog at all, a truncated file, I/O). Every message names where it happened (line
//! and column of the decoded text) and, for limits, the limit.

use std::fmt;
use std::io;

use serde::{Deserialize, Serialize};

use crate::Position;

/// One offer the reader could not turn into a record: its id when it has one, where its `<offer>`
/// tag starts, and why (several reasons are joined with "; "). The stream continues after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferError {
    pub offer_id: Option<String>,
    pub position: Position,
    pub reason: String,
}

impl fmt::Display for OfferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.offer_id {
            Some(id) => write!(f, "offer {id:?}")?,
            None => f.write_str("offer without id")?,
        }
        write!(
            f,
            " at line {}, column {}: {}",
            self.position.line, self.position.column, self.reason
        )
    }
}

impl std::error::Error for OfferError {}

/// What ends a feed. Offers read before it stay valid (they were already yielded).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    /// Broken XML structure the reader cannot recover from (outside an offer).
    #[error("malformed XML at line {}, column {}: {message}", position.line, position.column)]
    Malformed { position: Position, message: String },
    /// Elements nested deeper than [`crate::Limits::max_depth`].
    #[error(
        "elements nested deeper than the limit of {limit} at line {}, column {}",
        position.line,
        position.column
    )]
    TooDeep { position: Position, limit: usize },
    /// One text node, CDATA section, tag, comment or DOCTYPE larger than
    /// [`crate::Limits::max_text_bytes`], or one offer larger than
    /// [`crate::Limits::max_offer_bytes`].
    #[error(
        "{what} starting at line {}, column {} is larger than the limit of {limit} bytes",
        position.line,
        position.column
    )]
    TooLarge {
        position: Position,
        what: &'static str,
        limit: usize,
    },
    /// Undecodable input outside an offer, or an encoding the reader does not know.
    #[error("encoding error at line {}, column {}: {message}", position.line, position.column)]
    Encoding { position: Position, message: String },
    /// The document's root element is not `<yml_catalog>` (or there is none).
    #[error(
        "not a YML feed: {found} at line {}, column {} (expected <yml_catalog>)",
        position.line,
        position.column
    )]
    NotYmlCatalog { position: Position, found: String },
    /// The input ends before the document does (only offers completed before it were yielded).
    #[error(
        "the feed ends at line {}, column {} inside <{open}>: the file is truncated",
        position.line,
        position.column
    )]
    Truncated { position: Position, open: String },
    /// Reading the input failed.
    #[error("reading the feed failed at line {}, column {}: {source}", position.line, position.column)]
    Io {
        position: Position,
        source: io::Error,
    },
}

impl FeedError {
    /// Where the error happened.
    pub fn position(&self) -> Position {
        match self {
            Self::Malformed { position, .. }
            | Self::TooDeep { position, .. }
            | Self::TooLarge { position, .. }
            | Self::Encoding { position, .. }
            | Self::NotYmlCatalog { position, .. }
            | Self::Truncated { position, .. }
            | Self::Io { position, .. } => *position,
        }
    }
}
