//! Reading a group's dead letters without removing them: `basic.get` up to `limit` messages on a
//! private channel, then one `basic.nack(multiple, requeue)` and the channel closes. RabbitMQ puts
//! requeued messages back at their original position, so the queue keeps its order.
//!
//! Caveat (AMQP has no true browse): while a read is in progress the messages it holds are
//! invisible to other readers of `<group>.dead`, and they come back flagged `redelivered`.

use chrono::Utc;
use lapin::options::{BasicGetOptions, BasicNackOptions};

use super::codec;
use super::link::Link;
use super::topology::{self, short};
use crate::{DeadLetter, QueueError};

pub(crate) async fn dead_letters(
    link: &Link,
    group: &str,
    limit: usize,
) -> Result<Vec<DeadLetter>, QueueError> {
    topology::check_group(&link.config, group)?;
    if limit == 0 {
        return Ok(Vec::new());
    }
    let live = link.live().await?;
    let channel = link
        .timed("channel.open", live.connection.create_channel())
        .await?;
    let queue = topology::dead_queue(&link.config, group);
    topology::declare_queue(link, &channel, &queue, Default::default()).await?;
    let mut letters = Vec::new();
    let mut last_tag = None;
    let mut failure = None;
    while letters.len() < limit {
        let get = channel.basic_get(short(&queue)?, BasicGetOptions { no_ack: false });
        let message = match link.timed("basic.get", get).await {
            Ok(Some(message)) => message,
            Ok(None) => break,
            Err(err) => {
                failure = Some(err);
                break;
            }
        };
        let delivery = message.delivery;
        last_tag = Some(delivery.delivery_tag);
        let payload = bytes::Bytes::from(delivery.data);
        match codec::envelope(delivery.routing_key.as_str(), &delivery.properties, payload) {
            Ok((envelope, marks)) => letters.push(DeadLetter {
                group: group.to_owned(),
                attempts: envelope.headers.attempt,
                last_error: marks.last_error.unwrap_or_default(),
                dead_at: marks.dead_at.unwrap_or_else(Utc::now),
                envelope,
            }),
            Err(err) => tracing::warn!(%queue, %err, "skipping an unreadable dead letter"),
        }
    }
    if let Some(tag) = last_tag {
        let requeue = BasicNackOptions {
            multiple: true,
            requeue: true,
        };
        if let Err(err) = link
            .timed("basic.nack", channel.basic_nack(tag, requeue))
            .await
        {
            // Closing the channel requeues them as well.
            tracing::debug!(%err, "requeueing browsed dead letters");
        }
    }
    let _ = link
        .timed("channel.close", channel.close(200, "browsed".into()))
        .await;
    match failure {
        Some(err) => Err(err),
        None => Ok(letters),
    }
}
