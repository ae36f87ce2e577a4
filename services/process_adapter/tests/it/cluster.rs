//! Two adapter instances share channels: each channel is polled by one of them; both push every
//! change to their own clients; killing the holder hands the channel to the other within a few
//! seconds. Run on the embedded set (in-process leases and cache, the embedded durable queue)
//! and on the real one (Redis, RabbitMQ).

use std::sync::Arc;
use std::time::{Duration, Instant};

use carpetti_cache::{
    DynCache, DynLeases, MemoryCache, MemoryLeases, MemoryOptions, RedisCache, RedisLeases,
    RedisOptions,
};
use carpetti_process_adapter::cluster::Cluster;
use carpetti_queue::{Bus, EmbeddedBus, EmbeddedOptions, RabbitBus, RabbitConfig};

use crate::support::{TestAdapter, TestEngine, Viewer, at, eventually};

struct Backends {
    leases: DynLeases,
    cache: DynCache,
    bus: Arc<dyn Bus>,
    _dir: Option<tempfile::TempDir>,
}

impl Backends {
    fn cluster(&self) -> Arc<Cluster> {
        Arc::new(Cluster::new(
            self.leases.clone(),
            self.bus.clone(),
            self.cache.clone(),
            Duration::from_millis(1200),
        ))
    }
}

async fn embedded() -> anyhow::Result<Backends> {
    let dir = tempfile::tempdir()?;
    let bus = EmbeddedBus::open(&dir.path().join("queue.db"), EmbeddedOptions::default()).await?;
    Ok(Backends {
        leases: Arc::new(MemoryLeases::new()),
        cache: Arc::new(MemoryCache::new(MemoryOptions::new("adapter-cluster"))?),
        bus: Arc::new(bus),
        _dir: Some(dir),
    })
}

async fn real() -> anyhow::Result<Backends> {
    let redis = std::env::var("CARPETTI_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let amqp = std::env::var("CARPETTI_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let namespace = format!("adapter-test-{}", uuid::Uuid::now_v7().simple());
    let leases =
        RedisLeases::connect(&redis, RedisOptions::new(format!("{namespace}.leases"))).await?;
    leases.ping().await?;
    let cache = RedisCache::connect(&redis, RedisOptions::new(namespace.clone())).await?;
    let exchange = format!("carpetti-adapter-test-{}", uuid::Uuid::now_v7().simple());
    let bus = RabbitBus::connect(RabbitConfig::new(&amqp).with_exchange(&exchange)).await?;
    Ok(Backends {
        leases: Arc::new(leases),
        cache: Arc::new(cache),
        bus: Arc::new(bus),
        _dir: None,
    })
}

async fn shared_channel_survives_its_holder(backends: Backends) -> anyhow::Result<()> {
    let engine = TestEngine::start().await?;
    engine.deploy("adapter-steps.bpmn").await?;
    engine.start_process("adapter-steps", "shared").await?;
    let first = TestAdapter::start(&engine.url, Some(backends.cluster())).await?;
    let second = TestAdapter::start(&engine.url, Some(backends.cluster())).await?;

    let mut on_first = Viewer::connect(&first.ws_url()).await?;
    on_first.subscribe("shared").await?;
    assert_eq!(on_first.next().await?["type"], "schema");
    assert_eq!(at(&on_first.next_of("cursor").await?), vec!["Task_A"]);
    let mut on_second = Viewer::connect(&second.ws_url()).await?;
    on_second.subscribe("shared").await?;
    assert_eq!(on_second.next().await?["type"], "schema");
    assert_eq!(at(&on_second.next_of("cursor").await?), vec!["Task_A"]);

    let (a, b) = (first.stats().await?, second.stats().await?);
    assert_eq!(
        a.polling + b.polling,
        1,
        "one instance polls the channel: {a:?} {b:?}"
    );
    assert_eq!(
        a.polling, 1,
        "the first subscriber's instance took the lease"
    );
    let second_calls = b.engine_calls;

    engine.complete("adapter.a", "shared").await?;
    let x = on_first.cursor_until(|c| at(c) == ["Task_B"]).await?;
    let y = on_second.cursor_until(|c| at(c) == ["Task_B"]).await?;
    assert_eq!(x["seq"], y["seq"], "the same state on both instances");
    let b = second.stats().await?;
    assert!(
        b.engine_calls <= second_calls + 1,
        "the follower did not poll: {} → {}",
        second_calls,
        b.engine_calls
    );

    // The holder dies without releasing anything; the other takes the channel over.
    first.kill();
    let killed = Instant::now();
    eventually(Duration::from_secs(8), || async {
        Ok(second.stats().await?.polling == 1)
    })
    .await?;
    let takeover = killed.elapsed();
    assert!(
        takeover < Duration::from_secs(5),
        "takeover took {takeover:?}"
    );
    engine.complete("adapter.b", "shared").await?;
    let last = on_second.cursor_until(|c| c["ended"] == true).await?;
    assert_eq!(last["state"], "COMPLETED");
    assert!(
        last["seq"].as_u64() > y["seq"].as_u64(),
        "numbering continues: {last} after {y}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_two_instances_share_a_channel_and_take_over() -> anyhow::Result<()> {
    shared_channel_survives_its_holder(embedded().await?).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_rabbit_two_instances_share_a_channel_and_take_over() -> anyhow::Result<()> {
    shared_channel_survives_its_holder(real().await?).await
}
