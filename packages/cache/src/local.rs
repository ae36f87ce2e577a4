//! The moka store behind the in-process backend and the Redis backend's near-cache: bytes with a
//! TTL per entry (moka's `Expiry`), bounded by total size, with prefix invalidation through
//! moka's invalidation closures (they apply to entries inserted before the call, and `get` never
//! returns an entry they match).

use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::Expiry;
use moka::future::Cache as Moka;

use crate::error::CacheError;

#[derive(Clone)]
struct Entry {
    value: Bytes,
    ttl: Duration,
}

/// Every entry lives for the TTL it was written with; a rewrite restarts it.
struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, entry: &Entry, _now: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Entry,
        _now: Instant,
        _remaining: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// A size-bounded in-process byte store.
#[derive(Clone)]
pub(crate) struct LocalStore {
    cache: Moka<String, Entry>,
}

impl LocalStore {
    /// A store holding at most about `max_bytes` of keys and values.
    pub(crate) fn new(max_bytes: u64) -> Self {
        let cache = Moka::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                // per-entry bookkeeping counted as 64 bytes
                u32::try_from(key.len() + entry.value.len() + 64).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .support_invalidation_closures()
            .build();
        Self { cache }
    }

    pub(crate) async fn get(&self, key: &str) -> Option<Bytes> {
        self.cache.get(key).await.map(|entry| entry.value)
    }

    pub(crate) async fn insert(&self, key: &str, value: Bytes, ttl: Duration) {
        self.cache
            .insert(key.to_owned(), Entry { value, ttl })
            .await;
    }

    pub(crate) async fn invalidate(&self, key: &str) {
        self.cache.invalidate(key).await;
    }

    pub(crate) fn invalidate_prefix(&self, prefix: &str) -> Result<(), CacheError> {
        if prefix.is_empty() {
            self.cache.invalidate_all();
            return Ok(());
        }
        let prefix = prefix.to_owned();
        self.cache
            .invalidate_entries_if(move |key, _| key.starts_with(&prefix))
            .map(|_| ())
            .map_err(|e| CacheError::Local(format!("prefix invalidation: {e}")))
    }

    pub(crate) fn clear(&self) {
        self.cache.invalidate_all();
    }
}
