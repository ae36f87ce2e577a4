//! The in-process backend (moka), used by `carpetti up`.
//!
//! "Cross-instance" in the embedded single-process mode: every service runs in one process and
//! is handed a clone of the same [`MemoryCache`]; clones share the store, the loads in flight and
//! the counters, so an invalidation through any clone is seen by all of them at once. There is no
//! other process to notify. Two separately constructed `MemoryCache`s share nothing.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::cache::{Cache, Loader};
use crate::error::CacheError;
use crate::flight::{self, Flights, LoadTarget};
use crate::key;
use crate::local::LocalStore;
use crate::metrics::{CacheStats, Instruments, Layer};

/// Options of the in-process backend.
#[derive(Debug, Clone)]
pub struct MemoryOptions {
    /// The namespace of the keys (`[a-z0-9_.-]`, up to 64 characters).
    pub namespace: String,
    /// Upper bound of keys + values held, in bytes (least valuable entries are evicted first).
    pub max_bytes: u64,
}

impl MemoryOptions {
    /// 64 MiB in `namespace`.
    pub fn new(namespace: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            max_bytes: 64 << 20,
        }
    }
}

/// The in-process cache. Cheap to clone; clones are the same cache.
#[derive(Clone)]
pub struct MemoryCache {
    inner: Arc<Inner>,
}

struct Inner {
    namespace: Arc<str>,
    store: LocalStore,
    flights: Arc<Flights>,
    instruments: Arc<Instruments>,
    max_bytes: u64,
}

impl MemoryCache {
    /// A new, empty cache.
    pub fn new(options: MemoryOptions) -> Result<Self, CacheError> {
        let namespace = key::namespace(&options.namespace)?;
        Ok(Self {
            inner: Arc::new(Inner {
                store: LocalStore::new(options.max_bytes),
                flights: Arc::default(),
                instruments: Arc::new(Instruments::new(Arc::clone(&namespace))),
                namespace,
                max_bytes: options.max_bytes,
            }),
        })
    }
}

#[async_trait::async_trait]
impl Cache for MemoryCache {
    fn namespace(&self) -> &str {
        &self.inner.namespace
    }

    fn describe(&self) -> String {
        format!(
            "in-process (moka, {} MiB)",
            self.inner.max_bytes.div_ceil(1 << 20)
        )
    }

    fn stats(&self) -> CacheStats {
        self.inner.instruments.snapshot()
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        key::check_key(key)?;
        self.read(key).await
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        key::check_key(key)?;
        key::check_ttl(ttl)?;
        self.inner.flights.invalidate(key);
        self.write_loaded(key, value, ttl).await;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        key::check_key(key)?;
        self.inner.flights.invalidate(key);
        self.remove_loaded(key).await;
        self.inner.instruments.invalidation(false);
        Ok(())
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<(), CacheError> {
        key::check_prefix(prefix)?;
        self.inner.flights.invalidate_prefix(prefix);
        self.inner.store.invalidate_prefix(prefix)?;
        self.inner.instruments.invalidation(false);
        Ok(())
    }

    async fn get_or_load(
        &self,
        key: &str,
        ttl: Duration,
        load: Loader,
    ) -> Result<Bytes, CacheError> {
        flight::get_or_load(
            self,
            &self.inner.flights,
            &self.inner.instruments,
            key,
            ttl,
            load,
        )
        .await
    }
}

#[async_trait::async_trait]
impl LoadTarget for MemoryCache {
    async fn read(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        let found = self.inner.store.get(key).await;
        match found {
            Some(_) => self.inner.instruments.hit(Layer::Local),
            None => self.inner.instruments.miss(),
        }
        Ok(found)
    }

    async fn write_loaded(&self, key: &str, value: Bytes, ttl: Duration) {
        self.inner.store.insert(key, value, ttl).await;
    }

    async fn remove_loaded(&self, key: &str) {
        self.inner.store.invalidate(key).await;
    }
}
