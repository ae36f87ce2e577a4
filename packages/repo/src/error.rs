use thiserror::Error;

/// Why a typed client could not even try a call. It reaches the caller as a
/// `tonic::Status` with code UNAVAILABLE and this text.
#[derive(Debug, Error)]
pub enum RepoError {
    #[error("no healthy instance of {service} is known")]
    NoInstance { service: String },
    #[error("every instance of {service} is failing (circuit breakers open)")]
    AllOpen { service: String },
    #[error("{service}: {attempts} attempt(s) failed; last: {last}")]
    Exhausted {
        service: String,
        attempts: usize,
        last: String,
    },
    #[error("{service}: request body could not be read for a retry: {reason}")]
    Body { service: String, reason: String },
    #[error("invalid instance address {address}: {reason}")]
    Address { address: String, reason: String },
}
