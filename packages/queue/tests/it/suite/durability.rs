//! Nothing is lost when a subscriber goes away: unacked messages come back, a durable group's
//! queue fills while nobody consumes.

use std::collections::BTreeSet;

use anyhow::{Result, ensure};
use carpetti_queue::Subscription;

use crate::backends::TestBus;
use crate::support::{QUIET, assert_quiet, recv, seq_of, take_acked, widget};

pub async fn unacked_redelivered_after_subscription_closed(t: &TestBus) -> Result<()> {
    let topic = t.topic("work");
    let sub = Subscription::new(t.group("crashy"), vec![t.pattern("work")]).with_prefetch(8);
    let mut deliveries = t.bus.subscribe(sub.clone()).await?;
    let messages: Vec<_> = (0..3).map(|seq| widget(&topic, seq)).collect();
    t.bus.publish_batch(messages.clone()).await?;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(recv(&mut deliveries).await?);
    }
    // The consumer goes away without settling anything.
    drop(deliveries);
    drop(held);

    let mut again = t.bus.subscribe(sub).await?;
    let mut ids = BTreeSet::new();
    for _ in 0..3 {
        let delivery = recv(&mut again).await?;
        // A requeue is not a retry: same id, same attempt.
        ensure!(
            delivery.envelope.headers.attempt == 1,
            "attempt {}",
            delivery.envelope.headers.attempt
        );
        ids.insert(delivery.envelope.headers.message_id);
        delivery.ack().await?;
    }
    let expected: BTreeSet<_> = messages.iter().map(|m| m.headers.message_id).collect();
    ensure!(
        ids == expected,
        "redelivered {ids:?}, expected {expected:?}"
    );
    assert_quiet(&mut again, QUIET).await
}

pub async fn durable_group_receives_messages_published_while_away(t: &TestBus) -> Result<()> {
    let topic = t.topic("events");
    let sub = Subscription::new(t.group("away"), vec![t.pattern("events")]);
    // Declares the group, then leaves.
    drop(t.bus.subscribe(sub.clone()).await?);
    t.bus
        .publish_batch((0..25).map(|seq| widget(&topic, seq)).collect())
        .await?;
    let mut back = t.bus.subscribe(sub).await?;
    let got: BTreeSet<u64> = take_acked(&mut back, 25).await?.into_iter().collect();
    ensure!(got == (0..25).collect(), "got {got:?}");
    assert_quiet(&mut back, QUIET).await
}

pub async fn messages_before_first_subscribe_are_not_delivered(t: &TestBus) -> Result<()> {
    let topic = t.topic("early");
    t.bus.publish(widget(&topic, 1)).await?;
    let mut deliveries = t
        .bus
        .subscribe(Subscription::new(t.group("late"), vec![t.pattern("early")]))
        .await?;
    t.bus.publish(widget(&topic, 2)).await?;
    let delivery = recv(&mut deliveries).await?;
    ensure!(
        seq_of(&delivery)? == 2,
        "only the message published after the group exists"
    );
    delivery.ack().await?;
    assert_quiet(&mut deliveries, QUIET).await
}
