use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::{Envelope, OutgoingMessage, QueueError, RetryPolicy, TopicPattern};

/// The topic bus. One implementation per backend (RabbitMQ, embedded durable); both pass the same
/// behavioural suite.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Publishes one message and returns once the backend has durably accepted it (a publisher
    /// confirm on RabbitMQ, a committed transaction on the embedded backend). An error means the
    /// message may not have been stored: the caller keeps it (see the outbox).
    async fn publish(&self, message: OutgoingMessage) -> Result<(), QueueError>;

    /// Publishes several messages with their confirms pipelined; returns once all are confirmed,
    /// or the first error (some may then have been stored: at-least-once).
    async fn publish_batch(&self, messages: Vec<OutgoingMessage>) -> Result<(), QueueError>;

    /// Starts consuming as the consumer group `subscription.group`: every group gets each matching
    /// message once (at least once); the instances of one group share the group's messages. The
    /// group's queue is durable: messages published while no instance consumes wait for it — unless
    /// the subscription is [`Subscription::ephemeral`]. Deliveries continue across broker restarts
    /// (the backend reconnects and re-subscribes).
    async fn subscribe(&self, subscription: Subscription) -> Result<Deliveries, QueueError>;

    /// Up to `limit` messages of `group`'s dead-letter queue, oldest first, left in place.
    async fn dead_letters(&self, group: &str, limit: usize) -> Result<Vec<DeadLetter>, QueueError>;

    /// "RabbitMQ amqp://…@host:5672/%2f" or "embedded (SQLite ./data/carpetti.db)", passwords
    /// masked, for `carpetti up` and logs.
    fn describe(&self) -> String;

    /// Stops consuming and publishing; in-flight unacked deliveries are redelivered later.
    async fn close(&self);
}

/// One consumer group's subscription.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// The consumer group, e.g. `provider.import_requests`: `[a-z0-9_.-]`.
    pub group: String,
    /// The topic patterns the group receives.
    pub patterns: Vec<TopicPattern>,
    /// At most this many unacked deliveries at once per subscriber.
    pub prefetch: u16,
    /// Ignored by ephemeral groups (a nack drops the message).
    pub retry: RetryPolicy,
    /// The group lives only as long as this subscriber: see [`Subscription::ephemeral`].
    pub ephemeral: bool,
}

impl Subscription {
    pub fn new(group: impl Into<String>, patterns: Vec<TopicPattern>) -> Self {
        Self {
            group: group.into(),
            patterns,
            prefetch: 64,
            retry: RetryPolicy::default(),
            ephemeral: false,
        }
    }

    pub fn with_prefetch(mut self, prefetch: u16) -> Self {
        self.prefetch = prefetch.max(1);
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Makes the group **ephemeral** (a broadcast subscription: give every subscriber instance a
    /// group of its own and each gets every matching message while it lives). The group exists
    /// only while this subscriber does:
    ///
    /// - on RabbitMQ a non-durable, exclusive, auto-delete queue (no retry tiers, no dead
    ///   letters), declared again after a reconnect;
    /// - on the embedded queue the group is removed with its pending messages when the
    ///   subscription ends (its [`Deliveries`] is dropped or the bus closes), and ephemeral groups
    ///   left by a crashed process are purged when the embedded queue opens (or, when that
    ///   process's heartbeat is younger than `EmbeddedOptions::ephemeral_expiry`, as soon as it
    ///   goes stale).
    ///
    /// On both backends a `nack` or `reject` drops the message (no retry, no dead letter), and
    /// messages published while no ephemeral subscriber exists are not kept for it.
    ///
    /// The group name passes the usual check (`[a-z0-9_.-]`) and must be unique to the
    /// subscriber instance, e.g. `process_adapter.<instance-uuid>`: an ephemeral group belongs to
    /// one bus (RabbitMQ: one connection; embedded: one `EmbeddedBus`), another bus subscribing
    /// the same name, or a durable group of that name, is refused. Several subscriptions of the
    /// same bus to one ephemeral group share its messages; the group goes with the last of them.
    pub fn ephemeral(mut self) -> Self {
        self.ephemeral = true;
        self
    }
}

/// The stream of deliveries of one subscription. Backends feed it through the sender half made by
/// [`Deliveries::channel`].
pub struct Deliveries {
    rx: mpsc::Receiver<Delivery>,
}

impl Deliveries {
    /// A bounded channel (`capacity` ≈ prefetch) whose receiver is the subscription's stream.
    pub fn channel(capacity: usize) -> (mpsc::Sender<Delivery>, Self) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (tx, Self { rx })
    }

    /// The next delivery; `None` once the subscription is closed (the bus closed or dropped it).
    pub async fn next(&mut self) -> Option<Delivery> {
        self.rx.recv().await
    }
}

/// What settles one delivery with its backend.
#[async_trait]
pub trait AckHandle: Send {
    /// Done: the message is removed from the group's queue.
    async fn ack(self: Box<Self>) -> Result<(), QueueError>;
    /// Failed: redelivered after the group's back-off with `attempt + 1`, or dead-lettered with
    /// `error` when the attempts are used up.
    async fn nack(self: Box<Self>, error: String) -> Result<(), QueueError>;
    /// Failed for good (e.g. it does not decode): dead-lettered now with `error`.
    async fn reject(self: Box<Self>, error: String) -> Result<(), QueueError>;
}

/// One message delivered to a consumer group. Dropping it unsettled leaves it to be redelivered
/// (when the subscription or connection closes).
pub struct Delivery {
    pub envelope: Envelope,
    handle: Box<dyn AckHandle>,
}

impl Delivery {
    pub fn new(envelope: Envelope, handle: Box<dyn AckHandle>) -> Self {
        Self { envelope, handle }
    }

    pub async fn ack(self) -> Result<(), QueueError> {
        self.handle.ack().await
    }

    pub async fn nack(self, error: impl Into<String>) -> Result<(), QueueError> {
        self.handle.nack(error.into()).await
    }

    pub async fn reject(self, error: impl Into<String>) -> Result<(), QueueError> {
        self.handle.reject(error.into()).await
    }
}

/// A message in a group's dead-letter queue.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub envelope: Envelope,
    pub group: String,
    /// How many deliveries were tried.
    pub attempts: u32,
    pub last_error: String,
    pub dead_at: DateTime<Utc>,
}
