use std::time::Duration;

use crate::Marketplace;

/// Why a call to a marketplace failed as a whole (per-item refusals are [`crate::Problem`]s).
#[derive(Debug, thiserror::Error)]
pub enum MpError {
    /// The marketplace account's breaker is open after repeated failures.
    #[error("{marketplace}: circuit open, next try in {retry_in:?}")]
    BreakerOpen {
        marketplace: Marketplace,
        retry_in: Duration,
    },
    /// Network failure, timeout or 5xx, still failing after the retries.
    #[error("{marketplace} {method}: unavailable: {reason}")]
    Unavailable {
        marketplace: Marketplace,
        method: String,
        reason: String,
    },
    /// Still rate limited (429 / 420) after the retries.
    #[error("{marketplace} {method}: rate limited, retry after {retry_after:?}")]
    RateLimited {
        marketplace: Marketplace,
        method: String,
        retry_after: Duration,
    },
    /// The credentials were refused (401 / 403).
    #[error("{marketplace} {method}: access refused ({status}): {message}")]
    Auth {
        marketplace: Marketplace,
        method: String,
        status: u16,
        message: String,
    },
    /// The marketplace refused the whole request (4xx, or a failure envelope).
    #[error("{marketplace} {method}: refused ({status}) {code}: {message}")]
    Rejected {
        marketplace: Marketplace,
        method: String,
        status: u16,
        code: String,
        message: String,
    },
    /// The answer did not have the documented shape.
    #[error("{marketplace} {method}: unexpected answer: {reason}")]
    Decode {
        marketplace: Marketplace,
        method: String,
        reason: String,
    },
    /// The thing asked for is not ready yet (a label before packing, say); try later.
    #[error("{marketplace}: not ready: {message}")]
    NotReady {
        marketplace: Marketplace,
        message: String,
    },
    /// The channel's settings or credentials cannot drive this connector.
    #[error("{marketplace}: channel settings: {reason}")]
    Settings {
        marketplace: Marketplace,
        reason: String,
    },
}

impl MpError {
    /// Whether trying the same thing later may succeed (the outbox keeps the entry).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            MpError::BreakerOpen { .. }
                | MpError::Unavailable { .. }
                | MpError::RateLimited { .. }
                | MpError::NotReady { .. }
        )
    }

    /// A short machine code for listings and reports.
    pub fn code(&self) -> &'static str {
        match self {
            MpError::BreakerOpen { .. } => "breaker_open",
            MpError::Unavailable { .. } => "unavailable",
            MpError::RateLimited { .. } => "rate_limited",
            MpError::Auth { .. } => "auth",
            MpError::Rejected { .. } => "rejected",
            MpError::Decode { .. } => "decode",
            MpError::NotReady { .. } => "not_ready",
            MpError::Settings { .. } => "settings",
        }
    }
}
