//! One subscription: a channel with `basic.qos(prefetch)` consuming the group's queue with manual
//! acks, feeding [`Deliveries`]. When the connection or the consumer goes away the task re-opens
//! the connection, re-declares the group's topology and consumes again; the stream never notices
//! (apart from redeliveries: the broker requeues what was unacked on the old channel).
//!
//! An ephemeral group's queue is exclusive to the connection: after a reconnect it is declared
//! anew (empty; what was published meanwhile is gone), and a nack or reject drops the message
//! (`basic.reject`, no requeue: there are no retry tiers nor dead letters to move it to).

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::Utc;
use futures::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions,
    BasicRejectOptions,
};
use lapin::types::FieldTable;
use lapin::{Acker, Channel, Consumer};
use tokio::sync::mpsc;

use super::codec::{self, Marks};
use super::link::{FIRST_BACKOFF, Link, MAX_BACKOFF};
use super::publish::{self, Prepared};
use super::topology::{self, short};
use crate::{
    AckHandle, Deliveries, Delivery, Envelope, Headers, MessageId, QueueError, Subscription, Topic,
};

struct Session {
    channel: Channel,
    consumer: Consumer,
    tag: String,
}

enum End {
    /// The bus closed or the stream was dropped.
    Stop,
    /// The connection, the channel or the consumer went away.
    Lost(String),
}

/// Declares the group's topology, starts consuming and returns the stream.
pub(crate) async fn subscribe(
    link: Arc<Link>,
    subscription: Subscription,
) -> Result<Deliveries, QueueError> {
    topology::check_group(&link.config, &subscription.group)?;
    let session = open(&link, &subscription).await?;
    let (tx, deliveries) = Deliveries::channel(usize::from(subscription.prefetch));
    tokio::spawn(run(link, Arc::new(subscription), tx, session));
    Ok(deliveries)
}

async fn open(link: &Link, subscription: &Subscription) -> Result<Session, QueueError> {
    let live = link.live().await?;
    let channel = link
        .timed("channel.open", live.connection.create_channel())
        .await?;
    let qos = channel.basic_qos(subscription.prefetch.max(1), BasicQosOptions::default());
    link.timed("basic.qos", qos).await?;
    topology::declare_group(link, &channel, subscription).await?;
    let tag = format!("{}.{}", subscription.group, uuid::Uuid::now_v7());
    let queue = topology::group_queue(&link.config, &subscription.group);
    let consume = channel.basic_consume(
        short(&queue)?,
        short(&tag)?,
        BasicConsumeOptions::default(),
        FieldTable::default(),
    );
    let consumer = link.timed("basic.consume", consume).await?;
    Ok(Session {
        channel,
        consumer,
        tag,
    })
}

async fn run(
    link: Arc<Link>,
    subscription: Arc<Subscription>,
    tx: mpsc::Sender<Delivery>,
    mut session: Session,
) {
    let group = subscription.group.as_str();
    loop {
        match pump(&link, &subscription, &tx, &mut session).await {
            End::Stop => {
                stop(&link, &session).await;
                return;
            }
            End::Lost(reason) => {
                tracing::warn!(group, %reason, "RabbitMQ consumer lost; re-subscribing");
            }
        }
        let mut backoff = FIRST_BACKOFF;
        session = loop {
            if tx.is_closed() || link.pause(backoff).await.is_err() {
                return;
            }
            match open(&link, &subscription).await {
                Ok(session) => break session,
                Err(QueueError::Closed) => return,
                Err(err) => tracing::debug!(group, %err, "re-subscribe failed; retrying"),
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        };
        tracing::info!(group, "RabbitMQ consumer re-subscribed");
    }
}

async fn pump(
    link: &Arc<Link>,
    subscription: &Arc<Subscription>,
    tx: &mpsc::Sender<Delivery>,
    session: &mut Session,
) -> End {
    loop {
        let next = tokio::select! {
            biased;
            () = link.cancel.cancelled() => return End::Stop,
            () = tx.closed() => return End::Stop,
            next = session.consumer.next() => next,
        };
        let delivery = match next {
            Some(Ok(delivery)) => delivery,
            Some(Err(err)) => return End::Lost(err.to_string()),
            None => return End::Lost("the broker cancelled the consumer".to_owned()),
        };
        let payload = Bytes::from(delivery.data);
        let routing_key = delivery.routing_key.as_str();
        let envelope = match codec::envelope(routing_key, &delivery.properties, payload.clone()) {
            Ok((envelope, _)) => envelope,
            Err(err) => {
                salvage(
                    link,
                    &session.channel,
                    subscription,
                    routing_key,
                    payload,
                    delivery.acker,
                    err,
                )
                .await;
                continue;
            }
        };
        let handle = RabbitAck {
            link: Arc::clone(link),
            channel: session.channel.clone(),
            subscription: Arc::clone(subscription),
            acker: delivery.acker,
            envelope: envelope.clone(),
        };
        let delivery = Delivery::new(envelope, Box::new(handle));
        tokio::select! {
            biased;
            () = link.cancel.cancelled() => return End::Stop,
            sent = tx.send(delivery) => if sent.is_err() { return End::Stop },
        }
    }
}

/// Cancels the consumer and closes its channel: the broker requeues whatever is still unacked.
async fn stop(link: &Link, session: &Session) {
    if session.channel.status().connected() {
        if let Ok(tag) = short(&session.tag) {
            let cancel = session
                .channel
                .basic_cancel(tag, BasicCancelOptions::default());
            let _ = link.timed("basic.cancel", cancel).await;
        }
        let _ = link
            .timed(
                "channel.close",
                session.channel.close(200, "unsubscribed".into()),
            )
            .await;
    }
}

/// A delivery the bus cannot read (no message id, a routing key that is no topic): it goes to the
/// dead-letter queue under a fresh id with the reason, never back into the group's queue.
async fn salvage(
    link: &Link,
    channel: &Channel,
    subscription: &Subscription,
    routing_key: &str,
    payload: Bytes,
    acker: Acker,
    error: QueueError,
) {
    if subscription.ephemeral {
        tracing::error!(group = %subscription.group, %error, "unreadable delivery; dropped (ephemeral group)");
        if let Err(err) = drop_delivery(link, channel, &acker).await {
            tracing::warn!(%err, "dropping an unreadable delivery");
        }
        return;
    }
    tracing::error!(group = %subscription.group, %error, "unreadable delivery; dead-lettering it");
    let headers = Headers {
        message_id: MessageId::new(),
        correlation_id: None,
        attempt: 1,
        traceparent: None,
        tracestate: None,
        published_at: Utc::now(),
        extra: Default::default(),
    };
    let topic = Topic::parse(routing_key).map_or_else(|_| "unknown".to_owned(), |t| t.to_string());
    let marks = Marks {
        topic: Some(topic),
        last_error: Some(format!("unreadable delivery: {error}")),
        dead_at: Some(Utc::now()),
    };
    let dead = topology::dead_queue(&link.config, &subscription.group);
    let moved = match Prepared::to_queue(&dead, &headers, &marks, payload) {
        Ok(message) => publish::publish(link, &[message]).await,
        Err(err) => Err(err),
    };
    match moved {
        Ok(()) => settle(link, channel, &acker, &headers.message_id)
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(%err, "ack of a salvaged delivery");
            }),
        // Left unacked: the broker redelivers it after a reconnect and we try again.
        Err(err) => tracing::error!(%err, "could not dead-letter an unreadable delivery"),
    }
}

/// Acks one delivery. An ack for a channel or connection that is gone cannot land; the broker has
/// requeued the message and redelivers it (a duplicate for the idempotent consumer), so that is
/// not an error. The lapin error says so even before the acker has seen its channel close (an IO
/// error on the socket reaches the ack first).
async fn settle(
    link: &Link,
    channel: &Channel,
    acker: &Acker,
    id: &MessageId,
) -> Result<(), QueueError> {
    let ack = acker.ack(BasicAckOptions::default());
    match tokio::time::timeout(link.config.call_timeout, ack).await {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => {
            tracing::debug!(%id, "ack not delivered: its channel closed; the broker redelivers it");
            Ok(())
        }
        Ok(Err(err)) if acker.poisoned() || channel_gone(&err) => {
            tracing::debug!(%id, %err, "ack lost with its channel; the broker redelivers it");
            Ok(())
        }
        Ok(Err(err)) => Err(QueueError::Unavailable(format!(
            "RabbitMQ basic.ack: {err}"
        ))),
        // The frame never left: the connection died under it and the channel knows it by now.
        Err(_) if !channel.status().connected() => {
            tracing::debug!(%id, "ack timed out on a closed channel; the broker redelivers it");
            Ok(())
        }
        Err(_) => Err(QueueError::Unavailable(format!(
            "RabbitMQ basic.ack: no answer within {:?}",
            link.config.call_timeout
        ))),
    }
}

/// Drops one delivery of an ephemeral group (`basic.reject` without requeue: the queue has no
/// dead-letter exchange). A channel that is gone has requeued it; the queue went with it.
async fn drop_delivery(link: &Link, channel: &Channel, acker: &Acker) -> Result<(), QueueError> {
    let reject = acker.reject(BasicRejectOptions { requeue: false });
    match tokio::time::timeout(link.config.call_timeout, reject).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) if acker.poisoned() || channel_gone(&err) => Ok(()),
        Ok(Err(err)) => Err(QueueError::Unavailable(format!(
            "RabbitMQ basic.reject: {err}"
        ))),
        Err(_) if !channel.status().connected() => Ok(()),
        Err(_) => Err(QueueError::Unavailable(format!(
            "RabbitMQ basic.reject: no answer within {:?}",
            link.config.call_timeout
        ))),
    }
}

/// Whether a lapin error means the channel the delivery came on no longer exists: then the broker
/// has already returned the message to its queue.
fn channel_gone(err: &lapin::Error) -> bool {
    use lapin::ErrorKind;
    matches!(
        err.kind(),
        ErrorKind::IOError(_)
            | ErrorKind::InvalidChannel(_)
            | ErrorKind::InvalidChannelState(..)
            | ErrorKind::InvalidConnectionState(_)
            | ErrorKind::MissingHeartbeatError
            | ErrorKind::RuntimeShutdownError(_)
    ) || err.is_amqp_hard_error()
}

/// How a RabbitMQ delivery is settled: ack; nack = move to the retry tier of the next delay (or to
/// the dead-letter queue after the last attempt) and ack; reject = move to the dead-letter queue
/// and ack. Every move is publish-confirmed before the ack, so a crash in between duplicates the
/// message rather than losing it. An ephemeral group's nack and reject drop the message.
struct RabbitAck {
    link: Arc<Link>,
    /// The subscription's channel the delivery came on (whether it still lives decides what a
    /// failed ack means).
    channel: Channel,
    subscription: Arc<Subscription>,
    acker: Acker,
    envelope: Envelope,
}

impl RabbitAck {
    async fn move_to(
        self,
        queue: String,
        headers: Headers,
        marks: Marks,
    ) -> Result<(), QueueError> {
        let moved =
            match Prepared::to_queue(&queue, &headers, &marks, self.envelope.payload.clone()) {
                Ok(message) => publish::publish(&self.link, &[message]).await,
                Err(err) => Err(err),
            };
        if let Err(err) = moved {
            // Not moved: hand it back to the group's queue unchanged (same attempt) rather than
            // hold a prefetch slot until the channel closes.
            let requeue = BasicNackOptions {
                multiple: false,
                requeue: true,
            };
            let _ = self
                .link
                .timed("basic.nack", self.acker.nack(requeue))
                .await;
            return Err(err);
        }
        settle(&self.link, &self.channel, &self.acker, &headers.message_id).await
    }

    async fn dead_letter(self, error: String) -> Result<(), QueueError> {
        let marks = Marks {
            topic: Some(self.envelope.topic.to_string()),
            last_error: Some(error),
            dead_at: Some(Utc::now()),
        };
        let queue = topology::dead_queue(&self.link.config, &self.subscription.group);
        let headers = self.envelope.headers.clone();
        self.move_to(queue, headers, marks).await
    }
}

#[async_trait]
impl AckHandle for RabbitAck {
    async fn ack(self: Box<Self>) -> Result<(), QueueError> {
        settle(
            &self.link,
            &self.channel,
            &self.acker,
            &self.envelope.headers.message_id,
        )
        .await
    }

    async fn nack(self: Box<Self>, error: String) -> Result<(), QueueError> {
        if self.subscription.ephemeral {
            tracing::debug!(group = %self.subscription.group, %error, "nacked; dropped (ephemeral group)");
            return drop_delivery(&self.link, &self.channel, &self.acker).await;
        }
        let attempt = self.envelope.headers.attempt;
        let Some(delay) = self.subscription.retry.delay_after(attempt) else {
            return self.dead_letter(error).await;
        };
        let mut headers = self.envelope.headers.clone();
        headers.attempt = attempt.saturating_add(1);
        let marks = Marks {
            topic: Some(self.envelope.topic.to_string()),
            last_error: Some(error),
            dead_at: None,
        };
        let queue = topology::retry_queue(&self.link.config, &self.subscription.group, delay);
        self.move_to(queue, headers, marks).await
    }

    async fn reject(self: Box<Self>, error: String) -> Result<(), QueueError> {
        if self.subscription.ephemeral {
            tracing::debug!(group = %self.subscription.group, %error, "rejected; dropped (ephemeral group)");
            return drop_delivery(&self.link, &self.channel, &self.acker).await;
        }
        self.dead_letter(error).await
    }
}
