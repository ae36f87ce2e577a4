//! The embedded backend's own guarantees: a crash (the bus dropped without closing, handlers
//! mid-flight) loses nothing, it runs in a database shared with a service, and ephemeral groups
//! go with their subscriber, or with the heartbeat of a crashed process.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Result, ensure};
use carpetti_queue::{
    Bus, EmbeddedBus, EmbeddedOptions, MessageId, QueueError, Subscription, Topic, TopicPattern,
};
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

/// `(ephemeral groups, messages, bus heartbeats)` in the queue file.
async fn ephemeral_rows(path: &std::path::Path) -> Result<(i64, i64, i64)> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = sqlx::ConnectOptions::connect(&options).await?;
    let counts = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM queue_group WHERE ephemeral_owner IS NOT NULL),
                (SELECT COUNT(*) FROM queue_message),
                (SELECT COUNT(*) FROM queue_bus_instance)",
    )
    .fetch_one(&mut conn)
    .await?;
    sqlx::Connection::close(conn).await?;
    Ok(counts)
}

/// Polls until the file holds no ephemeral group and no message.
async fn until_purged(path: &std::path::Path) -> Result<()> {
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    loop {
        let (groups, messages, _) = ephemeral_rows(path).await?;
        if groups == 0 && messages == 0 {
            return Ok(());
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "{groups} ephemeral groups, {messages} messages left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn short_expiry() -> EmbeddedOptions {
    EmbeddedOptions {
        ephemeral_expiry: Duration::from_secs(1),
        ..embedded_options()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ephemeral_groups_of_a_crashed_bus_are_purged() -> Result<()> {
    let dir = TestSqliteDatabase::create()?;
    let path = dir.dir().join("queue.db");
    let topic = Topic::parse("cursor.changed")?;
    let sub =
        Subscription::new("adapter.crashed", vec![TopicPattern::parse("cursor.#")?]).ephemeral();
    let crash = || async {
        let bus = EmbeddedBus::open(&path, short_expiry()).await?;
        let deliveries = bus.subscribe(sub.clone()).await?;
        bus.publish_batch((0..5).map(|seq| widget(&topic, seq)).collect())
            .await?;
        // The crash: the tasks stop where they are; the group and its messages stay behind.
        drop(bus);
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(deliveries);
        let (groups, messages, _) = ephemeral_rows(&path).await?;
        ensure!(
            groups == 1 && messages == 5,
            "{groups} groups, {messages} messages"
        );
        anyhow::Ok(())
    };

    // Crashed a while ago (its heartbeat expired): purged when the queue opens.
    crash().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let bus = EmbeddedBus::open(&path, short_expiry()).await?;
    let (groups, messages, _) = ephemeral_rows(&path).await?;
    ensure!(
        groups == 0 && messages == 0,
        "{groups} groups, {messages} messages after open"
    );
    // The name is free again and the new group starts empty.
    let mut again = bus.subscribe(sub.clone()).await?;
    assert_quiet(&mut again, QUIET).await?;
    bus.publish(widget(&topic, 9)).await?;
    let delivery = recv(&mut again).await?;
    ensure!(seq_of(&delivery)? == 9);
    delivery.ack().await?;
    // A clean close removes the bus's ephemeral groups and its heartbeat.
    bus.close().await;
    drop(again);
    ensure!(ephemeral_rows(&path).await? == (0, 0, 0));

    // Crashed just now (its heartbeat still fresh when the queue reopens): purged by the new
    // bus's heartbeat once the old one expires.
    crash().await?;
    let bus = EmbeddedBus::open(&path, short_expiry()).await?;
    until_purged(&path).await?;
    bus.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_ephemeral_group_survives_another_bus_on_the_file() -> Result<()> {
    let dir = TestSqliteDatabase::create()?;
    let path = dir.dir().join("queue.db");
    let topic = Topic::parse("cursor.changed")?;
    let sub = Subscription::new("adapter.live", vec![TopicPattern::parse("cursor.#")?]).ephemeral();
    let first = EmbeddedBus::open(&path, short_expiry()).await?;
    let mut deliveries = first.subscribe(sub.clone()).await?;
    // Well past the expiry: only the heartbeat keeps the group alive.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let second = EmbeddedBus::open(&path, short_expiry()).await?;
    let refused = second.subscribe(sub.clone()).await;
    ensure!(
        matches!(refused, Err(QueueError::InvalidGroup { .. })),
        "a second bus took a live ephemeral group: {:?}",
        refused.err()
    );
    // The other process's publish reaches the live group.
    second.publish(widget(&topic, 1)).await?;
    let delivery = recv(&mut deliveries).await?;
    ensure!(seq_of(&delivery)? == 1);
    delivery.ack().await?;

    // Its subscriber leaves: the group goes, the name is free for the other bus.
    drop(deliveries);
    until_purged(&path).await?;
    let mut taken = second.subscribe(sub).await?;
    second.publish(widget(&topic, 2)).await?;
    ensure!(seq_of(&recv(&mut taken).await?)? == 2);
    drop(taken);
    first.close().await;
    second.close().await;
    ensure!(ephemeral_rows(&path).await? == (0, 0, 0));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ephemeral_subscription_ends_when_its_group_was_purged() -> Result<()> {
    let dir = TestSqliteDatabase::create()?;
    let path = dir.dir().join("queue.db");
    let bus = EmbeddedBus::open(&path, embedded_options()).await?;
    let sub =
        Subscription::new("adapter.stalled", vec![TopicPattern::parse("cursor.#")?]).ephemeral();
    let mut deliveries = bus.subscribe(sub).await?;
    // Another process took this bus for dead (as after a heartbeat stalled past the expiry).
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .busy_timeout(Duration::from_secs(30));
    let mut conn = sqlx::ConnectOptions::connect(&options).await?;
    sqlx::query("DELETE FROM queue_binding")
        .execute(&mut conn)
        .await?;
    sqlx::query("DELETE FROM queue_group")
        .execute(&mut conn)
        .await?;
    sqlx::Connection::close(conn).await?;
    // The subscription ends instead of reading whatever group gets that id next.
    let ended = tokio::time::timeout(crate::support::PATIENCE, deliveries.next()).await;
    ensure!(
        matches!(ended, Ok(None)),
        "the subscription of a purged group went on"
    );
    bus.close().await;
    Ok(())
}
