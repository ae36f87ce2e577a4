//! The fault test of issue #3: RabbitMQ restarted (`rabbitmqctl stop_app` / `start_app`) in the
//! middle of a 100,000-message run. Publishing (batches with confirms, re-sent on failure as the
//! outbox relay does) and consuming (batches applied through the idempotent-consumer store on
//! PostgreSQL, then acked) run concurrently; the broker goes down
//! once a fifth of the messages is applied. Afterwards every message has been applied exactly once
//! (the service's table holds each seq once), and every duplicate delivery was absorbed by the
//! processed-message store: handled = applied + duplicates, all counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use carpetti_queue::{
    Bus, Deliveries, Delivery, OutgoingMessage, ProcessedMessages, RetryPolicy, Subscription,
    Topic, TopicPattern, migrate,
};
use carpetti_testkit::TestPgDatabase;
use carpetti_testkit::rabbitmq::{StoppedBroker, unique_name};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::rabbit::{test_bus, test_config};
use crate::support::{Widget, widget};

const TOTAL: usize = 100_000;
const BATCH: usize = 500;
const CONSUMERS: usize = 4;
/// The whole run (publish, restart, consume) must finish within this.
const RUN_LIMIT: Duration = Duration::from_secs(150);

/// What the consumer saw: every delivery, the first applications, the duplicates the
/// processed-message store recognised.
#[derive(Default)]
struct Counts {
    handled: AtomicUsize,
    applied: AtomicUsize,
    duplicates: AtomicUsize,
    /// Acks that failed (the connection went under them): as `run_consumer` does, logged and
    /// left to the broker, which redelivers those messages — duplicates, absorbed.
    failed_acks: AtomicUsize,
}

/// The service side: takes what the subscription has ready (up to [`BATCH`]), applies it in one
/// PostgreSQL transaction through the processed-message store, commits, then acks. A crash or a
/// lost connection between commit and ack makes the broker redeliver: a duplicate, absorbed.
async fn apply_once(
    mut deliveries: Deliveries,
    pool: PgPool,
    group: String,
    counts: Arc<Counts>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> Result<()> {
    loop {
        let first = tokio::select! {
            _ = &mut stop => return Ok(()),
            next = deliveries.next() => next.context("the subscription ended")?,
        };
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match tokio::time::timeout(Duration::ZERO, deliveries.next()).await {
                Ok(Some(delivery)) => batch.push(delivery),
                Ok(None) => bail!("the subscription ended"),
                Err(_) => break,
            }
        }
        counts.handled.fetch_add(batch.len(), Ordering::Relaxed);
        let mut items = batch
            .iter()
            .map(|d| {
                Ok((
                    d.envelope.headers.message_id,
                    d.envelope.decode::<Widget>()?.seq,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        // Ascending ids: overlapping redeliveries in two batches lock in the same order.
        items.sort_unstable_by_key(|(id, _)| id.0);
        let mut tx = pool.begin().await?;
        let (mut applied, mut duplicates) = (0, 0);
        for (id, seq) in items {
            if ProcessedMessages::mark_processed(&mut tx, &group, id).await? {
                let seq = i64::try_from(seq)?;
                sqlx::query("INSERT INTO applied (seq) VALUES ($1)")
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                applied += 1;
            } else {
                duplicates += 1;
            }
        }
        tx.commit().await?;
        counts.applied.fetch_add(applied, Ordering::Relaxed);
        counts.duplicates.fetch_add(duplicates, Ordering::Relaxed);
        let acks = futures::future::join_all(batch.into_iter().map(Delivery::ack)).await;
        let failed = acks.iter().filter(|ack| ack.is_err()).count();
        counts.failed_acks.fetch_add(failed, Ordering::Relaxed);
    }
}

async fn database() -> Result<(PgPool, TestPgDatabase)> {
    let db = TestPgDatabase::create().await?;
    // The test database's own durability is not under test: commit without waiting for fsync so
    // 100,000 transactions fit the run.
    let options: PgConnectOptions = db.url().parse()?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.options([("synchronous_commit", "off")]))
        .await?;
    // No key on purpose: a message applied twice shows up as two rows.
    sqlx::query("CREATE TABLE applied (seq BIGINT NOT NULL)")
        .execute(&pool)
        .await?;
    migrate(&pool).await?;
    Ok((pool, db))
}

async fn wait_until(what: &str, deadline: Instant, done: impl Fn() -> bool) -> Result<()> {
    while !done() {
        if Instant::now() >= deadline {
            bail!("timed out waiting until {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_restart_mid_run_loses_nothing_and_duplicates_are_absorbed() -> Result<()> {
    let deadline = Instant::now() + RUN_LIMIT;
    let (pool, _db) = database().await?;
    let config = test_config().with_publish_timeout(Duration::from_secs(60));
    let (rabbit, _guard) = test_bus(config).await?;
    let bus: Arc<dyn Bus> = Arc::new(rabbit.clone());
    let group = unique_name("restart");
    let topic = Topic::parse(&format!("{group}.widget"))?;
    let retry = RetryPolicy {
        initial_delay: Duration::from_millis(200),
        ..RetryPolicy::default()
    };
    let subscription = Subscription::new(&group, vec![TopicPattern::parse(topic.as_str())?])
        .with_prefetch(500)
        .with_retry(retry);

    let counts = Arc::new(Counts::default());
    // Several instances of the group share its messages, each applying its own batches.
    // Subscribed before publishing: the group's queue exists when the first message is routed.
    let mut stops = Vec::new();
    let mut consumers = Vec::new();
    for _ in 0..CONSUMERS {
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let deliveries = bus.subscribe(subscription.clone()).await?;
        let counts = Arc::clone(&counts);
        let consumer = apply_once(deliveries, pool.clone(), group.clone(), counts, stop_rx);
        consumers.push(tokio::spawn(consumer));
        stops.push(stop_tx);
    }

    let messages: Vec<OutgoingMessage> = (0..TOTAL as u64).map(|seq| widget(&topic, seq)).collect();
    let publisher_bus = Arc::clone(&bus);
    let publisher = tokio::spawn(async move {
        let mut resent = 0usize;
        for chunk in messages.chunks(BATCH) {
            // As the outbox relay does: a batch that failed is sent again (duplicates, never loss).
            let mut tries = 0;
            while let Err(err) = publisher_bus.publish_batch(chunk.to_vec()).await {
                tries += 1;
                resent += 1;
                if tries > 5 {
                    return Err(err).context("a batch failed 5 times");
                }
            }
        }
        Ok::<usize, anyhow::Error>(resent)
    });

    // Restart the broker while the run is in full swing.
    wait_until("a fifth of the messages is applied", deadline, || {
        counts.applied.load(Ordering::Relaxed) >= TOTAL / 5
    })
    .await?;
    let applied_at_stop = counts.applied.load(Ordering::Relaxed);
    let outage = tokio::task::spawn_blocking(|| -> Result<Duration> {
        let stopped = StoppedBroker::stop()?;
        let down_at = Instant::now();
        std::thread::sleep(Duration::from_millis(500));
        stopped.start()?;
        Ok(down_at.elapsed())
    })
    .await??;

    let resent = publisher.await??;
    wait_until("every message is applied", deadline, || {
        counts.applied.load(Ordering::Relaxed) >= TOTAL
    })
    .await?;
    // Let redeliveries still under way arrive (and be counted) before stopping.
    let mut last = counts.handled.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = counts.handled.load(Ordering::Relaxed);
        if now == last || Instant::now() >= deadline {
            break;
        }
        last = now;
    }
    for stop in stops {
        let _ = stop.send(());
    }
    for consumer in consumers {
        consumer.await??;
    }

    let handled = counts.handled.load(Ordering::Relaxed);
    let applied = counts.applied.load(Ordering::Relaxed);
    let duplicates = counts.duplicates.load(Ordering::Relaxed);
    let failed_acks = counts.failed_acks.load(Ordering::Relaxed);
    let (rows, distinct, min, max): (i64, i64, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM applied")
            .fetch_one(&pool)
            .await?;
    let reconnects = rabbit.reconnects();
    eprintln!(
        "restart after {applied_at_stop} applied, broker down {outage:?}, {reconnects} \
         reconnect(s); handled {handled}, applied {applied}, duplicates absorbed {duplicates}, \
         failed acks {failed_acks}, batches re-sent {resent}"
    );

    // Restarted mid-run, not before or after, and the bus came back by itself.
    ensure!(
        applied_at_stop > 0 && applied_at_stop < TOTAL,
        "restart at {applied_at_stop}"
    );
    ensure!(reconnects >= 1, "the bus never reconnected");
    // Every message applied exactly once: nothing lost, no duplicate effect.
    ensure!(
        rows == TOTAL as i64 && distinct == TOTAL as i64,
        "{rows} rows, {distinct} distinct"
    );
    ensure!(
        min == Some(0) && max == Some(TOTAL as i64 - 1),
        "seqs {min:?}..{max:?}"
    );
    ensure!(applied == TOTAL, "applied {applied}");
    // Every other handling was a duplicate the processed-message store absorbed.
    ensure!(
        handled == applied + duplicates,
        "handled {handled} = {applied} + {duplicates}?"
    );
    bus.close().await;
    Ok(())
}

/// An ephemeral subscription across a broker restart: its non-durable queue is gone with the
/// broker's application; the subscription declares it again and the stream goes on (what was
/// published while it re-subscribed is not kept for it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_restart_ephemeral_subscription_resubscribes() -> Result<()> {
    let (rabbit, _guard) = test_bus(test_config()).await?;
    let group = unique_name("eph-restart");
    let topic = Topic::parse(&format!("{group}.cursor"))?;
    let subscription =
        Subscription::new(&group, vec![TopicPattern::parse(topic.as_str())?]).ephemeral();
    let mut deliveries = rabbit.subscribe(subscription).await?;
    rabbit.publish(widget(&topic, 1)).await?;
    let first = tokio::time::timeout(Duration::from_secs(15), deliveries.next())
        .await?
        .context("the subscription ended")?;
    first.ack().await?;

    tokio::task::spawn_blocking(|| -> Result<()> {
        let stopped = StoppedBroker::stop()?;
        std::thread::sleep(Duration::from_millis(500));
        stopped.start()
    })
    .await??;

    let got = crate::rabbit::publish_until_received(&rabbit, &topic, &mut deliveries, 2).await?;
    ensure!(got >= 2, "got {got}");
    ensure!(rabbit.reconnects() >= 1, "the bus never reconnected");
    rabbit.close().await;
    Ok(())
}
