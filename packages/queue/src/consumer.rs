//! The consumer runtime: subscribes a group, runs a typed [`Handler`] on up to `concurrency`
//! deliveries at once, and settles each delivery from the handler's answer: `Ok` → ack,
//! [`HandlerError::Retry`] → nack (delayed retry, dead letter after the last attempt),
//! [`HandlerError::Reject`] → dead letter now. A payload that does not decode as the handler's
//! message type is rejected with the decode error. Every message is handled inside a tracing span
//! carrying its group, topic, message id, correlation id, attempt and trace parent. On an
//! ephemeral group ([`Subscription::ephemeral`]) a retry or reject drops the message.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use carpetti_handle::observe::names::{
    LABEL_GROUP, LABEL_TOPIC, QUEUE_CONSUMED_TOTAL, QUEUE_DEAD_LETTERED_TOTAL,
    QUEUE_HANDLE_DURATION_SECONDS, QUEUE_RETRIED_TOTAL,
};
use carpetti_handle::observe::with_trace_context;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::{Bus, Delivery, Envelope, QueueError, Subscription};

/// Why a handler did not process a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerError {
    /// A transient failure (a dependency is down…): try again after the group's back-off.
    Retry(String),
    /// The message can never be processed: dead-letter it now with this reason.
    Reject(String),
}

impl HandlerError {
    pub fn retry(error: impl std::fmt::Display) -> Self {
        Self::Retry(error.to_string())
    }

    pub fn reject(error: impl std::fmt::Display) -> Self {
        Self::Reject(error.to_string())
    }
}

/// Processes the messages of one consumer group. Handlers must be idempotent (delivery is at
/// least once): see [`crate::ProcessedMessages`].
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// The protobuf message the group's topics carry.
    type Message: prost::Message + Default + Send + 'static;

    async fn handle(&self, message: Self::Message, envelope: &Envelope)
    -> Result<(), HandlerError>;
}

/// Consumes `subscription` with `handler` until `shutdown` resolves, then waits for the handlers
/// in flight to finish and settle before returning `Ok`. Returns an error if the subscription
/// cannot be made or the bus ends it (closed).
pub async fn run_consumer<H: Handler>(
    bus: &dyn Bus,
    subscription: Subscription,
    handler: H,
    concurrency: usize,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), QueueError> {
    let group: Arc<str> = Arc::from(subscription.group.as_str());
    let max_attempts = subscription.retry.max_attempts;
    // An ephemeral group has no retries: every failure is final (the bus drops the message).
    let ephemeral = subscription.ephemeral;
    let mut deliveries = bus.subscribe(subscription).await?;
    let handler = Arc::new(handler);
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    let result = loop {
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break Ok(()),
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break Err(QueueError::Closed),
            },
        };
        let delivery = tokio::select! {
            biased;
            () = &mut shutdown => break Ok(()),
            delivery = deliveries.next() => match delivery {
                Some(delivery) => delivery,
                None => break Err(QueueError::Closed),
            },
        };
        let handler = handler.clone();
        let group = group.clone();
        tasks.spawn(async move {
            process(handler.as_ref(), &group, max_attempts, ephemeral, delivery).await;
            drop(slot);
        });
        while let Some(done) = tasks.try_join_next() {
            report_panic(done);
        }
    };
    while let Some(done) = tasks.join_next().await {
        report_panic(done);
    }
    drop(deliveries);
    result
}

fn report_panic(done: Result<(), tokio::task::JoinError>) {
    if let Err(err) = done {
        // The delivery was dropped unsettled: the bus redelivers it.
        tracing::error!(error = %err, "queue handler panicked; the message will be redelivered");
    }
}

async fn process<H: Handler>(
    handler: &H,
    group: &str,
    max_attempts: u32,
    ephemeral: bool,
    delivery: Delivery,
) {
    let envelope = &delivery.envelope;
    let headers = &envelope.headers;
    // Continue the publisher's trace (or start one) so its logs and ours share a trace id.
    let trace = with_trace_context(
        headers.traceparent.as_deref(),
        headers.tracestate.as_deref(),
    );
    let labels = [
        (LABEL_TOPIC, envelope.topic.to_string()),
        (LABEL_GROUP, group.to_owned()),
    ];
    let last_attempt = headers.attempt >= max_attempts;
    let started = Instant::now();
    let span = tracing::info_span!(
        parent: &trace,
        "queue.message",
        group,
        topic = %envelope.topic,
        message_id = %headers.message_id,
        correlation_id = headers.correlation_id.as_deref().unwrap_or(""),
        attempt = headers.attempt,
        traceparent = headers.traceparent.as_deref().unwrap_or(""),
    );
    async move {
        let outcome = match delivery.envelope.decode::<H::Message>() {
            Ok(message) => handler.handle(message, &delivery.envelope).await,
            Err(err) => Err(HandlerError::Reject(err.to_string())),
        };
        metrics::histogram!(QUEUE_HANDLE_DURATION_SECONDS, &labels)
            .record(started.elapsed().as_secs_f64());
        let settled = match outcome {
            Ok(()) => {
                metrics::counter!(QUEUE_CONSUMED_TOTAL, &labels).increment(1);
                delivery.ack().await
            }
            Err(HandlerError::Retry(error) | HandlerError::Reject(error)) if ephemeral => {
                tracing::warn!(%error, "message failed; dropped (ephemeral group)");
                delivery.reject(error).await
            }
            Err(HandlerError::Retry(error)) if !last_attempt => {
                metrics::counter!(QUEUE_RETRIED_TOTAL, &labels).increment(1);
                tracing::warn!(%error, "message failed; retrying after back-off");
                delivery.nack(error).await
            }
            Err(HandlerError::Retry(error)) => {
                metrics::counter!(QUEUE_DEAD_LETTERED_TOTAL, &labels).increment(1);
                tracing::warn!(%error, "message failed its last attempt; dead-lettered");
                delivery.nack(error).await
            }
            Err(HandlerError::Reject(error)) => {
                metrics::counter!(QUEUE_DEAD_LETTERED_TOTAL, &labels).increment(1);
                tracing::warn!(%error, "message rejected; dead-lettered");
                delivery.reject(error).await
            }
        };
        if let Err(err) = settled {
            tracing::warn!(error = %err, "settling a delivery failed; it will be redelivered");
        }
    }
    .instrument(span)
    .await;
}
