use std::collections::BTreeMap;
use std::fmt;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{QueueError, Topic};

/// A message's identity, kept across retries and redeliveries: what an idempotent consumer
/// remembers. UUIDv7, so ids sort by publication time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub Uuid);

impl MessageId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn parse(raw: &str) -> Result<Self, QueueError> {
        Uuid::parse_str(raw)
            .map(Self)
            .map_err(|err| QueueError::Storage(format!("message id {raw:?}: {err}")))
    }
}

impl Default for MessageId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The headers every message carries. On RabbitMQ: `message_id`, `correlation_id` and
/// `timestamp` are AMQP basic properties; `x-attempt`, `traceparent`, `tracestate` and the
/// `extra` entries are table headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Headers {
    pub message_id: MessageId,
    /// Ties the messages of one business flow together (e.g. one supplier import).
    pub correlation_id: Option<String>,
    /// 1 on the first delivery, incremented by every retry.
    pub attempt: u32,
    /// W3C trace context (`traceparent` / `tracestate`), so one flow can be followed in the logs.
    pub traceparent: Option<String>,
    pub tracestate: Option<String>,
    pub published_at: DateTime<Utc>,
    pub extra: BTreeMap<String, String>,
}

impl Headers {
    fn fresh() -> Self {
        Self {
            message_id: MessageId::new(),
            correlation_id: None,
            attempt: 1,
            traceparent: None,
            tracestate: None,
            published_at: Utc::now(),
            extra: BTreeMap::new(),
        }
    }
}

/// A protobuf message type that has its own topic.
pub trait TopicMessage: prost::Message + Default {
    /// The topic this message type is published on, e.g. `provider.items_changed`.
    const TOPIC: &'static str;
}

/// A message on its way to the bus.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMessage {
    pub topic: Topic,
    pub headers: Headers,
    pub payload: Bytes,
}

impl OutgoingMessage {
    /// Encodes `message` for its own topic with a fresh message id.
    pub fn new<M: TopicMessage>(message: &M) -> Result<Self, QueueError> {
        Ok(Self::raw(Topic::parse(M::TOPIC)?, message.encode_to_vec()))
    }

    /// A message with an already encoded payload.
    pub fn raw(topic: Topic, payload: impl Into<Bytes>) -> Self {
        Self {
            topic,
            headers: Headers::fresh(),
            payload: payload.into(),
        }
    }

    pub fn with_message_id(mut self, id: MessageId) -> Self {
        self.headers.message_id = id;
        self
    }

    pub fn with_correlation_id(mut self, id: impl Into<String>) -> Self {
        self.headers.correlation_id = Some(id.into());
        self
    }

    pub fn with_trace_context(mut self, traceparent: String, tracestate: Option<String>) -> Self {
        self.headers.traceparent = Some(traceparent);
        self.headers.tracestate = tracestate;
        self
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.extra.insert(name.into(), value.into());
        self
    }
}

/// A message as a consumer receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub topic: Topic,
    pub headers: Headers,
    pub payload: Bytes,
}

impl Envelope {
    /// Decodes the payload as `M`; a payload that does not decode is a poison message for the
    /// caller to dead-letter.
    pub fn decode<M: prost::Message + Default>(&self) -> Result<M, QueueError> {
        M::decode(self.payload.clone()).map_err(|err| QueueError::Decode {
            message_id: self.headers.message_id.to_string(),
            topic: self.topic.to_string(),
            reason: err.to_string(),
        })
    }
}

impl From<OutgoingMessage> for Envelope {
    fn from(message: OutgoingMessage) -> Self {
        Self {
            topic: message.topic,
            headers: message.headers,
            payload: message.payload,
        }
    }
}
