//! Confirmed publishing: every message is sent on the confirm-mode channel, then the broker's
//! confirms are awaited together (pipelined). A lost connection is re-opened and the unconfirmed
//! messages are sent again until the publish timeout (a message may then be stored twice:
//! at-least-once); a nack, an unroutable bus-internal message or a confirm that does not come in
//! time is [`QueueError::NotConfirmed`].

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesOrdered;
use lapin::options::BasicPublishOptions;
use lapin::types::ShortString;
use lapin::{BasicProperties, Confirmation, PublisherConfirm};
use tokio::time::Instant;

use super::codec::{self, Marks};
use super::link::{FIRST_BACKOFF, Link, Live, MAX_BACKOFF};
use super::topology::short;
use crate::{Headers, OutgoingMessage, QueueError};

/// A message encoded for AMQP, kept until confirmed so it can be sent again.
pub(crate) struct Prepared {
    exchange: ShortString,
    routing_key: ShortString,
    properties: BasicProperties,
    payload: Bytes,
    /// Set for the bus's own moves (to a retry tier or a dead-letter queue, through the default
    /// exchange): a queue that does not exist must fail the move, not drop the message.
    mandatory: bool,
    message_id: String,
    topic: String,
}

impl Prepared {
    /// A message for the topic exchange.
    pub fn topic(link: &Link, message: OutgoingMessage) -> Result<Self, QueueError> {
        let exchange = short(&link.config.exchange)?;
        let routing_key = short(message.topic.as_str())?;
        let marks = Marks::default();
        Self::new(
            exchange,
            routing_key,
            &message.headers,
            &marks,
            message.payload,
            false,
        )
        .map_err(|reason| not_confirmed(&message.headers, message.topic.as_str(), reason))
    }

    /// A message sent straight to `queue` through the default exchange.
    pub fn to_queue(
        queue: &str,
        headers: &Headers,
        marks: &Marks,
        payload: Bytes,
    ) -> Result<Self, QueueError> {
        let topic = marks.topic.clone().unwrap_or_default();
        Self::new(
            ShortString::from(""),
            short(queue)?,
            headers,
            marks,
            payload,
            true,
        )
        .map_err(|reason| not_confirmed(headers, &topic, reason))
    }

    fn new(
        exchange: ShortString,
        routing_key: ShortString,
        headers: &Headers,
        marks: &Marks,
        payload: Bytes,
        mandatory: bool,
    ) -> Result<Self, String> {
        Ok(Self {
            exchange,
            topic: marks
                .topic
                .clone()
                .unwrap_or_else(|| routing_key.to_string()),
            routing_key,
            properties: codec::properties(headers, marks)?,
            payload,
            mandatory,
            message_id: headers.message_id.to_string(),
        })
    }

    fn refused(&self, reason: String) -> QueueError {
        QueueError::NotConfirmed {
            message_id: self.message_id.clone(),
            topic: self.topic.clone(),
            reason,
        }
    }
}

fn not_confirmed(headers: &Headers, topic: &str, reason: String) -> QueueError {
    QueueError::NotConfirmed {
        message_id: headers.message_id.to_string(),
        topic: topic.to_owned(),
        reason,
    }
}

enum Failure {
    /// The broker said no: give up.
    Refused(QueueError),
    /// The connection went away: send the unconfirmed ones again.
    Lost {
        unconfirmed: Vec<usize>,
        reason: String,
    },
}

/// Publishes `messages` and returns once the broker confirmed every one.
pub(crate) async fn publish(link: &Link, messages: &[Prepared]) -> Result<(), QueueError> {
    let deadline = Instant::now() + link.config.publish_timeout;
    let mut pending: Vec<usize> = (0..messages.len()).collect();
    let mut backoff = FIRST_BACKOFF;
    while !pending.is_empty() {
        let reason = match link.live().await {
            Ok(live) => match send(link, &live, messages, &pending).await {
                Ok(()) => return Ok(()),
                Err(Failure::Refused(err)) => return Err(err),
                Err(Failure::Lost {
                    unconfirmed,
                    reason,
                }) => {
                    link.forget(live.generation).await;
                    pending = unconfirmed;
                    reason
                }
            },
            Err(QueueError::Closed) => return Err(QueueError::Closed),
            Err(err) => err.to_string(),
        };
        if Instant::now() + backoff >= deadline {
            return Err(QueueError::Unavailable(format!(
                "{} message(s) not confirmed within the publish timeout {:?}: {reason}",
                pending.len(),
                link.config.publish_timeout
            )));
        }
        tracing::debug!(%reason, pending = pending.len(), "publish interrupted; retrying");
        link.pause(backoff).await?;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
    Ok(())
}

async fn send(
    link: &Link,
    live: &Live,
    messages: &[Prepared],
    pending: &[usize],
) -> Result<(), Failure> {
    // Every frame is handed to lapin's I/O loop before any is awaited: one loop round trip for
    // the whole batch instead of one per message. `FuturesOrdered` polls them first in push
    // order, so the broker receives them in the batch's order.
    let sends: FuturesOrdered<_> = pending
        .iter()
        .map(|&index| {
            let message = &messages[index];
            let options = BasicPublishOptions {
                mandatory: message.mandatory,
                ..BasicPublishOptions::default()
            };
            live.publisher.basic_publish(
                message.exchange.clone(),
                message.routing_key.clone(),
                options,
                &message.payload,
                message.properties.clone(),
            )
        })
        .collect();
    let call_timeout = link.config.call_timeout;
    let sent: Vec<lapin::Result<PublisherConfirm>> =
        match tokio::time::timeout(call_timeout, sends.collect()).await {
            Ok(sent) => sent,
            Err(_) => {
                return Err(Failure::Lost {
                    unconfirmed: pending.to_vec(),
                    reason: format!("basic.publish: not sent within {call_timeout:?}"),
                });
            }
        };
    let mut confirms: Vec<(usize, PublisherConfirm)> = Vec::with_capacity(pending.len());
    let mut unconfirmed: Vec<usize> = Vec::new();
    let mut lost: Option<String> = None;
    for (&index, result) in pending.iter().zip(sent) {
        match result {
            Ok(confirm) => confirms.push((index, confirm)),
            Err(err) => {
                lost.get_or_insert_with(|| format!("basic.publish: {err}"));
                unconfirmed.push(index);
            }
        }
    }
    let confirm_timeout = link.config.confirm_timeout;
    for (index, confirm) in confirms {
        let message = &messages[index];
        match tokio::time::timeout(confirm_timeout, confirm).await {
            Ok(Ok(Confirmation::Ack(None))) => {}
            Ok(Ok(Confirmation::Ack(Some(returned)))) => {
                let reason = format!("returned by the broker: {}", returned.reply_text);
                return Err(Failure::Refused(message.refused(reason)));
            }
            Ok(Ok(Confirmation::Nack(_))) => {
                return Err(Failure::Refused(
                    message.refused("nacked by the broker".into()),
                ));
            }
            Ok(Ok(Confirmation::NotRequested)) => {
                let reason = "the channel is not in confirm mode".to_owned();
                return Err(Failure::Refused(message.refused(reason)));
            }
            Ok(Err(err)) => {
                lost.get_or_insert_with(|| err.to_string());
                unconfirmed.push(index);
            }
            Err(_) => {
                let reason = format!("no confirm within {confirm_timeout:?}");
                return Err(Failure::Refused(message.refused(reason)));
            }
        }
    }
    unconfirmed.sort_unstable();
    match lost {
        None if unconfirmed.is_empty() => Ok(()),
        lost => Err(Failure::Lost {
            unconfirmed,
            reason: lost.unwrap_or_else(|| "connection lost".to_owned()),
        }),
    }
}
