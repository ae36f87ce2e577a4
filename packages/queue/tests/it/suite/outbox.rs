//! The outbox on every bus × database: one transaction for state and messages, the relay, and a
//! relay "crash" between publish and delete absorbed by the idempotent consumer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Result, ensure};
use async_trait::async_trait;
use carpetti_queue::{
    Bus, DeadLetter, Deliveries, Envelope, OutgoingMessage, QueueError, RelayOptions, Subscription,
};
use tokio::sync::Notify;

use crate::backends::TestBus;
use crate::db::{Commit, TestDb};
use crate::support::{QUIET, assert_quiet, recv, seq_of, take_acked, widget};

pub async fn commit_publishes_rollback_publishes_nothing(t: &TestBus, db: &TestDb) -> Result<()> {
    let topic = t.topic("outbox.created");
    let mut deliveries = t
        .bus
        .subscribe(Subscription::new(
            t.group("reader"),
            vec![t.pattern("outbox.#")],
        ))
        .await?;
    let kept = widget(&topic, 1)
        .with_correlation_id("tx-1")
        .with_header("tenant", "a");
    let lost = widget(&topic, 2);
    db.change(&["a".to_owned()], std::slice::from_ref(&kept), Commit::Yes)
        .await?;
    db.change(&["b".to_owned()], std::slice::from_ref(&lost), Commit::No)
        .await?;
    ensure!(db.widgets().await? == 1);
    ensure!(
        db.outbox_pending().await? == 1,
        "only the committed message waits"
    );

    ensure!(db.relay_pending(t.bus.clone()).await? == 1);
    ensure!(db.outbox_pending().await? == 0, "relayed rows are deleted");
    let delivery = recv(&mut deliveries).await?;
    let expected = Envelope::from(kept);
    ensure!(
        delivery.envelope == expected,
        "received {:?}\nexpected {:?}",
        delivery.envelope,
        expected
    );
    delivery.ack().await?;
    assert_quiet(&mut deliveries, QUIET).await
}

pub async fn relay_wakes_on_notify_and_keeps_order(t: &TestBus, db: &TestDb) -> Result<()> {
    let topic = t.topic("outbox.ordered");
    let mut deliveries = t
        .bus
        .subscribe(Subscription::new(
            t.group("ordered"),
            vec![t.pattern("outbox.*")],
        ))
        .await?;
    // A poll far longer than the test: only the notify can wake the relay.
    let options = RelayOptions {
        poll_interval: Duration::from_secs(600),
        batch_size: 7,
        ..RelayOptions::default()
    };
    let stop = Arc::new(Notify::new());
    let (notifier, relay) = db.spawn_relay(t.bus.clone(), options, stop.clone());
    tokio::time::sleep(Duration::from_millis(200)).await;
    for batch in 0..5u64 {
        let messages: Vec<_> = (0..5).map(|i| widget(&topic, batch * 5 + i)).collect();
        db.change(&[format!("w{batch}")], &messages, Commit::Yes)
            .await?;
        notifier.notify();
    }
    let seqs = take_acked(&mut deliveries, 25).await?;
    ensure!(
        seqs == (0..25).collect::<Vec<_>>(),
        "published in outbox order: {seqs:?}"
    );
    // The relay deletes a batch right after its publish was confirmed.
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while db.outbox_pending().await? > 0 {
        ensure!(
            tokio::time::Instant::now() < deadline,
            "relayed rows never deleted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.notify_one();
    relay.await?;
    assert_quiet(&mut deliveries, QUIET).await
}

/// Publishes through the real bus, then reports a failure once: what the relay sees when it
/// crashes (or loses the confirm) after the broker stored the messages but before the delete.
struct LostConfirm {
    inner: Arc<dyn Bus>,
    failed: AtomicBool,
}

#[async_trait]
impl Bus for LostConfirm {
    async fn publish(&self, message: OutgoingMessage) -> Result<(), QueueError> {
        self.publish_batch(vec![message]).await
    }

    async fn publish_batch(&self, messages: Vec<OutgoingMessage>) -> Result<(), QueueError> {
        self.inner.publish_batch(messages).await?;
        if self.failed.swap(true, Ordering::SeqCst) {
            Ok(())
        } else {
            Err(QueueError::Unavailable(
                "relay crashed before deleting".to_owned(),
            ))
        }
    }

    async fn subscribe(&self, subscription: Subscription) -> Result<Deliveries, QueueError> {
        self.inner.subscribe(subscription).await
    }

    async fn dead_letters(&self, group: &str, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        self.inner.dead_letters(group, limit).await
    }

    fn describe(&self) -> String {
        format!("lost-confirm over {}", self.inner.describe())
    }

    async fn close(&self) {}
}

pub async fn relay_crash_before_delete_duplicate_absorbed(t: &TestBus, db: &TestDb) -> Result<()> {
    let topic = t.topic("outbox.dup");
    let group = t.group("idempotent");
    let mut deliveries = t
        .bus
        .subscribe(Subscription::new(&group, vec![t.pattern("outbox.dup")]))
        .await?;
    let messages: Vec<_> = (0..10).map(|seq| widget(&topic, seq)).collect();
    let names: Vec<_> = (0..10).map(|i| format!("made-{i}")).collect();
    db.change(&names, &messages, Commit::Yes).await?;

    let flaky: Arc<dyn Bus> = Arc::new(LostConfirm {
        inner: t.bus.clone(),
        failed: AtomicBool::new(false),
    });
    ensure!(
        db.relay_pending(flaky.clone()).await.is_err(),
        "the first pass fails after publishing"
    );
    ensure!(
        db.outbox_pending().await? == 10,
        "nothing deleted without a confirm"
    );
    ensure!(
        db.relay_pending(flaky).await? == 10,
        "the next pass publishes again"
    );
    ensure!(db.outbox_pending().await? == 0);

    let (mut fresh, mut duplicates) = (0, 0);
    for _ in 0..20 {
        let delivery = recv(&mut deliveries).await?;
        let seq = seq_of(&delivery)?;
        if db
            .apply_once(
                &group,
                delivery.envelope.headers.message_id,
                &format!("consumed-{seq}"),
            )
            .await?
        {
            fresh += 1;
        } else {
            duplicates += 1;
        }
        delivery.ack().await?;
    }
    ensure!(
        (fresh, duplicates) == (10, 10),
        "fresh {fresh}, duplicates {duplicates}"
    );
    ensure!(
        db.widgets().await? == 20,
        "10 made + 10 consumed, none twice"
    );
    assert_quiet(&mut deliveries, QUIET).await
}
