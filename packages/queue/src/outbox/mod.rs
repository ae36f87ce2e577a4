//! The transactional outbox: a service writes the messages a state change causes into
//! `outbox_message` in the **same database transaction** as the change ([`Outbox::enqueue`]), so
//! both happen or neither does; an [`OutboxRelay`] publishes the rows through any [`Bus`] and
//! deletes each only after the bus confirmed it. A crash between the publish and the delete
//! publishes the row again with the same message id, which the idempotent consumer absorbs.
//!
//! [`Bus`]: crate::Bus

mod relay;

pub use relay::{OutboxNotifier, OutboxRelay, RelayOptions};

use sqlx::{Pool, Transaction};

use crate::database::QueueDatabase;
use crate::{OutgoingMessage, QueueError};

/// The outbox of one database (PostgreSQL or SQLite; the tables come from [`crate::migrate`]).
pub struct Outbox;

impl Outbox {
    /// Adds `message` to the outbox inside `tx`, the caller's transaction: it is published only
    /// if `tx` commits. Call [`OutboxNotifier::notify`] after the commit to relay it at once
    /// (otherwise the relay's poll finds it).
    pub async fn enqueue<DB: QueueDatabase>(
        tx: &mut Transaction<'_, DB>,
        message: &OutgoingMessage,
    ) -> Result<(), QueueError> {
        DB::outbox_insert(&mut **tx, message).await
    }

    /// Adds several messages inside `tx`, in order.
    pub async fn enqueue_all<DB: QueueDatabase>(
        tx: &mut Transaction<'_, DB>,
        messages: &[OutgoingMessage],
    ) -> Result<(), QueueError> {
        for message in messages {
            DB::outbox_insert(&mut **tx, message).await?;
        }
        Ok(())
    }

    /// How many messages wait to be relayed.
    pub async fn pending<DB: QueueDatabase>(pool: &Pool<DB>) -> Result<u64, QueueError> {
        DB::outbox_pending(pool).await
    }
}
