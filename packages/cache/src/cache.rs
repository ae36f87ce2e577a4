//! The [`Cache`] contract every backend implements, over bytes. Typed helpers for protobuf
//! messages and JSON values sit on top of it in [`crate::CacheExt`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;

use crate::error::{BoxError, CacheError};
use crate::metrics::CacheStats;

/// The source of a value for [`Cache::get_or_load`]: a future run at most once per key at a time
/// in this process (it is only polled by the caller that starts the load).
pub type Loader = BoxFuture<'static, Result<Bytes, BoxError>>;

/// A cache shared behind a pointer: what services hold.
pub type DynCache = Arc<dyn Cache>;

/// A namespaced byte cache.
///
/// Keys are the caller's own (`product:42`); the backend stores them under
/// `carpetti:<namespace>:<key>`. Backend unavailability never fails a call: a read becomes a
/// miss and a write is skipped, each with a logged warning. Errors are bad input (key, TTL) and
/// a loader's own failure.
#[async_trait::async_trait]
pub trait Cache: Send + Sync + 'static {
    /// The namespace every key of this cache lives in.
    fn namespace(&self) -> &str;

    /// A short description for logs and benchmark reports (`redis 127.0.0.1:6379 + near-cache`).
    fn describe(&self) -> String;

    /// Counters of this instance (shared by its clones).
    fn stats(&self) -> CacheStats;

    /// The value under `key`, if any and not expired.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError>;

    /// Stores `value` under `key` for `ttl` (1 ms to a year), replacing any previous value.
    async fn set(&self, key: &str, value: Bytes, ttl: Duration) -> Result<(), CacheError>;

    /// Removes `key` here and in every other instance's local layer.
    async fn delete(&self, key: &str) -> Result<(), CacheError>;

    /// Removes every key starting with `prefix` (the empty prefix is the whole namespace), here
    /// and in every other instance's local layer.
    async fn delete_prefix(&self, prefix: &str) -> Result<(), CacheError>;

    /// The value under `key`; on a miss, runs `load`, caches its value for `ttl` and returns it.
    ///
    /// Single-flight: concurrent callers for the same key in this process wait for one load and
    /// share its value or its error. An error is never cached. A load overtaken by an
    /// invalidation of its key (`set`, `delete`, `delete_prefix`, here or in another instance)
    /// still answers its callers but does not write its value.
    async fn get_or_load(
        &self,
        key: &str,
        ttl: Duration,
        load: Loader,
    ) -> Result<Bytes, CacheError>;
}
