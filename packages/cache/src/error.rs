//! The errors the cache and the leases return. For the cache a backend outage is never one of
//! them: the Redis backend turns unavailability into misses and skipped writes (with a logged
//! warning), so callers only see bad input, their own loader's failure, or a value that does not
//! encode. For leases it is ([`CacheError::Unavailable`]): a caller must know it does not hold
//! the lease.

use std::sync::Arc;
use std::time::Duration;

/// A loader's error, boxed so any error type can come back through [`crate::Cache::get_or_load`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a cache call can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    /// The namespace is empty, too long, or uses characters outside `[a-z0-9_.-]`.
    #[error("invalid cache namespace {namespace:?}: {reason}")]
    InvalidNamespace {
        namespace: String,
        reason: &'static str,
    },
    /// The key (or prefix) is empty, too long, or contains control characters.
    #[error("invalid cache key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },
    /// A lease holder is empty, too long, or contains control characters.
    #[error("invalid lease holder {holder:?}: {reason}")]
    InvalidHolder {
        holder: String,
        reason: &'static str,
    },
    /// The TTL is below one millisecond or above a year.
    #[error("invalid cache TTL {ttl:?}: {reason}")]
    InvalidTtl { ttl: Duration, reason: &'static str },
    /// The Redis URL does not parse (the URL itself is not repeated: it may carry a password).
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(String),
    /// The loader of [`crate::Cache::get_or_load`] failed; every caller waiting on the same load
    /// gets the same error, and nothing was cached.
    #[error("loading {key:?} failed: {source}")]
    Load {
        key: String,
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
    /// The load task ended without an answer (it panicked).
    #[error("loading {key:?} was abandoned: {reason}")]
    LoadAbandoned { key: String, reason: String },
    /// A typed helper could not encode the value.
    #[error("encoding the value of {key:?}: {message}")]
    Encode { key: String, message: String },
    /// A typed helper could not decode a freshly loaded value.
    #[error("decoding the value of {key:?}: {message}")]
    Decode { key: String, message: String },
    /// Redis did not answer (or failed) an explicit health check ([`crate::RedisCache::ping`],
    /// [`crate::RedisLeases::ping`]) or a lease call ([`crate::Leases`]): whoever asked for a lease
    /// does not hold it.
    #[error("Redis is unavailable: {0}")]
    Unavailable(String),
    /// The in-process store refused an operation (a bug: reported, never hidden).
    #[error("in-process cache: {0}")]
    Local(String),
}
