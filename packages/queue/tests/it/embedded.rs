//! The embedded backend's own guarantees: a crash (the bus dropped without closing, handlers
//! mid-flight) loses nothing, and it runs in a database shared with a service.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Result, ensure};
use carpetti_queue::{Bus, EmbeddedBus, MessageId, QueueError, Subscription, Topic, TopicPattern};
use carpetti_testkit::TestSqliteDatabase;

use crate::backends::embedded_options;
use crate::support::{QUIET, assert_quiet, recv, seq_of, widget};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_run_loses_nothing() -> Result<()> {
    let dir = TestSqliteDatabase::create()?;
    let path = dir.dir().join("queue.db");
    let topic = Topic::parse("crash.items")?;
    let sub = Subscription::new("crash.consumer", vec![TopicPattern::parse("crash.#")?])
        .with_prefetch(128);
    let total = 1000u64;

    let bus = EmbeddedBus::open(&path, embedded_options()).await?;
    let mut deliveries = bus.subscribe(sub.clone()).await?;
    let mut published = Vec::new();
    for chunk in (0..total).collect::<Vec<_>>().chunks(50) {
        let messages: Vec<_> = chunk.iter().map(|seq| widget(&topic, *seq)).collect();
        published.extend(messages.iter().map(|m| m.headers.message_id));
        bus.publish_batch(messages).await?;
    }
    // Consume 400: ack 300, leave 100 in the handler's hands when the process "dies".
    let mut acked = BTreeSet::new();
    let mut in_flight = Vec::new();
    for i in 0..400 {
        let delivery = recv(&mut deliveries).await?;
        if i % 4 == 3 {
            in_flight.push(delivery);
        } else {
            acked.insert(delivery.envelope.headers.message_id);
            delivery.ack().await?;
        }
    }
    // Acks are committed in order with the writer's next batch; this read is behind them.
    bus.dead_letters("crash.consumer", 1).await?;
    // The crash: every task stops where it is; nothing is released or flushed.
    drop(bus);
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(in_flight);
    drop(deliveries);

    let bus = EmbeddedBus::open(&path, embedded_options()).await?;
    let mut deliveries = bus.subscribe(sub).await?;
    let mut redelivered = BTreeSet::new();
    // The leased ones come back after the lease (2 s), the others at once.
    for _ in 0..(total as usize - acked.len()) {
        let delivery = recv(&mut deliveries).await?;
        ensure!(delivery.envelope.headers.attempt == 1);
        ensure!(
            redelivered.insert(delivery.envelope.headers.message_id),
            "delivered twice after restart"
        );
        delivery.ack().await?;
    }
    assert_quiet(&mut deliveries, QUIET).await?;
    let everything: BTreeSet<MessageId> = published.into_iter().collect();
    ensure!(acked.len() == 300);
    ensure!(
        acked.is_disjoint(&redelivered),
        "an acked message came back"
    );
    let union: BTreeSet<_> = acked.union(&redelivered).copied().collect();
    ensure!(
        union == everything,
        "lost {} messages",
        everything.difference(&union).count()
    );
    bus.close().await;

    // After a clean close nothing is pending.
    let bus = EmbeddedBus::open(&path, embedded_options()).await?;
    let mut deliveries = bus
        .subscribe(Subscription::new("crash.consumer", vec![]))
        .await?;
    assert_quiet(&mut deliveries, QUIET).await?;
    bus.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_in_a_shared_database_and_leaves_its_pool_open() -> Result<()> {
    let dir = TestSqliteDatabase::create()?;
    let pool = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path())
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(30)),
    )
    .await?;
    sqlx::query("CREATE TABLE service_state (id INTEGER PRIMARY KEY)")
        .execute(&pool)
        .await?;
    let bus = EmbeddedBus::with_pool(pool.clone(), embedded_options()).await?;
    let topic = Topic::parse("shared.x")?;
    let mut deliveries = bus
        .subscribe(Subscription::new(
            "shared",
            vec![TopicPattern::parse("shared.*")?],
        ))
        .await?;
    bus.publish(widget(&topic, 5)).await?;
    let delivery = recv(&mut deliveries).await?;
    ensure!(seq_of(&delivery)? == 5);
    delivery.ack().await?;
    drop(deliveries);
    bus.close().await;
    ensure!(matches!(
        bus.publish(widget(&topic, 6)).await,
        Err(QueueError::Closed)
    ));
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_message")
        .fetch_one(&pool)
        .await?;
    ensure!(
        rows == 0,
        "the ack was committed by close: {rows} rows left"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_group_names_are_refused() -> Result<()> {
    let dir = TestSqliteDatabase::create()?;
    let bus = EmbeddedBus::open(&dir.dir().join("queue.db"), embedded_options()).await?;
    for bad in ["", "Upper", "white space", "slash/no"] {
        let refused = bus
            .subscribe(Subscription::new(bad, vec![TopicPattern::parse("#")?]))
            .await;
        ensure!(
            matches!(refused, Err(QueueError::InvalidGroup { .. })),
            "{bad:?} accepted"
        );
    }
    bus.close().await;
    Ok(())
}
