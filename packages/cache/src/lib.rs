//! package_cache: the cache every Carpetti service uses. It owns the [`Cache`] contract (bytes,
//! with typed protobuf / JSON helpers in [`CacheExt`]): get / set with a TTL, delete, delete by
//! key prefix, get-or-load with single-flight, and cross-instance invalidation; and its two
//! backends: [`RedisCache`] (redis-rs `ConnectionManager`, circuit breaker, near-cache kept
//! coherent over pub/sub) for distributed runs and [`MemoryCache`] (moka) for `carpetti up`.
//!
//! It also owns [`Leases`]: named, expiring, exclusive claims (one holder cluster-wide, renewed
//! by the holder, taken over by another once expired) that the process adapter's instances use to
//! share out channels, with [`RedisLeases`] (atomic Lua scripts) and [`MemoryLeases`]
//! (in-process) behind them.
//!
//! Keys live under `carpetti:<namespace>:<key>`, leases under `carpetti:<namespace>:lease:<name>`.
//! A Redis outage never fails a cache call: reads miss and writes are skipped with a warning, so
//! requests are served from the source. It does fail a lease call ([`CacheError::Unavailable`]):
//! the caller must know it does not hold the lease. Metrics go through the `metrics` facade under
//! the names in [`metrics`].

mod cache;
mod error;
mod flight;
mod key;
mod lease;
mod local;
mod memory;
pub mod metrics;
mod redis;
mod typed;

pub use crate::cache::{Cache, DynCache, Loader};
pub use crate::error::{BoxError, CacheError};
pub use crate::key::ROOT as KEY_ROOT;
pub use crate::lease::{DynLeases, Lease, Leases, MemoryLeases, RedisLeases};
pub use crate::memory::{MemoryCache, MemoryOptions};
pub use crate::metrics::CacheStats;
pub use crate::redis::{NearCacheOptions, RedisCache, RedisOptions};
pub use crate::typed::CacheExt;
pub use bytes::Bytes;
pub use carpetti_util::breaker::BreakerState;
