//! The queues of one consumer group, declared (idempotently) on every subscribe and after every
//! reconnect:
//!
//! Every name starts with the configured queue prefix (empty by default).
//!
//! - `<group>`: durable, bound to the topic exchange with the group's patterns;
//! - `<group>.retry.<ms>`: one durable queue per back-off delay of the group's retry policy, with
//!   `x-message-ttl = ms` and the default exchange as dead-letter exchange, routing key `<group>`:
//!   a nacked message waits there and then flows back into the group's queue (no plugin needed;
//!   every message of a tier has the same TTL, so expiry is strictly in order);
//! - `<group>.dead`: durable, the dead letters with their last error.
//!
//! An ephemeral group ([`Subscription::ephemeral`]) is only `<group>`: non-durable, exclusive to
//! the bus's connection and auto-deleted when its last consumer goes (or the connection closes),
//! bound with the group's patterns; no retry tiers, no dead letters.

use std::collections::BTreeSet;
use std::time::Duration;

use lapin::Channel;
use lapin::options::{QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};

use super::RabbitConfig;
use super::link::Link;
use crate::{QueueError, RetryPolicy, Subscription};

/// Room left in the 255-byte queue name for the prefix and `.retry.<ms>`.
const MAX_GROUP_LEN: usize = 200;
/// The longest `.retry.<ms>` suffix (u64 milliseconds).
const MAX_SUFFIX_LEN: usize = ".retry.".len() + 20;

pub(crate) fn short(name: &str) -> Result<ShortString, QueueError> {
    ShortString::try_new(name).map_err(|_| QueueError::InvalidTopic {
        topic: name.to_owned(),
        reason: "longer than 255 bytes".to_owned(),
    })
}

/// Checks a consumer group name: `[a-z0-9_.-]`, at most 200 bytes, and short enough with the
/// configured queue prefix.
pub(crate) fn check_group(config: &RabbitConfig, group: &str) -> Result<(), QueueError> {
    let valid = !group.is_empty()
        && group.len() <= MAX_GROUP_LEN
        && group.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        });
    if !valid {
        return Err(QueueError::InvalidGroup {
            group: group.to_owned(),
            reason: format!("consumer group names are [a-z0-9_.-], 1 to {MAX_GROUP_LEN} bytes"),
        });
    }
    if config.queue_prefix.len() + group.len() + MAX_SUFFIX_LEN > 255 {
        return Err(QueueError::InvalidGroup {
            group: group.to_owned(),
            reason: format!(
                "with the queue prefix {:?} the queue names exceed 255 bytes",
                config.queue_prefix
            ),
        });
    }
    Ok(())
}

/// The group's own queue.
pub(crate) fn group_queue(config: &RabbitConfig, group: &str) -> String {
    format!("{}{group}", config.queue_prefix)
}

pub(crate) fn dead_queue(config: &RabbitConfig, group: &str) -> String {
    format!("{}{group}.dead", config.queue_prefix)
}

pub(crate) fn retry_queue(config: &RabbitConfig, group: &str, delay: Duration) -> String {
    format!("{}{group}.retry.{}", config.queue_prefix, delay.as_millis())
}

/// Every delay the policy can ask for, i.e. every retry tier to declare.
pub(crate) fn retry_delays(policy: &RetryPolicy) -> BTreeSet<Duration> {
    (1..policy.max_attempts)
        .filter_map(|attempt| policy.delay_after(attempt))
        .map(|delay| Duration::from_millis(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)))
        .collect()
}

/// Declares the group's queues and bindings on `channel`.
pub(crate) async fn declare_group(
    link: &Link,
    channel: &Channel,
    subscription: &Subscription,
) -> Result<(), QueueError> {
    let config = &link.config;
    let group = subscription.group.as_str();
    let queue = group_queue(config, group);
    if subscription.ephemeral {
        declare_ephemeral(link, channel, &queue).await?;
    } else {
        declare_queue(link, channel, &queue, FieldTable::default()).await?;
    }
    let exchange = short(&config.exchange)?;
    for pattern in &subscription.patterns {
        let bind = channel.queue_bind(
            short(&queue)?,
            exchange.clone(),
            short(pattern.as_str())?,
            QueueBindOptions::default(),
            FieldTable::default(),
        );
        link.timed("queue.bind", bind).await?;
    }
    if subscription.ephemeral {
        return Ok(());
    }
    for delay in retry_delays(&subscription.retry) {
        let mut arguments = FieldTable::default();
        let ttl = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
        arguments.insert("x-message-ttl".into(), AMQPValue::LongLongInt(ttl));
        arguments.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString(LongString::from("")),
        );
        arguments.insert(
            "x-dead-letter-routing-key".into(),
            AMQPValue::LongString(LongString::from(queue.as_str())),
        );
        declare_queue(link, channel, &retry_queue(config, group, delay), arguments).await?;
    }
    declare_queue(
        link,
        channel,
        &dead_queue(config, group),
        FieldTable::default(),
    )
    .await
}

/// Declares a durable queue (with `x-queue-version` and `x-expires` as configured).
pub(crate) async fn declare_queue(
    link: &Link,
    channel: &Channel,
    name: &str,
    mut arguments: FieldTable,
) -> Result<(), QueueError> {
    if let Some(expiry) = link.config.queue_expiry {
        let ms = i64::try_from(expiry.as_millis()).unwrap_or(i64::MAX).max(1);
        arguments.insert("x-expires".into(), AMQPValue::LongLongInt(ms));
    }
    declare(
        link,
        channel,
        name,
        QueueDeclareOptions::durable(),
        arguments,
    )
    .await
}

/// Declares an ephemeral group's queue: non-durable, exclusive, auto-delete (no `x-expires`: it
/// goes with its consumer or connection anyway).
async fn declare_ephemeral(link: &Link, channel: &Channel, name: &str) -> Result<(), QueueError> {
    let options = QueueDeclareOptions {
        durable: false,
        exclusive: true,
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    declare(link, channel, name, options, FieldTable::default()).await
}

/// `queue.declare` (with `x-queue-version` as configured) under the call timeout. A queue of that
/// name exclusive to another connection (RESOURCE_LOCKED) or declared with other properties
/// (PRECONDITION_FAILED, e.g. a durable group's name subscribed as ephemeral) is
/// [`QueueError::InvalidGroup`]: retrying will not help.
async fn declare(
    link: &Link,
    channel: &Channel,
    name: &str,
    options: QueueDeclareOptions,
    mut arguments: FieldTable,
) -> Result<(), QueueError> {
    if let Some(version) = link.config.queue_version {
        arguments.insert(
            "x-queue-version".into(),
            AMQPValue::LongLongInt(i64::from(version)),
        );
    }
    let declare = channel.queue_declare(short(name)?, options, arguments);
    match tokio::time::timeout(link.config.call_timeout, declare).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => Err(match refusal(&err) {
            Some(reason) => QueueError::InvalidGroup {
                group: name.to_owned(),
                reason: format!("{reason} ({err})"),
            },
            None => QueueError::Unavailable(format!("RabbitMQ queue.declare: {err}")),
        }),
        Err(_) => Err(QueueError::Unavailable(format!(
            "RabbitMQ queue.declare: no answer within {:?}",
            link.config.call_timeout
        ))),
    }
}

/// Why the broker refused to declare a queue, when its name is taken by another kind of queue.
fn refusal(err: &lapin::Error) -> Option<&'static str> {
    use lapin::ErrorKind;
    use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
    let ErrorKind::ProtocolError(amqp) = err.kind() else {
        return None;
    };
    match amqp.kind() {
        AMQPErrorKind::Soft(AMQPSoftError::RESOURCELOCKED) => Some(
            "the queue is exclusive to another connection: an ephemeral group of another bus \
             (ephemeral group names must be unique to their subscriber)",
        ),
        AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED) => Some(
            "the queue exists with other properties (a durable group's name subscribed as \
             ephemeral, or the other way round)",
        ),
        _ => None,
    }
}
