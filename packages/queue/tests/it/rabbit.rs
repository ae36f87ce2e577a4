//! The RabbitMQ backend: how the shared suite gets a bus on the machine's broker (its own exchange
//! per test, queues that the broker deletes once unused, the exchange deleted when the test ends)
//! and the backend's own tests: the topology it declares, reconnecting after the broker closed
//! every connection, a wrong URL failing loudly, and masked passwords.
//!
//! Every test whose name contains `rabbit` is in the nextest group `rabbitmq` (one at a time):
//! the restart test stops the broker.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use carpetti_queue::{Bus, QueueError, RabbitBus, RabbitConfig, RetryPolicy, Subscription, Topic};
use carpetti_testkit::rabbitmq::{amqp_url, close_all_connections, unique_name};
use lapin::options::{ExchangeDeleteOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};

use crate::support::{recv, widget};

/// Test queues disappear this long after their last use (`x-expires`), even if a test panics.
const QUEUE_EXPIRY: Duration = Duration::from_secs(120);

/// Deletes the test's exchange when dropped (the queues expire on their own).
pub struct ExchangeGuard {
    exchange: String,
}

impl Drop for ExchangeGuard {
    fn drop(&mut self) {
        let exchange = self.exchange.clone();
        // Drop cannot await: a short-lived thread with its own runtime does the AMQP call.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(5), delete_exchange(&exchange))
                    .await
                    .context("timed out")?
            })
        });
        if let Ok(Err(err)) = cleanup.join() {
            eprintln!("could not delete the test exchange: {err:#}");
        }
    }
}

async fn delete_exchange(exchange: &str) -> Result<()> {
    let connection = Connection::connect(&amqp_url(), ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    channel
        .exchange_delete(exchange.into(), ExchangeDeleteOptions::default())
        .await?;
    connection.close(200, "test done".into()).await?;
    Ok(())
}

/// The configuration of a test bus: the machine's broker, a fresh exchange, expiring queues.
pub fn test_config() -> RabbitConfig {
    RabbitConfig::new(amqp_url())
        .with_exchange(unique_name("carpetti-test"))
        .with_queue_expiry(QUEUE_EXPIRY)
        .with_connection_name("carpetti-queue tests")
}

/// A bus on the machine's broker; fails loudly when the broker is unreachable.
pub async fn test_bus(config: RabbitConfig) -> Result<(RabbitBus, ExchangeGuard)> {
    let guard = ExchangeGuard {
        exchange: config.exchange.clone(),
    };
    let bus = RabbitBus::connect(config).await.with_context(|| {
        format!(
            "RabbitMQ is not reachable at {}; run scripts/test, which starts it, or set \
             CARPETTI_TEST_AMQP_URL",
            RabbitConfig::new(amqp_url()).describe()
        )
    })?;
    Ok((bus, guard))
}

/// What a passive declare from another connection says about a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    /// It exists and holds this many messages.
    Exists(u32),
    /// It exists, exclusive to another connection (an ephemeral group's).
    Locked,
    Missing,
}

/// Whether `queue` exists on the broker (a passive declare on a connection of its own).
pub async fn queue_state(queue: &str) -> Result<QueueState> {
    use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
    let connection = Connection::connect(&amqp_url(), ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let state = match channel
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
    {
        Ok(declared) => Ok(QueueState::Exists(declared.message_count())),
        // A refusal closes the channel; its code says why.
        Err(err) => match err.kind() {
            lapin::ErrorKind::ProtocolError(amqp) => match amqp.kind() {
                AMQPErrorKind::Soft(AMQPSoftError::NOTFOUND) => Ok(QueueState::Missing),
                AMQPErrorKind::Soft(AMQPSoftError::RESOURCELOCKED) => Ok(QueueState::Locked),
                _ => Err(anyhow::anyhow!("passive declare of {queue}: {err}")),
            },
            _ => Err(anyhow::anyhow!("passive declare of {queue}: {err}")),
        },
    };
    let _ = connection.close(200, "probe done".into()).await;
    state
}

/// Whether `queue` exists on the broker, and how many messages it holds.
async fn queue_depth(queue: &str) -> Result<Option<u32>> {
    Ok(match queue_state(queue).await? {
        QueueState::Exists(depth) => Some(depth),
        QueueState::Locked => Some(0),
        QueueState::Missing => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_declares_group_retry_tiers_and_dead_letter_queues() -> Result<()> {
    let prefix = format!("{}.", unique_name("t"));
    let (bus, _guard) = test_bus(test_config().with_queue_prefix(&prefix)).await?;
    let retry = RetryPolicy {
        max_attempts: 4,
        initial_delay: Duration::from_millis(100),
        multiplier: 10.0,
        max_delay: Duration::from_secs(5),
    };
    let pattern = carpetti_queue::TopicPattern::parse("topo.#")?;
    let mut deliveries = bus
        .subscribe(Subscription::new("orders", vec![pattern]).with_retry(retry))
        .await?;
    // 100 ms, 1 s, 5 s (capped): three tiers, plus the group's queue and its dead letters.
    for queue in [
        "orders",
        "orders.retry.100",
        "orders.retry.1000",
        "orders.retry.5000",
        "orders.dead",
    ] {
        let name = format!("{prefix}{queue}");
        ensure!(
            queue_depth(&name).await?.is_some(),
            "queue {name} was not declared"
        );
    }
    ensure!(
        queue_depth(&format!("{prefix}orders.retry.10000"))
            .await?
            .is_none()
    );

    // A message routed by the group's pattern arrives with its topic intact after a retry tier.
    let topic = Topic::parse("topo.created")?;
    bus.publish(widget(&topic, 1)).await?;
    let first = recv(&mut deliveries).await?;
    first.nack("not yet").await?;
    let again = recv(&mut deliveries).await?;
    ensure!(
        again.envelope.topic == topic,
        "topic after retry: {}",
        again.envelope.topic
    );
    ensure!(again.envelope.headers.attempt == 2);
    again.ack().await?;
    bus.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_consumer_resubscribes_after_connections_are_closed() -> Result<()> {
    let (bus, _guard) = test_bus(test_config()).await?;
    let group = unique_name("reconnect");
    let pattern = carpetti_queue::TopicPattern::parse("reconnect.*")?;
    let mut deliveries = bus
        .subscribe(Subscription::new(&group, vec![pattern]))
        .await?;
    let topic = Topic::parse("reconnect.one")?;
    bus.publish(widget(&topic, 1)).await?;
    recv(&mut deliveries).await?.ack().await?;

    // The broker drops every client connection (as on a node failover).
    tokio::task::spawn_blocking(|| close_all_connections("carpetti-queue test")).await??;

    // Publishing reconnects; the subscription re-subscribes and the stream goes on.
    bus.publish(widget(&topic, 2)).await?;
    let delivery = recv(&mut deliveries).await?;
    ensure!(crate::support::seq_of(&delivery)? == 2);
    delivery.ack().await?;
    ensure!(bus.reconnects() >= 1, "the bus did not reconnect");
    bus.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_unreachable_broker_fails_loudly_and_masks_the_password() -> Result<()> {
    // Port 1 refuses connections: connect fails at once with a clear, password-free error.
    let config = RabbitConfig::new("amqp://guest:hunter2@127.0.0.1:1/%2f");
    ensure!(!config.describe().contains("hunter2"));
    ensure!(!format!("{config:?}").contains("hunter2"));
    let err = RabbitBus::connect(config)
        .await
        .err()
        .context("connecting to a closed port succeeded")?;
    ensure!(matches!(err, QueueError::Unavailable(_)), "{err:?}");
    ensure!(!err.to_string().contains("hunter2"), "{err}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_publish_after_close_is_refused() -> Result<()> {
    let (bus, _guard) = test_bus(test_config()).await?;
    bus.close().await;
    let topic = Topic::parse("closed.bus")?;
    let err = bus
        .publish(widget(&topic, 1))
        .await
        .err()
        .context("published on a closed bus")?;
    ensure!(matches!(err, QueueError::Closed), "{err:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_ephemeral_queue_is_exclusive_and_goes_with_its_subscriber() -> Result<()> {
    let prefix = format!("{}.", unique_name("t"));
    let config = test_config().with_queue_prefix(&prefix);
    let (bus, _guard) = test_bus(config.clone()).await?;
    let pattern = carpetti_queue::TopicPattern::parse("eph.#")?;
    let sub = Subscription::new("adapter.one", vec![pattern]).ephemeral();
    let mut deliveries = bus.subscribe(sub.clone()).await?;
    let queue = format!("{prefix}adapter.one");
    // Exclusive to the bus's connection; no retry tiers, no dead letters.
    ensure!(queue_state(&queue).await? == QueueState::Locked);
    ensure!(queue_state(&format!("{queue}.dead")).await? == QueueState::Missing);
    ensure!(queue_state(&format!("{queue}.retry.1000")).await? == QueueState::Missing);
    // Another connection cannot take the name.
    let other = RabbitBus::connect(config).await?;
    let refused = other.subscribe(sub.clone()).await;
    ensure!(
        matches!(refused, Err(QueueError::InvalidGroup { .. })),
        "{:?}",
        refused.err()
    );
    let topic = Topic::parse("eph.one")?;
    bus.publish(widget(&topic, 1)).await?;
    recv(&mut deliveries).await?.ack().await?;

    // The subscriber leaves: the broker deletes the queue, the name is free.
    drop(deliveries);
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while queue_state(&queue).await? != QueueState::Missing {
        ensure!(
            tokio::time::Instant::now() < deadline,
            "{queue} outlived its subscriber"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut taken = other.subscribe(sub).await?;
    bus.publish(widget(&topic, 2)).await?;
    ensure!(crate::support::seq_of(&recv(&mut taken).await?)? == 2);
    drop(taken);
    other.close().await;
    bus.close().await;
    Ok(())
}

/// Publishes a new message every 200 ms until the subscription receives one; its seq. Messages
/// published while an ephemeral subscription re-subscribes are not kept for it.
pub async fn publish_until_received(
    bus: &dyn Bus,
    topic: &Topic,
    deliveries: &mut carpetti_queue::Deliveries,
    first_seq: u64,
) -> Result<u64> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut seq = first_seq;
    loop {
        bus.publish(widget(topic, seq)).await?;
        if let Ok(next) = tokio::time::timeout(Duration::from_millis(200), deliveries.next()).await
        {
            let delivery = next.context("the subscription ended")?;
            let got = crate::support::seq_of(&delivery)?;
            delivery.ack().await?;
            return Ok(got);
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "nothing received after the reconnect"
        );
        seq += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbit_ephemeral_consumer_resubscribes_after_connections_are_closed() -> Result<()> {
    let (bus, _guard) = test_bus(test_config()).await?;
    let group = unique_name("eph-reconnect");
    let pattern = carpetti_queue::TopicPattern::parse("ephreconnect.*")?;
    let mut deliveries = bus
        .subscribe(Subscription::new(&group, vec![pattern]).ephemeral())
        .await?;
    let topic = Topic::parse("ephreconnect.one")?;
    bus.publish(widget(&topic, 1)).await?;
    recv(&mut deliveries).await?.ack().await?;

    // The broker drops every connection: the exclusive queue goes with the old one.
    tokio::task::spawn_blocking(|| close_all_connections("carpetti-queue test")).await??;

    // The subscription declares it again on the new connection and the stream goes on.
    let got = publish_until_received(&bus, &topic, &mut deliveries, 2).await?;
    ensure!(got >= 2, "got {got}");
    ensure!(bus.reconnects() >= 1, "the bus did not reconnect");
    bus.close().await;
    Ok(())
}
