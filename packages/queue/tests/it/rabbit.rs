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

/// Whether `queue` exists on the broker, and how many messages it holds.
async fn queue_depth(queue: &str) -> Result<Option<u32>> {
    let connection = Connection::connect(&amqp_url(), ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let depth = match channel
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
    {
        Ok(declared) => Some(declared.message_count()),
        Err(_) => None, // 404 NOT_FOUND closes the channel
    };
    let _ = connection.close(200, "probe done".into()).await;
    Ok(depth)
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
