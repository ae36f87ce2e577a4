//! Headers ↔ AMQP: `message_id`, `correlation_id` and `timestamp` are basic properties;
//! the attempt, the trace context, the exact publication time and the `extra` entries are table
//! headers. Retries and dead letters add `x-topic` (a message moved through the default exchange
//! loses its routing key), `x-last-error` and `x-dead-at`.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};

use crate::{Envelope, Headers, MessageId, QueueError, Topic};

pub(crate) const ATTEMPT: &str = "x-attempt";
pub(crate) const PUBLISHED_AT: &str = "x-published-at";
pub(crate) const TOPIC: &str = "x-topic";
pub(crate) const LAST_ERROR: &str = "x-last-error";
pub(crate) const DEAD_AT: &str = "x-dead-at";
const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";
/// Persistent: a durable queue keeps the message across a broker restart.
const PERSISTENT: u8 = 2;
const CONTENT_TYPE: &str = "application/x-protobuf";

/// Table headers that belong to the bus or the broker, never to `Headers::extra`.
fn reserved(name: &str) -> bool {
    matches!(
        name,
        ATTEMPT
            | PUBLISHED_AT
            | TOPIC
            | LAST_ERROR
            | DEAD_AT
            | TRACEPARENT
            | TRACESTATE
            | "x-death"
    ) || name.starts_with("x-first-death-")
        || name.starts_with("x-last-death-")
}

/// The bus-internal headers a retry or a dead letter adds to a message.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    pub topic: Option<String>,
    pub last_error: Option<String>,
    pub dead_at: Option<DateTime<Utc>>,
}

/// The AMQP properties of a message with `headers`. Fails (the message is not published) on a
/// value AMQP cannot carry: a correlation id or header name longer than 255 bytes.
pub(crate) fn properties(headers: &Headers, marks: &Marks) -> Result<BasicProperties, String> {
    let mut table = FieldTable::default();
    for (name, value) in &headers.extra {
        if reserved(name) {
            return Err(format!("header name {name:?} is reserved by the bus"));
        }
        table.insert(short(name, "header name")?, long(value));
    }
    table.insert(
        ATTEMPT.into(),
        AMQPValue::LongLongInt(i64::from(headers.attempt)),
    );
    table.insert(
        PUBLISHED_AT.into(),
        AMQPValue::LongLongInt(nanos(headers.published_at)),
    );
    if let Some(traceparent) = &headers.traceparent {
        table.insert(TRACEPARENT.into(), long(traceparent));
    }
    if let Some(tracestate) = &headers.tracestate {
        table.insert(TRACESTATE.into(), long(tracestate));
    }
    if let Some(topic) = &marks.topic {
        table.insert(TOPIC.into(), long(topic));
    }
    if let Some(error) = &marks.last_error {
        table.insert(LAST_ERROR.into(), long(error));
    }
    if let Some(dead_at) = marks.dead_at {
        table.insert(DEAD_AT.into(), AMQPValue::LongLongInt(nanos(dead_at)));
    }
    let mut properties = BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_content_type(CONTENT_TYPE.into())
        .with_message_id(headers.message_id.to_string().into())
        .with_timestamp(u64::try_from(headers.published_at.timestamp()).unwrap_or(0))
        .with_headers(table);
    if let Some(correlation_id) = &headers.correlation_id {
        properties = properties.with_correlation_id(short(correlation_id, "correlation id")?);
    }
    Ok(properties)
}

/// A delivered message back as an envelope plus the bus marks it carries.
pub(crate) fn envelope(
    routing_key: &str,
    properties: &BasicProperties,
    payload: Bytes,
) -> Result<(Envelope, Marks), QueueError> {
    let empty = FieldTable::default();
    let table = properties.headers().as_ref().unwrap_or(&empty);
    let get = |name: &str| table.inner().get(name);
    let message_id = match properties.message_id() {
        Some(id) => MessageId::parse(id.as_str())?,
        None => {
            return Err(QueueError::Storage(
                "message without a message id".to_owned(),
            ));
        }
    };
    let marks = Marks {
        topic: get(TOPIC).and_then(text),
        last_error: get(LAST_ERROR).and_then(text),
        dead_at: get(DEAD_AT)
            .and_then(integer)
            .map(DateTime::from_timestamp_nanos),
    };
    let topic = Topic::parse(marks.topic.as_deref().unwrap_or(routing_key))?;
    let published_at = get(PUBLISHED_AT)
        .and_then(integer)
        .map(DateTime::from_timestamp_nanos)
        .or_else(|| {
            properties
                .timestamp()
                .and_then(|secs| i64::try_from(secs).ok())
                .and_then(|secs| DateTime::from_timestamp(secs, 0))
        })
        .unwrap_or_else(Utc::now);
    let extra = table
        .inner()
        .iter()
        .filter(|(name, _)| !reserved(name.as_str()))
        .filter_map(|(name, value)| Some((name.to_string(), text(value)?)))
        .collect();
    let headers = Headers {
        message_id,
        correlation_id: properties
            .correlation_id()
            .as_ref()
            .map(ToString::to_string),
        attempt: get(ATTEMPT)
            .and_then(integer)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1),
        traceparent: get(TRACEPARENT).and_then(text),
        tracestate: get(TRACESTATE).and_then(text),
        published_at,
        extra,
    };
    let envelope = Envelope {
        topic,
        headers,
        payload,
    };
    Ok((envelope, marks))
}

fn nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

fn short(value: &str, what: &str) -> Result<ShortString, String> {
    ShortString::try_new(value).map_err(|_| format!("{what} longer than 255 bytes: {value:.40}…"))
}

fn long(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value))
}

fn text(value: &AMQPValue) -> Option<String> {
    match value {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

fn integer(value: &AMQPValue) -> Option<i64> {
    match value {
        AMQPValue::ShortShortInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortShortUInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortUInt(n) => Some(i64::from(*n)),
        AMQPValue::LongInt(n) => Some(i64::from(*n)),
        AMQPValue::LongUInt(n) => Some(i64::from(*n)),
        AMQPValue::LongLongInt(n) => Some(*n),
        AMQPValue::Timestamp(n) => i64::try_from(*n).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OutgoingMessage;

    #[test]
    fn headers_survive_the_round_trip() {
        let topic = Topic::parse("provider.items_changed").expect("topic");
        let mut message = OutgoingMessage::raw(topic, b"payload".to_vec())
            .with_correlation_id("import-42")
            .with_trace_context("00-abc-def-01".to_owned(), Some("k=v".to_owned()))
            .with_header("tenant", "7");
        message.headers.attempt = 3;
        let props = properties(&message.headers, &Marks::default()).expect("properties");
        let (envelope, marks) = envelope(
            "provider.items_changed",
            &props,
            Bytes::from_static(b"payload"),
        )
        .expect("envelope");
        assert_eq!(envelope, Envelope::from(message));
        assert!(marks.topic.is_none() && marks.last_error.is_none());
    }

    #[test]
    fn marks_carry_the_topic_across_the_default_exchange() {
        let topic = Topic::parse("a.b").expect("topic");
        let message = OutgoingMessage::raw(topic.clone(), Vec::new());
        let marks = Marks {
            topic: Some("a.b".to_owned()),
            last_error: Some("boom".to_owned()),
            dead_at: Some(Utc::now()),
        };
        let props = properties(&message.headers, &marks).expect("properties");
        let (envelope, back) = envelope("group.dead", &props, Bytes::new()).expect("envelope");
        assert_eq!(envelope.topic, topic);
        assert_eq!(back.last_error.as_deref(), Some("boom"));
        assert_eq!(back.dead_at, marks.dead_at);
    }

    #[test]
    fn reserved_and_oversized_values_are_refused() {
        let topic = Topic::parse("a").expect("topic");
        let reserved =
            OutgoingMessage::raw(topic.clone(), Vec::new()).with_header("x-attempt", "9");
        assert!(properties(&reserved.headers, &Marks::default()).is_err());
        let long = OutgoingMessage::raw(topic, Vec::new()).with_correlation_id("c".repeat(300));
        assert!(properties(&long.headers, &Marks::default()).is_err());
    }
}
