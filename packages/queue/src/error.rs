use thiserror::Error;

/// What can go wrong on the bus. Every variant says which side failed and why.
#[derive(Debug, Error)]
pub enum QueueError {
    /// The broker or the embedded store could not be reached (after the backend's own retries).
    #[error("queue backend unavailable: {0}")]
    Unavailable(String),
    /// The broker did not confirm a publish (nack, or the confirm timed out).
    #[error("publish of message {message_id} on {topic} not confirmed: {reason}")]
    NotConfirmed {
        message_id: String,
        topic: String,
        reason: String,
    },
    /// A topic name or pattern that the bus does not accept.
    #[error("invalid topic {topic:?}: {reason}")]
    InvalidTopic { topic: String, reason: String },
    /// A consumer group name that the bus does not accept.
    #[error("invalid consumer group {group:?}: {reason}")]
    InvalidGroup { group: String, reason: String },
    /// A delivery whose payload does not decode as the expected protobuf message.
    #[error("message {message_id} on {topic} does not decode: {reason}")]
    Decode {
        message_id: String,
        topic: String,
        reason: String,
    },
    /// A storage error of the embedded backend, the outbox or the processed-message store.
    #[error("queue storage: {0}")]
    Storage(String),
    /// The bus was closed.
    #[error("the bus is closed")]
    Closed,
}
