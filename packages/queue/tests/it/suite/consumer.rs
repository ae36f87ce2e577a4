//! The consumer runtime on a real bus: handler outcomes, decode failures, graceful shutdown.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Result, ensure};
use async_trait::async_trait;
use carpetti_queue::{
    Envelope, Handler, HandlerError, OutgoingMessage, RetryPolicy, Subscription, run_consumer,
};
use tokio::sync::Notify;

use crate::backends::TestBus;
use crate::support::{PATIENCE, QUIET, Widget, assert_quiet, dead_letters, widget};

/// Seq % 3: 0 → ok, 1 → retry on the first attempt then ok, 2 → reject. Counts calls per seq.
struct Outcomes {
    calls: Arc<Mutex<BTreeMap<u64, u32>>>,
}

#[async_trait]
impl Handler for Outcomes {
    type Message = Widget;

    async fn handle(&self, message: Widget, envelope: &Envelope) -> Result<(), HandlerError> {
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(message.seq).or_default() += 1;
        }
        match message.seq % 3 {
            1 if envelope.headers.attempt == 1 => Err(HandlerError::retry("transient")),
            2 => Err(HandlerError::reject(format!(
                "widget {} is invalid",
                message.seq
            ))),
            _ => Ok(()),
        }
    }
}

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_delay: Duration::from_millis(50),
        multiplier: 1.0,
        max_delay: Duration::from_millis(50),
    }
}

async fn wait_until(mut done: impl FnMut() -> bool) -> Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !done() {
        ensure!(
            tokio::time::Instant::now() < deadline,
            "condition not reached within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

pub async fn handler_outcomes_settle_deliveries(t: &TestBus) -> Result<()> {
    let topic = t.topic("outcomes");
    let group = t.group("outcomes");
    let sub = Subscription::new(&group, vec![t.pattern("outcomes")]).with_retry(quick_retry());
    let calls = Arc::new(Mutex::new(BTreeMap::new()));
    let stop = Arc::new(Notify::new());
    let bus = t.bus.clone();
    let handler = Outcomes {
        calls: calls.clone(),
    };
    let stopped = stop.clone();
    // Declare the group before publishing.
    drop(t.bus.subscribe(sub.clone()).await?);
    let consumer = tokio::spawn(async move {
        run_consumer(bus.as_ref(), sub, handler, 4, stopped.notified()).await
    });
    t.bus
        .publish_batch((0..9).map(|seq| widget(&topic, seq)).collect())
        .await?;

    let letters = dead_letters(t.bus.as_ref(), &group, 3).await?;
    let expected: BTreeMap<u64, u32> = (0..9)
        .map(|seq| (seq, if seq % 3 == 1 { 2 } else { 1 }))
        .collect();
    wait_until(|| calls.lock().map(|c| *c == expected).unwrap_or(false)).await?;
    tokio::time::sleep(QUIET).await;
    ensure!(
        *calls.lock().map_err(|_| anyhow::anyhow!("poisoned"))? == expected,
        "calls per seq"
    );
    let mut reasons: Vec<_> = letters.iter().map(|l| l.last_error.clone()).collect();
    reasons.sort();
    ensure!(
        reasons
            == [
                "widget 2 is invalid",
                "widget 5 is invalid",
                "widget 8 is invalid"
            ],
        "{reasons:?}"
    );
    stop.notify_one();
    consumer.await??;
    Ok(())
}

pub async fn undecodable_payload_dead_lettered_with_reason(t: &TestBus) -> Result<()> {
    let topic = t.topic("garbage");
    let group = t.group("decoder");
    let sub = Subscription::new(&group, vec![t.pattern("garbage")]).with_retry(quick_retry());
    let calls = Arc::new(Mutex::new(BTreeMap::new()));
    let stop = Arc::new(Notify::new());
    let (bus, handler, stopped) = (
        t.bus.clone(),
        Outcomes {
            calls: calls.clone(),
        },
        stop.clone(),
    );
    drop(t.bus.subscribe(sub.clone()).await?);
    let consumer = tokio::spawn(async move {
        run_consumer(bus.as_ref(), sub, handler, 1, stopped.notified()).await
    });
    // Field 1, length-delimited, with a truncated length: not a Widget.
    let garbage = OutgoingMessage::raw(topic, vec![0x0a_u8, 0xff]);
    t.bus.publish(garbage.clone()).await?;
    let letters = dead_letters(t.bus.as_ref(), &group, 1).await?;
    ensure!(letters[0].envelope.headers.message_id == garbage.headers.message_id);
    ensure!(letters[0].attempts == 1, "rejected at once, not retried");
    ensure!(
        letters[0].last_error.contains("does not decode"),
        "reason: {}",
        letters[0].last_error
    );
    ensure!(
        calls.lock().map(|c| c.is_empty()).unwrap_or(false),
        "the handler never saw it"
    );
    stop.notify_one();
    consumer.await??;
    Ok(())
}

/// Sleeps, then counts.
struct Slow {
    started: Arc<Notify>,
    finished: Arc<Mutex<u32>>,
}

#[async_trait]
impl Handler for Slow {
    type Message = Widget;

    async fn handle(&self, _message: Widget, _envelope: &Envelope) -> Result<(), HandlerError> {
        self.started.notify_one();
        tokio::time::sleep(Duration::from_millis(400)).await;
        if let Ok(mut finished) = self.finished.lock() {
            *finished += 1;
        }
        Ok(())
    }
}

pub async fn shutdown_waits_for_handlers_in_flight(t: &TestBus) -> Result<()> {
    let topic = t.topic("slow");
    let sub = Subscription::new(t.group("slow"), vec![t.pattern("slow")]);
    // Declare the group first so nothing published is missed.
    drop(t.bus.subscribe(sub.clone()).await?);
    t.bus
        .publish_batch((0..4).map(|seq| widget(&topic, seq)).collect())
        .await?;
    let started = Arc::new(Notify::new());
    let finished = Arc::new(Mutex::new(0));
    let stop = Arc::new(Notify::new());
    let handler = Slow {
        started: started.clone(),
        finished: finished.clone(),
    };
    let (bus, stopped, sub2) = (t.bus.clone(), stop.clone(), sub.clone());
    let consumer = tokio::spawn(async move {
        run_consumer(bus.as_ref(), sub2, handler, 4, stopped.notified()).await
    });
    tokio::time::timeout(PATIENCE, started.notified()).await?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.notify_one();
    consumer.await??;
    let handled = *finished.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    ensure!(
        handled >= 1,
        "the handler in flight finished before run_consumer returned"
    );
    // What was handled is acked; the rest is still there for the next consumer.
    let mut rest = t.bus.subscribe(sub).await?;
    let mut remaining = 0;
    while let Ok(Some(delivery)) = tokio::time::timeout(Duration::from_secs(2), rest.next()).await {
        remaining += 1;
        delivery.ack().await?;
    }
    ensure!(
        handled + remaining == 4,
        "handled {handled} + remaining {remaining} must be 4"
    );
    assert_quiet(&mut rest, QUIET).await
}
