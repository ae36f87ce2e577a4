//! The two backends behind one harness: `instance()` gives another instance of the cache under
//! test in the same namespace — for Redis a new connection with its own near-cache (another
//! process, in effect); in-process a clone of the one cache (the embedded mode's "instances").
//! `leases()` does the same for leases: a new Redis connection in the harness's namespace, or the
//! one in-process lease table shared.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use carpetti_cache::{
    Cache, DynCache, DynLeases, MemoryCache, MemoryLeases, MemoryOptions, RedisCache, RedisLeases,
    RedisOptions,
};
use carpetti_testkit::redis_server::{TEST_REDIS_URL_ENV, redis_url};

pub enum Backend {
    Redis {
        url: String,
    },
    Memory {
        cache: MemoryCache,
        leases: Arc<MemoryLeases>,
    },
}

pub struct Harness {
    pub backend: Backend,
    pub namespace: String,
}

/// A namespace no other test uses.
pub fn unique_namespace() -> String {
    format!("test-{}", uuid::Uuid::now_v7().simple())
}

impl Harness {
    /// The machine's Redis; fails loudly when it does not answer.
    pub async fn redis() -> Result<Self> {
        let url = redis_url();
        let probe = RedisCache::connect(&url, RedisOptions::new("probe")).await?;
        probe.ping().await.with_context(|| {
            format!(
                "Redis is not reachable at {url}; run scripts/test, which starts it, or set \
                 {TEST_REDIS_URL_ENV}"
            )
        })?;
        Ok(Self {
            backend: Backend::Redis { url },
            namespace: unique_namespace(),
        })
    }

    pub fn memory() -> Result<Self> {
        let namespace = unique_namespace();
        Ok(Self {
            backend: Backend::Memory {
                cache: MemoryCache::new(MemoryOptions::new(namespace.clone()))?,
                leases: Arc::new(MemoryLeases::new()),
            },
            namespace,
        })
    }

    pub fn is_redis(&self) -> bool {
        matches!(self.backend, Backend::Redis { .. })
    }

    /// Another instance of the cache under test, in the harness's namespace.
    pub async fn instance(&self) -> Result<DynCache> {
        match &self.backend {
            Backend::Redis { url } => {
                let cache = RedisCache::connect(url, RedisOptions::new(&self.namespace)).await?;
                wait_until("the near-cache subscription to be live", || {
                    let cache = cache.clone();
                    async move { Ok(cache.near_cache_live()) }
                })
                .await?;
                Ok(Arc::new(cache))
            }
            Backend::Memory { cache, .. } => Ok(Arc::new(cache.clone())),
        }
    }

    /// Another instance of the leases under test, in the harness's namespace: for Redis a new
    /// connection (another process, in effect); in-process the one shared table.
    pub async fn leases(&self) -> Result<DynLeases> {
        Ok(match &self.backend {
            Backend::Redis { url } => {
                Arc::new(RedisLeases::connect(url, RedisOptions::new(&self.namespace)).await?)
            }
            Backend::Memory { leases, .. } => Arc::clone(leases) as DynLeases,
        })
    }

    /// A cache of the same backend in another namespace.
    pub async fn other_namespace(&self) -> Result<DynCache> {
        let namespace = unique_namespace();
        Ok(match &self.backend {
            Backend::Redis { url } => {
                Arc::new(RedisCache::connect(url, RedisOptions::new(namespace)).await?)
            }
            Backend::Memory { .. } => Arc::new(MemoryCache::new(MemoryOptions::new(namespace))?),
        })
    }

    /// Waits (5 s at most) until `cache` has applied `count` invalidations from other instances.
    /// In-process there are none to wait for: the instances are one cache.
    pub async fn remote_invalidations(&self, cache: &DynCache, count: u64) -> Result<()> {
        if !self.is_redis() {
            assert_eq!(cache.stats().remote_invalidations, 0);
            return Ok(());
        }
        let what = format!("{count} remote invalidations");
        wait_until(&what, || {
            let seen = cache.stats().remote_invalidations;
            async move {
                if seen > count {
                    bail!("expected {count} remote invalidations, got {seen}");
                }
                Ok(seen == count)
            }
        })
        .await
    }
}

/// Polls `check` every 20 ms until it says true; fails after 5 s.
pub async fn wait_until<F, Fut>(what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("timed out after 5 s waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Shorthand for a value.
pub fn bytes(text: &str) -> carpetti_cache::Bytes {
    carpetti_cache::Bytes::copy_from_slice(text.as_bytes())
}

/// Whether `cache` currently holds `key` with the value `text`.
pub async fn holds(cache: &dyn Cache, key: &str, text: &str) -> Result<bool> {
    Ok(cache.get(key).await?.as_deref() == Some(text.as_bytes()))
}
