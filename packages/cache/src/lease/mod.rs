//! Leases: a named, time-limited claim that exactly one holder cluster-wide owns at a time. The
//! process adapter's instances use one per channel (business key): the instance whose `acquire`
//! answers [`Lease::is_ours`] polls the channel and renews the lease on every poll; if it dies,
//! the lease expires after its TTL and another instance's `acquire` takes it over.
//!
//! This module owns the [`Leases`] contract, the [`Lease`] answer, the input checks, and the two
//! backends: [`RedisLeases`] (one atomic Lua script per call, keys
//! `carpetti:<namespace>:lease:<name>`) for distributed runs and [`MemoryLeases`] (a table in
//! this process) for `carpetti up` and tests.
//!
//! Unlike the cache, an unreachable backend is an error ([`CacheError::Unavailable`]): a caller
//! that gets an error must behave as if it does not hold the lease.

mod memory;
mod redis;

use std::sync::Arc;
use std::time::Duration;

pub use self::memory::MemoryLeases;
pub use self::redis::RedisLeases;
use crate::error::CacheError;
use crate::key;

/// The longest holder name, in bytes.
const MAX_HOLDER: usize = 256;

/// Leases shared behind a pointer: what services hold.
pub type DynLeases = Arc<dyn Leases>;

/// Named, expiring, exclusive leases.
///
/// A lease taken or renewed by a call that started at instant `t` is held at most until
/// `t + ttl`; a holder that wants to act only while it holds the lease must stop acting before
/// then unless it renews. A call that fails (for example on a timeout) leaves the caller not
/// knowing: it must behave as if it does not hold the lease (the lease it may in fact hold still
/// expires, or is renewed by its next successful `acquire`).
#[async_trait::async_trait]
pub trait Leases: Send + Sync + 'static {
    /// Takes `name` for `holder` for `ttl` if it is free or expired, or renews it for `ttl` if
    /// `holder` already holds it. Returns the lease state after the call.
    ///
    /// `name` follows the cache's key rules (1–1024 bytes, no control characters), `holder` is
    /// 1–256 bytes without control characters, `ttl` is 1 ms to a year.
    async fn acquire(&self, name: &str, holder: &str, ttl: Duration) -> Result<Lease, CacheError>;

    /// Gives `name` up if `holder` holds it (no-op otherwise). Returns whether it was released.
    async fn release(&self, name: &str, holder: &str) -> Result<bool, CacheError>;

    /// Who holds `name` now, if anyone (an expired lease has no holder).
    async fn holder(&self, name: &str) -> Result<Option<String>, CacheError>;

    /// A short description for logs (`redis 127.0.0.1:6379 leases in namespace adapter`).
    fn describe(&self) -> String;
}

/// The state of a lease after [`Leases::acquire`].
#[must_use = "only `is_ours()` tells whether the caller holds the lease"]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    /// The lease was free (or expired): the caller holds it now, for the TTL it asked.
    Acquired,
    /// The caller already held the lease: it holds it for the TTL it asked, counted from now.
    Renewed,
    /// Another holder has the lease (named here); the caller does not hold it.
    HeldBy(String),
}

impl Lease {
    /// Whether the caller holds the lease ([`Lease::Acquired`] or [`Lease::Renewed`]).
    pub fn is_ours(&self) -> bool {
        matches!(self, Self::Acquired | Self::Renewed)
    }

    /// The other holder, when the caller does not hold the lease.
    pub fn other_holder(&self) -> Option<&str> {
        match self {
            Self::HeldBy(holder) => Some(holder),
            Self::Acquired | Self::Renewed => None,
        }
    }
}

/// Checks a lease name (the cache's key rules).
pub(crate) fn check_name(name: &str) -> Result<(), CacheError> {
    key::check_key(name)
}

/// Checks a holder: 1–256 bytes, no control characters.
pub(crate) fn check_holder(holder: &str) -> Result<(), CacheError> {
    let invalid = |reason| CacheError::InvalidHolder {
        holder: holder.chars().take(80).collect(),
        reason,
    };
    if holder.is_empty() {
        return Err(invalid("it is empty"));
    }
    if holder.len() > MAX_HOLDER {
        return Err(invalid("it is longer than 256 bytes"));
    }
    if holder.chars().any(char::is_control) {
        return Err(invalid("it contains control characters"));
    }
    Ok(())
}

/// Checks the arguments of [`Leases::acquire`].
pub(crate) fn check_acquire(name: &str, holder: &str, ttl: Duration) -> Result<(), CacheError> {
    check_name(name)?;
    check_holder(holder)?;
    key::check_ttl(ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_are_checked() {
        assert!(check_holder("adapter-1@host:4242").is_ok());
        assert!(check_holder("").is_err());
        assert!(check_holder("a\tb").is_err());
        assert!(check_holder(&"h".repeat(257)).is_err());
        assert!(check_holder(&"h".repeat(256)).is_ok());
    }

    #[test]
    fn lease_answers_say_whose_it_is() {
        assert!(Lease::Acquired.is_ours());
        assert!(Lease::Renewed.is_ours());
        let taken = Lease::HeldBy("other".to_owned());
        assert!(!taken.is_ours());
        assert_eq!(taken.other_holder(), Some("other"));
        assert_eq!(Lease::Acquired.other_holder(), None);
    }
}
