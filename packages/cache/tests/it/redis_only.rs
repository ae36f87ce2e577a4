//! What only the Redis backend has: the key layout in Redis, the behaviour with Redis
//! unreachable, and the fault test — Redis stopped and started under load, no request fails. For
//! leases: their key layout, and an unreachable or stopped Redis failing every lease call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use carpetti_cache::{
    BreakerState, Bytes, Cache, CacheError, Lease, Leases, RedisCache, RedisLeases, RedisOptions,
};
use carpetti_testkit::redis_server::{StoppedRedis, redis_url};
use futures::FutureExt as _;

use crate::support::{Harness, bytes, holds, unique_namespace};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_keys_follow_the_documented_layout() -> Result<()> {
    let harness = Harness::redis().await?;
    let cache = harness.instance().await?;
    cache
        .set("product:1", bytes("v"), Duration::from_secs(60))
        .await?;
    let mut raw = redis::Client::open(redis_url())?
        .get_multiplexed_async_connection()
        .await?;
    let key = format!("carpetti:{}:product:1", harness.namespace);
    let (value, pttl): (Option<Vec<u8>>, i64) = redis::pipe()
        .cmd("GET")
        .arg(&key)
        .cmd("PTTL")
        .arg(&key)
        .query_async(&mut raw)
        .await?;
    assert_eq!(value.as_deref(), Some(&b"v"[..]));
    assert!((1..=60_000).contains(&pttl), "PTTL {pttl}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_unreachable_is_served_from_the_source() -> Result<()> {
    // nothing listens on port 1: every call fails fast, as with a stopped server
    let options = RedisOptions {
        breaker_cooldown: Duration::from_secs(60),
        ..RedisOptions::new(unique_namespace())
    };
    let cache = RedisCache::connect("redis://127.0.0.1:1", options).await?;
    assert!(matches!(
        cache.ping().await,
        Err(CacheError::Unavailable(_))
    ));
    let loads = Arc::new(AtomicU64::new(0));
    for i in 0..10 {
        assert_eq!(cache.get("k").await?, None);
        cache.set("k", bytes("v"), Duration::from_secs(60)).await?;
        let loads = Arc::clone(&loads);
        let value = cache
            .get_or_load(
                "k",
                Duration::from_secs(60),
                async move {
                    loads.fetch_add(1, Ordering::SeqCst);
                    Ok(Bytes::from(format!("from source {i}")))
                }
                .boxed(),
            )
            .await?;
        assert_eq!(value, Bytes::from(format!("from source {i}")));
        cache.delete("k").await?;
        cache.delete_prefix("").await?;
    }
    assert_eq!(
        loads.load(Ordering::SeqCst),
        10,
        "every read went to the source"
    );
    assert_eq!(cache.breaker_state(), BreakerState::Open);
    let stats = cache.stats();
    assert_eq!(
        stats.backend_errors, 5,
        "the breaker opened after 5 failures: {stats:?}"
    );
    assert!(stats.backend_skipped > 0, "{stats:?}");
    assert!(!cache.near_cache_live());
    Ok(())
}

const WORKERS: u64 = 16;
const KEYS: u64 = 200;
const TTL: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Load {
    stop: AtomicBool,
    ops: AtomicU64,
    failures: AtomicU64,
    source_loads: AtomicU64,
    first_failure: std::sync::Mutex<Option<String>>,
}

impl Load {
    fn fail(&self, what: String) {
        self.failures.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut first) = self.first_failure.lock() {
            first.get_or_insert(what);
        }
    }
}

/// One worker: get_or_load on a rotating key (9 ops in 10), set (1 in 10), checking each answer.
async fn hammer(cache: RedisCache, load: Arc<Load>, worker: u64) {
    let mut i = worker;
    while !load.stop.load(Ordering::SeqCst) {
        let n = i % KEYS;
        let key = format!("item:{n}");
        let expected = Bytes::from(format!("value-{n}"));
        if i.is_multiple_of(10) {
            if let Err(e) = cache.set(&key, expected, TTL).await {
                load.fail(format!("set {key}: {e}"));
            }
        } else {
            let source = Arc::clone(&load);
            let value = expected.clone();
            let loader = async move {
                source.source_loads.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
                Ok(value)
            }
            .boxed();
            match cache.get_or_load(&key, TTL, loader).await {
                Ok(value) if value == expected => {}
                Ok(value) => load.fail(format!("get_or_load {key}: wrong value {value:?}")),
                Err(e) => load.fail(format!("get_or_load {key}: {e}")),
            }
        }
        load.ops.fetch_add(1, Ordering::SeqCst);
        i += WORKERS;
        // near-cache hits complete without yielding: let the test's own task run too
        tokio::task::yield_now().await;
    }
}

async fn wait_long(what: &str, within: Duration, check: impl Fn() -> bool) -> Result<()> {
    let deadline = Instant::now() + within;
    while !check() {
        if Instant::now() > deadline {
            bail!("timed out after {within:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_and_started_under_load_no_request_fails() -> Result<()> {
    let harness = Harness::redis().await?;
    let url = redis_url();
    let options = RedisOptions {
        command_timeout: Duration::from_millis(200),
        breaker_cooldown: Duration::from_millis(200),
        ..RedisOptions::new(&harness.namespace)
    };
    let cache = RedisCache::connect(&url, options).await?;
    wait_long("the subscription", Duration::from_secs(5), || {
        cache.near_cache_live()
    })
    .await?;
    let load = Arc::new(Load::default());
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| tokio::spawn(hammer(cache.clone(), Arc::clone(&load), w)))
        .collect();

    tokio::time::sleep(Duration::from_secs(1)).await;
    let ops_before = load.ops.load(Ordering::SeqCst);
    let stopped = tokio::task::spawn_blocking(StoppedRedis::stop).await??;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let ops_down = load.ops.load(Ordering::SeqCst) - ops_before;
    let down = cache.stats();
    tokio::task::spawn_blocking(move || stopped.restart()).await??;
    let restarted = load.ops.load(Ordering::SeqCst);
    let restarted_at = Instant::now();
    wait_long(
        "the breaker to close and the subscription to resume",
        Duration::from_secs(15),
        || cache.breaker_state() == BreakerState::Closed && cache.near_cache_live(),
    )
    .await?;
    let recovered_in = restarted_at.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    load.stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await?;
    }
    let ops = load.ops.load(Ordering::SeqCst);
    let failures = load.failures.load(Ordering::SeqCst);
    let first = load.first_failure.lock().ok().and_then(|f| f.clone());
    eprintln!(
        "ops {ops} (before {ops_before}, while down {ops_down}, after {}), source loads {}, \
         failures {failures}, recovered {recovered_in:?} after the restart, stats {:?}",
        ops - restarted,
        load.source_loads.load(Ordering::SeqCst),
        cache.stats()
    );
    assert_eq!(failures, 0, "no request fails; first: {first:?}");
    assert!(
        ops_before > 0 && ops_down > 0 && ops > restarted,
        "load ran in every phase"
    );
    assert!(
        down.backend_errors > 0 && down.backend_skipped > 0,
        "the outage was seen and the breaker opened: {down:?}"
    );

    // After the restart the cache works through Redis again: what this instance writes, an
    // instance without a near-cache reads from Redis.
    let verify = RedisCache::connect(
        &url,
        RedisOptions {
            near_cache: None,
            ..RedisOptions::new(&harness.namespace)
        },
    )
    .await?;
    verify.ping().await.context("Redis after the restart")?;
    cache.set("after", bytes("restart"), TTL).await?;
    assert!(holds(&verify, "after", "restart").await?);
    let mut found = 0;
    for n in 0..KEYS {
        found += u64::from(verify.get(&format!("item:{n}")).await?.is_some());
    }
    assert!(found > 0, "the load after the restart repopulated Redis");
    assert_eq!(verify.stats().redis_hits, found + 1, "hits come from Redis");

    // and cross-instance invalidation works again: the subscription was re-established
    let other = harness.instance().await?;
    assert!(holds(&*other, "after", "restart").await?);
    assert!(holds(&*other, "after", "restart").await?);
    cache.set("after", bytes("again"), TTL).await?;
    harness.remote_invalidations(&other, 1).await?;
    assert!(holds(&*other, "after", "again").await?);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_lease_keys_follow_the_documented_layout() -> Result<()> {
    let harness = Harness::redis().await?;
    let leases = RedisLeases::connect(&redis_url(), RedisOptions::new(&harness.namespace)).await?;
    let raw = redis::Client::open(redis_url())?
        .get_multiplexed_async_connection()
        .await?;
    let key = format!("carpetti:{}:lease:channel:1", harness.namespace);
    let read = || {
        let mut raw = raw.clone();
        let key = key.clone();
        async move {
            redis::pipe()
                .cmd("GET")
                .arg(&key)
                .cmd("PTTL")
                .arg(&key)
                .query_async::<(Option<String>, i64)>(&mut raw)
                .await
        }
    };
    let lease = leases
        .acquire("channel:1", "adapter-a", Duration::from_secs(60))
        .await?;
    assert_eq!(lease, Lease::Acquired);
    let (holder, pttl) = read().await?;
    assert_eq!(holder.as_deref(), Some("adapter-a"));
    assert!((30_001..=60_000).contains(&pttl), "PTTL {pttl}");
    // a renewal sets the TTL it asks for
    let lease = leases
        .acquire("channel:1", "adapter-a", Duration::from_secs(30))
        .await?;
    assert_eq!(lease, Lease::Renewed);
    let (holder, pttl) = read().await?;
    assert_eq!(holder.as_deref(), Some("adapter-a"));
    assert!((1..=30_000).contains(&pttl), "PTTL {pttl}");
    assert!(leases.release("channel:1", "adapter-a").await?);
    assert_eq!(read().await?, (None, -2));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_unreachable_lease_calls_are_errors() -> Result<()> {
    // nothing listens on port 1: unlike the cache, every lease call fails
    let leases =
        RedisLeases::connect("redis://127.0.0.1:1", RedisOptions::new(unique_namespace())).await?;
    assert!(leases.describe().contains("127.0.0.1:1"));
    let ping = leases.ping().await;
    assert!(matches!(ping, Err(CacheError::Unavailable(_))), "{ping:?}");
    let acquire = leases
        .acquire("channel:1", "adapter-a", Duration::from_secs(60))
        .await;
    assert!(
        matches!(acquire, Err(CacheError::Unavailable(_))),
        "{acquire:?}"
    );
    let release = leases.release("channel:1", "adapter-a").await;
    assert!(
        matches!(release, Err(CacheError::Unavailable(_))),
        "{release:?}"
    );
    let holder = leases.holder("channel:1").await;
    assert!(
        matches!(holder, Err(CacheError::Unavailable(_))),
        "{holder:?}"
    );
    let bad_url = RedisLeases::connect("not a url", RedisOptions::new("ns")).await;
    assert!(matches!(bad_url, Err(CacheError::InvalidUrl(_))));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_lease_calls_are_errors_until_it_is_back() -> Result<()> {
    let harness = Harness::redis().await?;
    let options = RedisOptions {
        command_timeout: Duration::from_millis(200),
        ..RedisOptions::new(&harness.namespace)
    };
    let leases = RedisLeases::connect(&redis_url(), options).await?;
    let ttl = Duration::from_secs(60);
    assert_eq!(
        leases.acquire("channel:1", "adapter-a", ttl).await?,
        Lease::Acquired
    );
    let stopped = tokio::task::spawn_blocking(StoppedRedis::stop).await??;
    for _ in 0..3 {
        let renew = leases.acquire("channel:1", "adapter-a", ttl).await;
        assert!(
            matches!(renew, Err(CacheError::Unavailable(_))),
            "{renew:?}"
        );
        let holder = leases.holder("channel:1").await;
        assert!(
            matches!(holder, Err(CacheError::Unavailable(_))),
            "{holder:?}"
        );
        let release = leases.release("channel:1", "adapter-a").await;
        assert!(
            matches!(release, Err(CacheError::Unavailable(_))),
            "{release:?}"
        );
    }
    tokio::task::spawn_blocking(move || stopped.restart()).await??;
    // the connection comes back by itself; the server lost its data, so the lease is taken anew
    let deadline = Instant::now() + Duration::from_secs(15);
    let lease = loop {
        match leases.acquire("channel:1", "adapter-a", ttl).await {
            Ok(lease) => break lease,
            Err(CacheError::Unavailable(e)) if Instant::now() < deadline => {
                eprintln!("not yet: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e).context("leases after the restart"),
        }
    };
    assert!(lease.is_ours(), "{lease:?}");
    let other = harness.leases().await?;
    assert_eq!(
        other.acquire("channel:1", "adapter-b", ttl).await?,
        Lease::HeldBy("adapter-a".to_owned())
    );
    Ok(())
}
