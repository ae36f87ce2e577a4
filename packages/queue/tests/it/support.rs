//! Helpers of the suite: receiving with a deadline, asserting silence, polling dead letters, a
//! protobuf test message.

use std::time::Duration;

use anyhow::{Result, bail};
use carpetti_queue::{Bus, DeadLetter, Deliveries, Delivery, OutgoingMessage, Topic, TopicMessage};

/// How long a test waits for something that must happen.
pub const PATIENCE: Duration = Duration::from_secs(15);
/// How long a test watches for something that must NOT happen.
pub const QUIET: Duration = Duration::from_millis(600);

/// The suite's protobuf message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Widget {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(uint64, tag = "2")]
    pub seq: u64,
}

impl TopicMessage for Widget {
    const TOPIC: &'static str = "suite.widget";
}

pub fn widget(topic: &Topic, seq: u64) -> OutgoingMessage {
    let body = Widget {
        name: format!("widget {seq}"),
        seq,
    };
    OutgoingMessage::raw(topic.clone(), prost::Message::encode_to_vec(&body))
}

pub fn seq_of(delivery: &Delivery) -> Result<u64> {
    Ok(delivery.envelope.decode::<Widget>()?.seq)
}

/// The next delivery, or an error after [`PATIENCE`].
pub async fn recv(deliveries: &mut Deliveries) -> Result<Delivery> {
    match tokio::time::timeout(PATIENCE, deliveries.next()).await {
        Ok(Some(delivery)) => Ok(delivery),
        Ok(None) => bail!("the subscription ended"),
        Err(_) => bail!("no delivery within {PATIENCE:?}"),
    }
}

/// Fails if a delivery arrives within `quiet`.
pub async fn assert_quiet(deliveries: &mut Deliveries, quiet: Duration) -> Result<()> {
    if let Ok(Some(delivery)) = tokio::time::timeout(quiet, deliveries.next()).await {
        bail!(
            "unexpected delivery of {} on {} (attempt {})",
            delivery.envelope.headers.message_id,
            delivery.envelope.topic,
            delivery.envelope.headers.attempt
        );
    }
    Ok(())
}

/// Receives and acks `count` deliveries; their seqs in arrival order.
pub async fn take_acked(deliveries: &mut Deliveries, count: usize) -> Result<Vec<u64>> {
    let mut seqs = Vec::with_capacity(count);
    for _ in 0..count {
        let delivery = recv(deliveries).await?;
        seqs.push(seq_of(&delivery)?);
        delivery.ack().await?;
    }
    Ok(seqs)
}

/// Polls the group's dead letters until there are `count` (dead-lettering may be asynchronous).
pub async fn dead_letters(bus: &dyn Bus, group: &str, count: usize) -> Result<Vec<DeadLetter>> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let letters = bus.dead_letters(group, count + 10).await?;
        if letters.len() >= count {
            return Ok(letters);
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "{group}: {} dead letters after {PATIENCE:?}, expected {count}",
                letters.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
