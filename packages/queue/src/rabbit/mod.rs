//! The RabbitMQ backend (lapin, AMQP 0-9-1): one durable topic exchange (default `carpetti`), per
//! consumer group a durable queue `<group>` bound with the group's patterns, retry tiers
//! `<group>.retry.<ms>` and a dead-letter queue `<group>.dead` (see [`topology`]). Publisher
//! confirms, persistent messages, manual acks, `basic.qos` prefetch. After a broker restart the
//! connection is re-opened on demand, publishers resend what was not confirmed, and every
//! subscription re-declares its topology and consumes again. An ephemeral group is only its queue
//! `<group>`, non-durable, exclusive to the bus's connection and auto-deleted; a nack or reject
//! drops the message.
//!
//! Caveats: dead-lettering by TTL (the retry tiers) is at-most-once in classic queues — a broker
//! crash at the instant a message moves from a retry tier back to `<group>` can drop it. Bindings
//! of patterns a group no longer subscribes to are not removed.

mod codec;
mod consume;
mod dead;
mod link;
mod publish;
mod topology;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use self::link::Link;
use self::publish::Prepared;
use crate::{Bus, DeadLetter, Deliveries, OutgoingMessage, QueueError, Subscription};

/// Where and how to reach RabbitMQ.
#[derive(Clone)]
pub struct RabbitConfig {
    /// `amqp://user:password@host:5672/%2f` (the vhost URL-encoded).
    pub url: String,
    /// The durable topic exchange every message is published on.
    pub exchange: String,
    /// How long `publish` keeps trying (reconnects included) before giving up.
    pub publish_timeout: Duration,
    /// How long one attempt waits for the broker's confirm.
    pub confirm_timeout: Duration,
    /// Every other broker call: connect, declare, consume, ack, get.
    pub call_timeout: Duration,
    /// Shown in the RabbitMQ management UI.
    pub connection_name: String,
    /// Put before every queue name (`<prefix><group>`, `<prefix><group>.dead`, …): several
    /// environments (or tests) can share one vhost without sharing queues. Empty by default.
    pub queue_prefix: String,
    /// Queues unused (no consumer, no read) this long are deleted by the broker (`x-expires`):
    /// for throwaway environments and tests only. `None` (the default) keeps them for ever.
    pub queue_expiry: Option<Duration>,
    /// The classic-queue index version (`x-queue-version`, RabbitMQ ≥ 3.10): 2 (the default)
    /// stores persistent messages about 1.5× faster than 1 on this machine's broker; `None` leaves
    /// it to the broker (v1 before 3.12). Brokers older than 3.10 ignore the argument.
    pub queue_version: Option<u8>,
}

impl RabbitConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            exchange: "carpetti".to_owned(),
            publish_timeout: Duration::from_secs(30),
            confirm_timeout: Duration::from_secs(10),
            call_timeout: Duration::from_secs(10),
            connection_name: "carpetti".to_owned(),
            queue_prefix: String::new(),
            queue_expiry: None,
            queue_version: Some(2),
        }
    }

    pub fn with_exchange(mut self, exchange: impl Into<String>) -> Self {
        self.exchange = exchange.into();
        self
    }

    pub fn with_publish_timeout(mut self, timeout: Duration) -> Self {
        self.publish_timeout = timeout;
        self
    }

    pub fn with_queue_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.queue_prefix = prefix.into();
        self
    }

    pub fn with_queue_expiry(mut self, expiry: Duration) -> Self {
        self.queue_expiry = Some(expiry);
        self
    }

    pub fn with_connection_name(mut self, name: impl Into<String>) -> Self {
        self.connection_name = name.into();
        self
    }

    /// `RabbitMQ amqp://guest:***@127.0.0.1:5672/%2f (exchange carpetti)`.
    pub fn describe(&self) -> String {
        format!(
            "RabbitMQ {} (exchange {})",
            mask_password(&self.url),
            self.exchange
        )
    }
}

impl fmt::Debug for RabbitConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitConfig")
            .field("url", &mask_password(&self.url))
            .field("exchange", &self.exchange)
            .field("publish_timeout", &self.publish_timeout)
            .field("confirm_timeout", &self.confirm_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("connection_name", &self.connection_name)
            .field("queue_prefix", &self.queue_prefix)
            .field("queue_expiry", &self.queue_expiry)
            .field("queue_version", &self.queue_version)
            .finish()
    }
}

/// The password part of `scheme://user:password@host/…`, if any.
fn password(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo.split_once(':').map(|(_, password)| password)
}

fn mask_password(url: &str) -> String {
    match password(url) {
        Some(secret) if !secret.is_empty() => url.replacen(&format!(":{secret}@"), ":***@", 1),
        _ => url.to_owned(),
    }
}

/// The bus on RabbitMQ. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct RabbitBus {
    link: Arc<Link>,
}

impl RabbitBus {
    /// Connects (and declares the exchange) once, so a wrong URL or a down broker fails here.
    pub async fn connect(config: RabbitConfig) -> Result<Self, QueueError> {
        Ok(Self {
            link: Link::connect(config).await?,
        })
    }

    /// How many times the connection was re-opened after a loss (for metrics and tests).
    pub fn reconnects(&self) -> u64 {
        self.link.reconnects()
    }

    pub fn config(&self) -> &RabbitConfig {
        &self.link.config
    }
}

impl fmt::Debug for RabbitBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[async_trait]
impl Bus for RabbitBus {
    async fn publish(&self, message: OutgoingMessage) -> Result<(), QueueError> {
        let prepared = Prepared::topic(&self.link, message)?;
        publish::publish(&self.link, std::slice::from_ref(&prepared)).await
    }

    async fn publish_batch(&self, messages: Vec<OutgoingMessage>) -> Result<(), QueueError> {
        let prepared = messages
            .into_iter()
            .map(|message| Prepared::topic(&self.link, message))
            .collect::<Result<Vec<_>, _>>()?;
        publish::publish(&self.link, &prepared).await
    }

    async fn subscribe(&self, subscription: Subscription) -> Result<Deliveries, QueueError> {
        consume::subscribe(Arc::clone(&self.link), subscription).await
    }

    async fn dead_letters(&self, group: &str, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        dead::dead_letters(&self.link, group, limit).await
    }

    fn describe(&self) -> String {
        self.link.config.describe()
    }

    async fn close(&self) {
        self.link.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        let config = RabbitConfig::new("amqp://guest:s3cr%40t@127.0.0.1:5672/%2f");
        assert_eq!(
            config.describe(),
            "RabbitMQ amqp://guest:***@127.0.0.1:5672/%2f (exchange carpetti)"
        );
        assert!(!format!("{config:?}").contains("s3cr"));
        let bare = RabbitConfig::new("amqp://127.0.0.1:5672/%2f");
        assert_eq!(
            bare.describe(),
            "RabbitMQ amqp://127.0.0.1:5672/%2f (exchange carpetti)"
        );
    }
}
