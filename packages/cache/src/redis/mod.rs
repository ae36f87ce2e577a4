//! The Redis backend: redis-rs `ConnectionManager` (multiplexed, reconnecting), a timeout on
//! every call, a circuit breaker, an optional near-cache kept coherent over pub/sub.
//!
//! Failure behaviour: Redis unavailable never fails a call. A read becomes a miss (so
//! `get_or_load` loads from the source), a write or delete is skipped with a warning — and the
//! near-cache entry is dropped locally, so this instance never serves what it failed to
//! overwrite; TTLs bound how long Redis itself may keep it.

mod breaker;
pub(crate) mod connect;
mod near;
mod options;
mod subscriber;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use redis::aio::ConnectionManager;
use tokio::task::JoinHandle;
use uuid::Uuid;

use self::breaker::Breaker;
use self::near::Near;
pub use self::options::{NearCacheOptions, RedisOptions};
use self::subscriber::{Invalidation, Kind, Subscriber};
use crate::cache::{Cache, Loader};
use crate::error::CacheError;
use crate::flight::{self, Flights, LoadTarget};
use crate::key;
use crate::metrics::{CacheStats, Instruments, Layer};
use carpetti_util::breaker::BreakerState;

/// The Redis-backed cache. Cheap to clone; clones share the connection, near-cache and loads.
#[derive(Clone)]
pub struct RedisCache {
    inner: Arc<Inner>,
}

struct Inner {
    namespace: Arc<str>,
    /// `carpetti:<namespace>:`
    prefix: String,
    channel: String,
    instance: Uuid,
    address: String,
    conn: ConnectionManager,
    breaker: Breaker,
    near: Option<Arc<Near>>,
    flights: Arc<Flights>,
    instruments: Arc<Instruments>,
    options: RedisOptions,
    subscription: Option<JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = &self.subscription {
            task.abort();
        }
    }
}

impl RedisCache {
    /// Connects to Redis at `url` (`redis://[user:password@]host:port[/db]`). Only a bad URL or
    /// bad options fail: an unreachable Redis is logged and the cache starts degraded (serving
    /// from the source) and recovers by itself. Call [`RedisCache::ping`] to require Redis.
    /// Must run inside a Tokio runtime.
    pub async fn connect(url: &str, options: RedisOptions) -> Result<Self, CacheError> {
        let namespace = key::namespace(&options.namespace)?;
        let connect::Connection {
            client,
            conn,
            address,
        } = connect::open(url, &options)?;
        let instruments = Arc::new(Instruments::new(Arc::clone(&namespace)));
        let flights = Arc::<Flights>::default();
        let instance = Uuid::now_v7();
        let channel = key::channel(&namespace);
        let near = options.near_cache.as_ref().map(|near| {
            Arc::new(Near::new(
                near.max_bytes,
                near.max_ttl,
                Arc::clone(&instruments),
            ))
        });
        let subscription = near.as_ref().map(|near| {
            tokio::spawn(
                Subscriber {
                    client,
                    channel: channel.clone(),
                    instance,
                    near: Arc::clone(near),
                    flights: Arc::clone(&flights),
                    instruments: Arc::clone(&instruments),
                    timeout: options.connect_timeout,
                }
                .run(),
            )
        });
        let cache = Self {
            inner: Arc::new(Inner {
                prefix: key::namespace_prefix(&namespace),
                namespace,
                channel,
                instance,
                address,
                conn,
                breaker: Breaker::new(
                    options.breaker_threshold,
                    options.breaker_cooldown,
                    Arc::clone(&instruments),
                ),
                near,
                flights,
                instruments,
                options,
                subscription,
            }),
        };
        if let Err(e) = cache.ping().await {
            tracing::warn!(address = %cache.inner.address, error = %e,
                "Redis is not reachable: the cache serves from the source until it is");
        }
        Ok(cache)
    }

    /// Checks that Redis answers (a health check); does not touch the breaker.
    pub async fn ping(&self) -> Result<(), CacheError> {
        let ping = self.query::<String>(redis::cmd("PING"));
        match tokio::time::timeout(self.inner.options.connect_timeout, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(CacheError::Unavailable(e.to_string())),
            Err(_) => Err(CacheError::Unavailable(format!(
                "no answer from {} within {:?}",
                self.inner.address, self.inner.options.connect_timeout
            ))),
        }
    }

    /// The circuit breaker's state.
    pub fn breaker_state(&self) -> BreakerState {
        self.inner.breaker.state()
    }

    /// Whether the near-cache is in use (enabled and its invalidation subscription live).
    pub fn near_cache_live(&self) -> bool {
        self.inner.near.as_ref().is_some_and(|near| near.is_live())
    }

    fn full(&self, key: &str) -> String {
        format!("{}{key}", self.inner.prefix)
    }

    /// Runs one Redis call through the breaker and the timeout; `None` when it was skipped or
    /// failed (logged and counted).
    async fn guarded<T>(
        &self,
        op: &'static str,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        let inner = &self.inner;
        let Ok(permit) = inner.breaker.try_acquire() else {
            inner.instruments.backend_skipped(op);
            return None;
        };
        let error = match tokio::time::timeout(inner.options.command_timeout, call).await {
            Ok(Ok(value)) => {
                permit.success();
                inner.breaker.succeeded();
                return Some(value);
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("timed out after {:?}", inner.options.command_timeout),
        };
        permit.failure();
        inner.breaker.failed();
        inner.instruments.backend_error(op);
        if inner.breaker.state() == BreakerState::Closed {
            tracing::warn!(op, cache = %inner.namespace, %error,
                "Redis call failed: served from the source");
        } else {
            tracing::debug!(op, cache = %inner.namespace, %error, "Redis call failed");
        }
        None
    }

    fn query<T: redis::FromRedisValue>(
        &self,
        cmd: redis::Cmd,
    ) -> impl Future<Output = redis::RedisResult<T>> + Send + 'static {
        let mut conn = self.inner.conn.clone();
        async move { cmd.query_async(&mut conn).await }
    }

    fn query_pipe<T: redis::FromRedisValue>(
        &self,
        pipe: redis::Pipeline,
    ) -> impl Future<Output = redis::RedisResult<T>> + Send + 'static {
        let mut conn = self.inner.conn.clone();
        async move { pipe.query_async(&mut conn).await }
    }

    fn message(&self, kind: Kind, target: &str) -> Vec<u8> {
        Invalidation::encode(self.inner.instance, kind, target)
    }

    async fn delete_prefix_in_redis(&self, prefix: &str) {
        let pattern = format!("{}*", key::glob_escape(&self.full(prefix)));
        let mut cursor: u64 = 0;
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(self.inner.options.scan_count);
            let scan = self.query::<(u64, Vec<Vec<u8>>)>(scan);
            let Some((next, keys)) = self.guarded("scan", scan).await else {
                tracing::warn!(cache = %self.inner.namespace, prefix,
                    "prefix delete stopped early: remaining keys expire by their TTL");
                return;
            };
            if !keys.is_empty() {
                let mut unlink = redis::cmd("UNLINK");
                unlink.arg(keys);
                let unlink = self.query::<u64>(unlink);
                if self.guarded("unlink", unlink).await.is_none() {
                    tracing::warn!(cache = %self.inner.namespace, prefix,
                        "prefix delete stopped early: remaining keys expire by their TTL");
                    return;
                }
            }
            if next == 0 {
                return;
            }
            cursor = next;
        }
    }
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    fn namespace(&self) -> &str {
        &self.inner.namespace
    }

    fn describe(&self) -> String {
        match &self.inner.options.near_cache {
            Some(near) => format!(
                "redis {} + near-cache ({} MiB, ≤ {:?})",
                self.inner.address,
                near.max_bytes.div_ceil(1 << 20),
                near.max_ttl
            ),
            None => format!("redis {}", self.inner.address),
        }
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
        if let Some(near) = &self.inner.near {
            near.invalidate_prefix(prefix)?;
        }
        self.delete_prefix_in_redis(prefix).await;
        let mut publish = redis::cmd("PUBLISH");
        publish
            .arg(&self.inner.channel)
            .arg(self.message(Kind::Prefix, prefix));
        let publish = self.query::<()>(publish);
        self.guarded("publish", publish).await;
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
impl LoadTarget for RedisCache {
    async fn read(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        let inner = &self.inner;
        let near = inner.near.as_ref().filter(|near| near.is_live());
        if let Some(near) = near
            && let Some(value) = near.get(key).await
        {
            inner.instruments.hit(Layer::Local);
            return Ok(Some(value));
        }
        let full = self.full(key);
        let found = match near {
            Some(near) => {
                let seen = near.epoch(key);
                let mut read = redis::pipe();
                read.cmd("GET").arg(&full).cmd("PTTL").arg(&full);
                let read = self.query_pipe::<(Option<Bytes>, i64)>(read);
                match self.guarded("get", read).await {
                    Some((Some(value), pttl)) => {
                        if let Ok(ms) = u64::try_from(pttl) {
                            near.fill(key, value.clone(), Duration::from_millis(ms), seen)
                                .await;
                        }
                        Some(value)
                    }
                    Some((None, _)) | None => None,
                }
            }
            None => {
                let mut read = redis::cmd("GET");
                read.arg(&full);
                let read = self.query::<Option<Bytes>>(read);
                self.guarded("get", read).await.flatten()
            }
        };
        match found {
            Some(_) => inner.instruments.hit(Layer::Redis),
            None => inner.instruments.miss(),
        }
        Ok(found)
    }

    async fn write_loaded(&self, key: &str, value: Bytes, ttl: Duration) {
        let inner = &self.inner;
        let seen = match &inner.near {
            Some(near) => {
                near.invalidate(key).await;
                Some(near.epoch(key))
            }
            None => None,
        };
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let mut write = redis::pipe();
        write
            .cmd("SET")
            .arg(self.full(key))
            .arg(value.as_ref())
            .arg("PX")
            .arg(ms)
            .ignore()
            .cmd("PUBLISH")
            .arg(&inner.channel)
            .arg(self.message(Kind::Key, key))
            .ignore();
        let write = self.query_pipe::<()>(write);
        if self.guarded("set", write).await.is_some()
            && let (Some(near), Some(seen)) = (&inner.near, seen)
        {
            near.fill(key, value, ttl, seen).await;
        }
    }

    async fn remove_loaded(&self, key: &str) {
        let inner = &self.inner;
        if let Some(near) = &inner.near {
            near.invalidate(key).await;
        }
        let mut delete = redis::pipe();
        delete
            .cmd("UNLINK")
            .arg(self.full(key))
            .ignore()
            .cmd("PUBLISH")
            .arg(&inner.channel)
            .arg(self.message(Kind::Key, key))
            .ignore();
        let delete = self.query_pipe::<()>(delete);
        self.guarded("delete", delete).await;
    }
}
