//! Ephemeral (broadcast) groups: every live subscriber instance gets every message; a group that
//! ended keeps nothing; a nack or reject drops the message; a durable group of the same name is
//! refused.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Result, bail, ensure};
use carpetti_queue::{QueueError, Subscription};

use crate::backends::TestBus;
use crate::support::{PATIENCE, QUIET, assert_quiet, recv, seq_of, take_acked, widget};

/// Waits until the backend no longer has `group` (the end of a subscription is asynchronous).
async fn until_gone(t: &TestBus, group: &str) -> Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while t.group_exists(group).await? {
        if tokio::time::Instant::now() > deadline {
            bail!("ephemeral group {group} still exists {PATIENCE:?} after its subscriber left");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

pub async fn every_ephemeral_subscriber_gets_every_message(t: &TestBus) -> Result<()> {
    let topic = t.topic("cursor.changed");
    // Before any subscriber: kept for nobody.
    t.bus.publish(widget(&topic, 1000)).await?;
    let sub =
        |name: &str| Subscription::new(t.group(name), vec![t.pattern("cursor.*")]).ephemeral();
    let mut a = t.bus.subscribe(sub("adapter.a")).await?;
    let mut b = t.bus.subscribe(sub("adapter.b")).await?;
    ensure!(t.group_exists(&t.group("adapter.a")).await?);
    t.bus
        .publish_batch((0..30).map(|seq| widget(&topic, seq)).collect())
        .await?;
    let all: BTreeSet<u64> = (0..30).collect();
    for (name, deliveries) in [("a", &mut a), ("b", &mut b)] {
        let got: BTreeSet<u64> = take_acked(deliveries, 30).await?.into_iter().collect();
        ensure!(got == all, "subscriber {name} got {got:?}");
        assert_quiet(deliveries, QUIET).await?;
    }
    Ok(())
}

pub async fn ended_ephemeral_group_keeps_nothing(t: &TestBus) -> Result<()> {
    let topic = t.topic("cursor.changed");
    let pattern = t.pattern("cursor.*");
    let gone_name = t.group("adapter.gone");
    let ephemeral = |group: &str| Subscription::new(group, vec![pattern.clone()]).ephemeral();
    let durable = Subscription::new(t.group("durable"), vec![pattern.clone()]);
    let mut gone = t.bus.subscribe(ephemeral(&gone_name)).await?;
    let mut stays = t
        .bus
        .subscribe(ephemeral(&t.group("adapter.stays")))
        .await?;
    // A durable group next to them behaves as before: it keeps what comes while it is away.
    drop(t.bus.subscribe(durable.clone()).await?);
    t.bus
        .publish_batch((0..5).map(|seq| widget(&topic, seq)).collect())
        .await?;
    ensure!(take_acked(&mut gone, 5).await?.len() == 5);
    ensure!(take_acked(&mut stays, 5).await?.len() == 5);

    // One instance goes away with a message still unsettled: its group goes with it.
    t.bus.publish(widget(&topic, 5)).await?;
    let held = recv(&mut gone).await?;
    drop(gone);
    drop(held);
    until_gone(t, &gone_name).await?;

    // Publishing goes on; the other instance gets everything, the one that left nothing.
    t.bus
        .publish_batch((6..16).map(|seq| widget(&topic, seq)).collect())
        .await?;
    let got = take_acked(&mut stays, 11).await?;
    ensure!(
        got.iter().copied().collect::<BTreeSet<_>>() == (5..16).collect(),
        "{got:?}"
    );
    ensure!(
        !t.group_exists(&gone_name).await?,
        "a publish brought the group back"
    );
    let mut again = t.bus.subscribe(ephemeral(&gone_name)).await?;
    assert_quiet(&mut again, QUIET).await?;
    t.bus.publish(widget(&topic, 16)).await?;
    let delivery = recv(&mut again).await?;
    ensure!(
        seq_of(&delivery)? == 16,
        "only what came after it subscribed"
    );
    delivery.ack().await?;
    assert_quiet(&mut again, QUIET).await?;

    let mut back = t.bus.subscribe(durable).await?;
    let kept: BTreeSet<u64> = take_acked(&mut back, 17).await?.into_iter().collect();
    ensure!(kept == (0..17).collect(), "durable group kept {kept:?}");
    assert_quiet(&mut back, QUIET).await
}

pub async fn ephemeral_nack_and_reject_drop_the_message(t: &TestBus) -> Result<()> {
    let topic = t.topic("cursor.changed");
    let group = t.group("adapter.failing");
    let sub = Subscription::new(&group, vec![t.pattern("cursor.*")]).ephemeral();
    let mut deliveries = t.bus.subscribe(sub).await?;
    t.bus
        .publish_batch((0..3).map(|seq| widget(&topic, seq)).collect())
        .await?;
    recv(&mut deliveries).await?.nack("try again").await?;
    recv(&mut deliveries).await?.reject("never").await?;
    let last = recv(&mut deliveries).await?;
    ensure!(seq_of(&last)? == 2 && last.envelope.headers.attempt == 1);
    last.ack().await?;
    // No retry comes back (the default back-off is 1 s), nothing was dead-lettered.
    assert_quiet(&mut deliveries, Duration::from_millis(1500)).await?;
    ensure!(t.bus.dead_letters(&group, 10).await?.is_empty());
    Ok(())
}

pub async fn ephemeral_and_durable_groups_do_not_share_a_name(t: &TestBus) -> Result<()> {
    let durable = Subscription::new(t.group("taken"), vec![t.pattern("x")]);
    let durable_deliveries = t.bus.subscribe(durable.clone()).await?;
    let refused = t.bus.subscribe(durable.clone().ephemeral()).await;
    ensure!(
        matches!(refused, Err(QueueError::InvalidGroup { .. })),
        "ephemeral over a durable group: {:?}",
        refused.err()
    );
    drop(durable_deliveries);
    // The durable group is intact.
    let topic = t.topic("x");
    let mut back = t.bus.subscribe(durable).await?;
    t.bus.publish(widget(&topic, 1)).await?;
    ensure!(take_acked(&mut back, 1).await? == [1]);
    assert_quiet(&mut back, QUIET).await?;

    // Nor the other way round: a live ephemeral group's name is not a durable group's.
    let ephemeral = Subscription::new(t.group("mine"), vec![t.pattern("x")]).ephemeral();
    let mut live = t.bus.subscribe(ephemeral.clone()).await?;
    let mut durable = ephemeral;
    durable.ephemeral = false;
    let refused = t.bus.subscribe(durable).await;
    ensure!(
        matches!(refused, Err(QueueError::InvalidGroup { .. })),
        "durable over a live ephemeral group: {:?}",
        refused.err()
    );
    t.bus.publish(widget(&topic, 2)).await?;
    ensure!(take_acked(&mut live, 1).await? == [2]);
    ensure!(take_acked(&mut back, 1).await? == [2]);
    Ok(())
}
