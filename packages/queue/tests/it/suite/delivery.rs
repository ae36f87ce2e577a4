//! Publish → consume: headers, routing, groups, sharing, prefetch.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, ensure};
use carpetti_queue::{Envelope, MessageId, Subscription};

use crate::backends::TestBus;
use crate::support::{QUIET, assert_quiet, recv, seq_of, take_acked, widget};

pub async fn round_trip_preserves_headers(t: &TestBus) -> Result<()> {
    let topic = t.topic("orders.created");
    let group = t.group("headers");
    let mut deliveries = t
        .bus
        .subscribe(Subscription::new(&group, vec![t.pattern("orders.*")]))
        .await?;
    let message = widget(&topic, 7)
        .with_message_id(MessageId::new())
        .with_correlation_id("import-42")
        .with_trace_context(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
            Some("vendor=abc".to_owned()),
        )
        .with_header("tenant", "shop-1")
        .with_header("source", "суточный импорт");
    t.bus.publish(message.clone()).await?;
    let delivery = recv(&mut deliveries).await?;
    let expected = Envelope::from(message);
    ensure!(
        delivery.envelope == expected,
        "received {:?}\nexpected {:?}",
        delivery.envelope,
        expected
    );
    ensure!(delivery.envelope.headers.attempt == 1);
    delivery.ack().await?;
    assert_quiet(&mut deliveries, QUIET).await
}

pub async fn topic_routing_with_wildcards(t: &TestBus) -> Result<()> {
    let groups = [
        ("one", "orders.*"),
        ("many", "orders.#"),
        ("mid", "*.eu.*"),
        ("all", "#"),
    ];
    let mut subs = Vec::new();
    for (name, pattern) in groups {
        let sub = Subscription::new(t.group(name), vec![t.pattern(pattern)]);
        subs.push((name, t.bus.subscribe(sub).await?));
    }
    let topics = [
        "orders",
        "orders.created",
        "orders.eu.created",
        "items.eu.changed",
        "items.changed",
    ];
    for (seq, words) in topics.iter().enumerate() {
        t.bus.publish(widget(&t.topic(words), seq as u64)).await?;
    }
    let expected: BTreeMap<&str, Vec<u64>> = BTreeMap::from([
        ("one", vec![1]),
        ("many", vec![0, 1, 2]),
        ("mid", vec![2, 3]),
        ("all", vec![0, 1, 2, 3, 4]),
    ]);
    for (name, deliveries) in &mut subs {
        let want = &expected[name];
        let mut got = take_acked(deliveries, want.len()).await?;
        got.sort_unstable();
        ensure!(&got == want, "group {name} got {got:?}, expected {want:?}");
        assert_quiet(deliveries, QUIET).await?;
    }
    Ok(())
}

pub async fn every_group_gets_every_message(t: &TestBus) -> Result<()> {
    let topic = t.topic("items.changed");
    let mut a = t
        .bus
        .subscribe(Subscription::new(t.group("a"), vec![t.pattern("items.*")]))
        .await?;
    let mut b = t
        .bus
        .subscribe(Subscription::new(t.group("b"), vec![t.pattern("#")]))
        .await?;
    let messages: Vec<_> = (0..50).map(|seq| widget(&topic, seq)).collect();
    t.bus.publish_batch(messages).await?;
    let all: BTreeSet<u64> = (0..50).collect();
    for deliveries in [&mut a, &mut b] {
        let got: BTreeSet<u64> = take_acked(deliveries, 50).await?.into_iter().collect();
        ensure!(
            got == all,
            "a group missed messages: {:?}",
            all.difference(&got).collect::<Vec<_>>()
        );
        assert_quiet(deliveries, QUIET).await?;
    }
    Ok(())
}

pub async fn subscribers_of_one_group_share_its_messages(t: &TestBus) -> Result<()> {
    let topic = t.topic("jobs");
    let sub = Subscription::new(t.group("workers"), vec![t.pattern("jobs")]).with_prefetch(4);
    let first = t.bus.subscribe(sub.clone()).await?;
    let second = t.bus.subscribe(sub).await?;
    let total = 200u64;
    t.bus
        .publish_batch((0..total).map(|seq| widget(&topic, seq)).collect())
        .await?;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for (worker, mut deliveries) in [first, second].into_iter().enumerate() {
        let seen = seen.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = 0usize;
            loop {
                let next =
                    tokio::time::timeout(std::time::Duration::from_secs(2), deliveries.next())
                        .await;
                let Ok(Some(delivery)) = next else { break };
                let seq = seq_of(&delivery)?;
                // Slow enough that one subscriber cannot drain the queue alone.
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                delivery.ack().await?;
                seen.lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?
                    .push((worker, seq));
                mine += 1;
            }
            anyhow::Ok(mine)
        }));
    }
    let mut per_worker = Vec::new();
    for worker in workers {
        per_worker.push(worker.await??);
    }
    let seen = seen
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    let mut seqs: Vec<u64> = seen.iter().map(|(_, seq)| *seq).collect();
    seqs.sort_unstable();
    ensure!(
        seqs == (0..total).collect::<Vec<_>>(),
        "every message exactly once; got {} deliveries",
        seqs.len()
    );
    ensure!(
        per_worker.iter().all(|n| *n > 0),
        "both subscribers got messages: {per_worker:?}"
    );
    Ok(())
}

pub async fn prefetch_bounds_unacked_deliveries(t: &TestBus) -> Result<()> {
    let topic = t.topic("bulk");
    let sub = Subscription::new(t.group("slow"), vec![t.pattern("bulk")]).with_prefetch(3);
    let mut deliveries = t.bus.subscribe(sub).await?;
    t.bus
        .publish_batch((0..10).map(|seq| widget(&topic, seq)).collect())
        .await?;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(recv(&mut deliveries).await?);
    }
    assert_quiet(&mut deliveries, QUIET).await?;
    // One slot freed → exactly one more.
    held.remove(0).ack().await?;
    held.push(recv(&mut deliveries).await?);
    assert_quiet(&mut deliveries, QUIET).await?;
    let mut seqs = Vec::new();
    for delivery in held {
        seqs.push(seq_of(&delivery)?);
        delivery.ack().await?;
    }
    seqs.extend(take_acked(&mut deliveries, 6).await?);
    ensure!(
        seqs.len() == 9 && seqs.iter().collect::<BTreeSet<_>>().len() == 9,
        "distinct: {seqs:?}"
    );
    assert_quiet(&mut deliveries, QUIET).await
}
