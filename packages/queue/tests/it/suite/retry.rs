//! Nack → delayed retry with attempt + 1; poison → dead letter after N attempts; reject.

use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use carpetti_queue::{RetryPolicy, Subscription};

use crate::backends::TestBus;
use crate::support::{QUIET, assert_quiet, dead_letters, recv, widget};

fn policy(max_attempts: u32, initial: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_delay: initial,
        multiplier: 2.0,
        max_delay: Duration::from_secs(5),
    }
}

pub async fn nack_redelivers_with_next_attempt_after_backoff(t: &TestBus) -> Result<()> {
    let topic = t.topic("flaky");
    let sub = Subscription::new(t.group("flaky"), vec![t.pattern("flaky")])
        .with_retry(policy(5, Duration::from_millis(400)));
    let mut deliveries = t.bus.subscribe(sub).await?;
    let message = widget(&topic, 1).with_correlation_id("c-1");
    t.bus.publish(message.clone()).await?;

    let first = recv(&mut deliveries).await?;
    ensure!(first.envelope.headers.attempt == 1);
    let nacked_at = Instant::now();
    first.nack("database is down").await?;

    let second = recv(&mut deliveries).await?;
    let waited = nacked_at.elapsed();
    ensure!(
        second.envelope.headers.attempt == 2,
        "attempt {}",
        second.envelope.headers.attempt
    );
    ensure!(second.envelope.headers.message_id == message.headers.message_id);
    ensure!(second.envelope.headers.correlation_id.as_deref() == Some("c-1"));
    ensure!(second.envelope.payload == message.payload);
    // Not before the back-off (a little slack for clock granularity).
    ensure!(
        waited >= Duration::from_millis(350),
        "redelivered after {waited:?}, back-off is 400 ms"
    );

    // The next back-off doubles.
    let nacked_at = Instant::now();
    second.nack("still down").await?;
    let third = recv(&mut deliveries).await?;
    ensure!(third.envelope.headers.attempt == 3);
    ensure!(
        nacked_at.elapsed() >= Duration::from_millis(750),
        "second back-off is 800 ms"
    );
    third.ack().await?;
    assert_quiet(&mut deliveries, QUIET).await?;
    ensure!(t.bus.dead_letters(&t.group("flaky"), 10).await?.is_empty());
    Ok(())
}

pub async fn poison_message_dead_lettered_after_max_attempts(t: &TestBus) -> Result<()> {
    let topic = t.topic("poison");
    let group = t.group("poisoned");
    let sub = Subscription::new(&group, vec![t.pattern("poison")])
        .with_retry(policy(3, Duration::from_millis(50)));
    let mut deliveries = t.bus.subscribe(sub).await?;
    let message = widget(&topic, 13);
    let healthy = widget(&topic, 14);
    t.bus.publish(message.clone()).await?;
    t.bus.publish(healthy.clone()).await?;

    let mut attempts = Vec::new();
    let mut healthy_seen = 0;
    while attempts.len() < 3 || healthy_seen == 0 {
        let delivery = recv(&mut deliveries).await?;
        if delivery.envelope.headers.message_id == healthy.headers.message_id {
            healthy_seen += 1;
            delivery.ack().await?;
            continue;
        }
        let attempt = delivery.envelope.headers.attempt;
        attempts.push(attempt);
        delivery
            .nack(format!("cannot parse (attempt {attempt})"))
            .await?;
    }
    ensure!(
        attempts == vec![1, 2, 3],
        "deliveries of the poison message: {attempts:?}"
    );
    assert_quiet(&mut deliveries, QUIET).await?;

    let letters = dead_letters(t.bus.as_ref(), &group, 1).await?;
    ensure!(letters.len() == 1, "dead letters: {letters:?}");
    let letter = &letters[0];
    ensure!(letter.envelope.headers.message_id == message.headers.message_id);
    ensure!(letter.envelope.payload == message.payload);
    ensure!(letter.envelope.topic == topic);
    ensure!(letter.group == group);
    ensure!(letter.attempts == 3, "attempts {}", letter.attempts);
    ensure!(
        letter.last_error == "cannot parse (attempt 3)",
        "last error {:?}",
        letter.last_error
    );
    ensure!(healthy_seen == 1);
    Ok(())
}

pub async fn reject_dead_letters_at_once(t: &TestBus) -> Result<()> {
    let topic = t.topic("bad");
    let group = t.group("strict");
    let sub = Subscription::new(&group, vec![t.pattern("bad")])
        .with_retry(policy(5, Duration::from_millis(50)));
    let mut deliveries = t.bus.subscribe(sub).await?;
    let message = widget(&topic, 1);
    t.bus.publish(message.clone()).await?;
    recv(&mut deliveries)
        .await?
        .reject("unknown supplier format")
        .await?;
    assert_quiet(&mut deliveries, QUIET).await?;
    let letters = dead_letters(t.bus.as_ref(), &group, 1).await?;
    ensure!(letters.len() == 1);
    ensure!(letters[0].envelope.headers.message_id == message.headers.message_id);
    ensure!(letters[0].attempts == 1);
    ensure!(letters[0].last_error == "unknown supplier format");
    // Another group's dead letters are its own.
    ensure!(t.bus.dead_letters(&t.group("other"), 10).await?.is_empty());
    Ok(())
}
