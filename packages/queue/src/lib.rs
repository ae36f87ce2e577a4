//! carpetti-queue owns the topic bus every Carpetti service talks through (DESIGN.md §4): publish a
//! protobuf message on a topic, subscribe to topic patterns as a named consumer group, ack or nack
//! each delivery, delayed retries with exponential back-off, dead-lettering after N attempts with
//! the last error, and per-message headers (message id, correlation id, attempt, W3C trace
//! context).
//!
//! The contract is the [`Bus`] trait; backends implement it and one behavioural suite runs against
//! each. Delivery is **at least once**: a consumer sees a message again after a crash or a broker
//! restart, so every consumer is idempotent (see the idempotent-consumer helper).

mod bus;
mod envelope;
mod error;
mod rabbit;
mod retry;
mod topic;

mod consumer;
mod database;
pub mod embedded;
pub mod idempotent;
mod instrument;
pub mod outbox;
mod stored;

pub use bus::{AckHandle, Bus, DeadLetter, Deliveries, Delivery, Subscription};
pub use envelope::{Envelope, Headers, MessageId, OutgoingMessage, TopicMessage};
pub use error::QueueError;
pub use rabbit::{RabbitBus, RabbitConfig};
pub use retry::RetryPolicy;
pub use topic::{Topic, TopicPattern};

pub use consumer::{Handler, HandlerError, run_consumer};
pub use database::{QueueDatabase, RelayStep, migrate};
pub use embedded::{EmbeddedBus, EmbeddedOptions};
pub use idempotent::ProcessedMessages;
pub use instrument::{InstrumentedBus, stamp_trace_context};
pub use outbox::{Outbox, OutboxNotifier, OutboxRelay, RelayOptions};
