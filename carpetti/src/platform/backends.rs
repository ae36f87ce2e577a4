//! The queue, the cache and the leases a run uses: RabbitMQ / Redis when their URLs are configured, else the
//! embedded durable queue in `{data_dir}/queue.db` and the in-process cache.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use carpetti_cache::{
    DynCache, DynLeases, MemoryCache, MemoryLeases, MemoryOptions, NearCacheOptions, RedisCache,
    RedisLeases, RedisOptions,
};
use carpetti_config::Config;
use carpetti_queue::{Bus, EmbeddedBus, EmbeddedOptions, InstrumentedBus, RabbitBus, RabbitConfig};
use secrecy::ExposeSecret;

/// Connects the bus (with trace stamping and publish counts around it).
pub async fn open_bus(config: &Config) -> anyhow::Result<Arc<dyn Bus>> {
    let bus: Arc<dyn Bus> = match &config.queue.amqp_url {
        Some(url) => {
            let rabbit =
                RabbitConfig::new(url.expose_secret()).with_exchange(&config.queue.exchange);
            Arc::new(
                RabbitBus::connect(rabbit)
                    .await
                    .context("connecting to RabbitMQ (queue.amqp_url)")?,
            )
        }
        None => {
            let path = config.data_dir.join("queue.db");
            Arc::new(
                EmbeddedBus::open(&path, EmbeddedOptions::default())
                    .await
                    .with_context(|| format!("opening the embedded queue {}", path.display()))?,
            )
        }
    };
    Ok(Arc::new(InstrumentedBus::new(bus)))
}

/// Connects the cache. Redis being down at start is not fatal: the cache serves from the source
/// and reconnects (see carpetti-cache).
pub async fn open_cache(config: &Config) -> anyhow::Result<DynCache> {
    let namespace = config.cache.namespace.clone();
    Ok(match &config.cache.redis_url {
        Some(url) => {
            let options = RedisOptions {
                command_timeout: Duration::from_millis(config.cache.timeout_ms),
                near_cache: Some(NearCacheOptions {
                    max_bytes: config.cache.max_bytes,
                    ..NearCacheOptions::default()
                }),
                ..RedisOptions::new(namespace)
            };
            Arc::new(
                RedisCache::connect(url.expose_secret(), options)
                    .await
                    .context("cache.redis_url")?,
            )
        }
        None => Arc::new(
            MemoryCache::new(MemoryOptions {
                max_bytes: config.cache.max_bytes,
                ..MemoryOptions::new(namespace)
            })
            .context("the in-process cache")?,
        ),
    })
}

/// The channel leases of the process adapter's cluster: Redis when `cache.redis_url` is set
/// (shared by every instance), else in-process (one instance).
pub async fn open_leases(config: &Config) -> anyhow::Result<DynLeases> {
    // A namespace of their own: a cache's `delete_prefix("")` must never drop leases.
    let namespace = format!("{}.leases", config.cache.namespace);
    Ok(match &config.cache.redis_url {
        Some(url) => {
            let options = RedisOptions {
                command_timeout: Duration::from_millis(config.cache.timeout_ms),
                ..RedisOptions::new(namespace)
            };
            Arc::new(
                RedisLeases::connect(url.expose_secret(), options)
                    .await
                    .context("cache.redis_url")?,
            )
        }
        None => Arc::new(MemoryLeases::new()),
    })
}
