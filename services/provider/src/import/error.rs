//! Why an import (or a step of it) failed.

use std::path::Path;

/// An import failure. `Feed`/`Source` failures close the run as failed and change nothing;
/// the others are failures to reach or write persist and leave the run open for a retry.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("unknown supplier {0}")]
    UnknownSupplier(String),
    #[error("unknown import run {0}")]
    UnknownRun(String),
    #[error("supplier {code}: {reason}")]
    BadSupplier { code: String, reason: String },
    #[error("the feed could not be fetched: {0}")]
    Source(String),
    #[error("the feed could not be read: {0}")]
    Feed(String),
    #[error("persist failed {what}: {code:?}: {message}")]
    Persist {
        what: &'static str,
        code: tonic::Code,
        message: String,
    },
    #[error("import spool: {0}")]
    Spool(String),
}

impl ImportError {
    pub(crate) fn spool(path: &Path) -> impl Fn(std::io::Error) -> Self + '_ {
        move |err| Self::Spool(format!("{}: {err}", path.display()))
    }

    /// Whether the run failed because of the feed (recorded as a failed run, nothing changed).
    pub fn is_feed_failure(&self) -> bool {
        matches!(self, Self::Source(_) | Self::Feed(_))
    }
}
