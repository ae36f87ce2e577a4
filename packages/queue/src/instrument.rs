//! Observability of the bus: [`InstrumentedBus`] stamps the W3C trace context of the publishing
//! code on every message (unless the caller set one) and counts confirmed publishes per topic;
//! the consumer runtime continues that trace and counts consumed / retried / dead-lettered
//! messages and handler time (names in `carpetti_handle::observe::names`).

use std::sync::Arc;

use async_trait::async_trait;
use carpetti_handle::observe::current_trace_headers;
use carpetti_handle::observe::names::{LABEL_TOPIC, QUEUE_PUBLISHED_TOTAL};

use crate::{Bus, DeadLetter, Deliveries, OutgoingMessage, QueueError, Subscription};

/// Any backend with trace stamping and publish counts.
pub struct InstrumentedBus {
    inner: Arc<dyn Bus>,
}

impl InstrumentedBus {
    pub fn new(inner: Arc<dyn Bus>) -> Self {
        Self { inner }
    }
}

/// Sets `traceparent` / `tracestate` from the current span when the message has none.
pub fn stamp_trace_context(message: &mut OutgoingMessage) {
    if message.headers.traceparent.is_some() {
        return;
    }
    if let Some(trace) = current_trace_headers() {
        message.headers.traceparent = Some(trace.traceparent);
        message.headers.tracestate = trace.tracestate;
    }
}

fn count_published(topic: &str, n: u64) {
    metrics::counter!(QUEUE_PUBLISHED_TOTAL, LABEL_TOPIC => topic.to_owned()).increment(n);
}

#[async_trait]
impl Bus for InstrumentedBus {
    async fn publish(&self, mut message: OutgoingMessage) -> Result<(), QueueError> {
        stamp_trace_context(&mut message);
        let topic = message.topic.to_string();
        self.inner.publish(message).await?;
        count_published(&topic, 1);
        Ok(())
    }

    async fn publish_batch(&self, mut messages: Vec<OutgoingMessage>) -> Result<(), QueueError> {
        let mut topics: Vec<String> = Vec::with_capacity(messages.len());
        for message in &mut messages {
            stamp_trace_context(message);
            topics.push(message.topic.to_string());
        }
        self.inner.publish_batch(messages).await?;
        topics.sort_unstable();
        for chunk in topics.chunk_by(|a, b| a == b) {
            count_published(&chunk[0], chunk.len() as u64);
        }
        Ok(())
    }

    async fn subscribe(&self, subscription: Subscription) -> Result<Deliveries, QueueError> {
        self.inner.subscribe(subscription).await
    }

    async fn dead_letters(&self, group: &str, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        self.inner.dead_letters(group, limit).await
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    async fn close(&self) {
        self.inner.close().await;
    }
}
