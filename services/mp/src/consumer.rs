//! The queue interface of service_mp: `mp.publish_requested` in, one `mp.publish_result` per
//! product out. Handling a request twice sends nothing the second time — the listings carry the
//! published content hash and in-flight batches are followed, not re-sent — so redelivery after a
//! crash is harmless without a processed-message store.

use std::sync::Arc;

use carpetti_proto::mp::v1 as pb;
use carpetti_queue::{
    Bus, Envelope, Handler, HandlerError, OutgoingMessage, RetryPolicy, Subscription, Topic,
    TopicPattern,
};
use carpetti_repo::PersistClient;
use prost::Message;

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::connectors::ConnectOptions;
use crate::publish::{ItemReport, Outcome, Publisher, Quiet, Selection};

/// Topic of [`pb::PublishRequested`].
pub const PUBLISH_REQUESTED_TOPIC: &str = "mp.publish_requested";
/// Topic of [`pb::PublishResult`].
pub const PUBLISH_RESULT_TOPIC: &str = "mp.publish_result";
/// Topic of [`pb::OrdersSynced`].
pub const ORDERS_SYNCED_TOPIC: &str = "mp.orders_synced";
/// The consumer group of service_mp.
pub const GROUP: &str = "mp";

/// The subscription: publication requests, redelivered with back-off while a marketplace or
/// persist is unavailable.
pub fn subscription() -> Result<Subscription, carpetti_queue::QueueError> {
    Ok(
        Subscription::new(GROUP, vec![TopicPattern::parse(PUBLISH_REQUESTED_TOPIC)?])
            .with_retry(RetryPolicy::default()),
    )
}

/// Publishes what the queue asks for and announces each product's outcome.
pub struct PublishRequests {
    persist: PersistClient,
    publisher: Publisher,
    bus: Arc<dyn Bus>,
    options: ConnectOptions,
}

impl PublishRequests {
    pub fn new(
        persist: PersistClient,
        publisher: Publisher,
        bus: Arc<dyn Bus>,
        options: ConnectOptions,
    ) -> Self {
        Self {
            persist,
            publisher,
            bus,
            options,
        }
    }

    async fn run(&self, message: &pb::PublishRequested) -> Result<Vec<ItemReport>, MpServiceError> {
        let ctx = ChannelContext::load(&self.persist, &message.channel_code, &self.options).await?;
        let selection = if message.skus.is_empty() {
            Selection::All
        } else {
            Selection::Skus(message.skus.clone())
        };
        Ok(self
            .publisher
            .publish(&ctx, &selection, &Quiet)
            .await?
            .items)
    }
}

#[async_trait::async_trait]
impl Handler for PublishRequests {
    type Message = pb::PublishRequested;

    async fn handle(
        &self,
        message: pb::PublishRequested,
        _: &Envelope,
    ) -> Result<(), HandlerError> {
        let items = match self.run(&message).await {
            Ok(items) => items,
            Err(error) if error.is_transient() => return Err(HandlerError::retry(error)),
            Err(error) => return Err(HandlerError::reject(error)),
        };
        let topic = Topic::parse(PUBLISH_RESULT_TOPIC).map_err(HandlerError::reject)?;
        let results = items
            .iter()
            .map(|item| {
                OutgoingMessage::raw(
                    topic.clone(),
                    result_of(&message.channel_code, item).encode_to_vec(),
                )
            })
            .collect();
        // Results not confirmed by the bus: the request is redelivered, and the second pass
        // finds everything unchanged (or still in flight) and announces it again.
        self.bus
            .publish_batch(results)
            .await
            .map_err(HandlerError::retry)
    }
}

/// The queue message of one product's outcome.
pub fn result_of(channel: &str, item: &ItemReport) -> pb::PublishResult {
    pb::PublishResult {
        channel_code: channel.to_owned(),
        sku: item.sku.clone(),
        outcome: match item.outcome {
            Outcome::Created => pb::PublishOutcome::Created,
            Outcome::Updated => pb::PublishOutcome::Updated,
            Outcome::Unchanged => pb::PublishOutcome::Unchanged,
            Outcome::Failed => pb::PublishOutcome::Failed,
            Outcome::Pending => pb::PublishOutcome::Pending,
        } as i32,
        content_hash: item.content_hash.clone(),
        external_product_id: item
            .ids
            .as_ref()
            .and_then(|i| i.product_id.clone())
            .unwrap_or_default(),
        external_sku: item
            .ids
            .as_ref()
            .and_then(|i| i.sku.clone())
            .unwrap_or_default(),
        problems: item
            .problems
            .iter()
            .map(|p| pb::Problem {
                code: p.code.clone(),
                message: p.message.clone(),
                attribute: p.attribute.clone().unwrap_or_default(),
            })
            .collect(),
    }
}
