//! The idempotent consumer: delivery is at least once, so a consumer group remembers the message
//! ids it processed in `queue_processed_message`, written in the **same transaction** as its own
//! state change. A redelivered message finds its id there and is acknowledged without being
//! applied again. Entries older than a retention (longer than any redelivery can take) are pruned.

use std::time::Duration;

use sqlx::{Pool, Transaction};

use crate::database::QueueDatabase;
use crate::stored::now_ms;
use crate::{MessageId, QueueError};

/// The processed-message store of one database (tables from [`crate::migrate`]).
pub struct ProcessedMessages;

impl ProcessedMessages {
    /// Records that `group` processed message `id`, inside `tx` (the transaction that applies
    /// the message). `false` means it was already recorded: a duplicate, whose effects the caller
    /// skips (and acks). Under concurrent duplicates the second insert waits for the first
    /// transaction and then reports `false`. A transaction that marks several messages marks them
    /// in ascending id order, so two transactions holding overlapping duplicates (redeliveries
    /// after a broker restart land on any instance) wait for each other instead of deadlocking.
    pub async fn mark_processed<DB: QueueDatabase>(
        tx: &mut Transaction<'_, DB>,
        group: &str,
        id: MessageId,
    ) -> Result<bool, QueueError> {
        DB::mark_processed(&mut **tx, group, id).await
    }

    /// Whether `group` already processed `id` (a cheap pre-check before expensive work; the
    /// authoritative check is [`ProcessedMessages::mark_processed`]).
    pub async fn is_processed<DB: QueueDatabase>(
        pool: &Pool<DB>,
        group: &str,
        id: MessageId,
    ) -> Result<bool, QueueError> {
        let mut conn = pool
            .acquire()
            .await
            .map_err(|err| QueueError::Storage(format!("acquiring a connection: {err}")))?;
        DB::is_processed(&mut conn, group, id).await
    }

    /// Deletes the entries recorded more than `retention` ago; how many.
    pub async fn prune<DB: QueueDatabase>(
        pool: &Pool<DB>,
        retention: Duration,
    ) -> Result<u64, QueueError> {
        let retention_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
        DB::prune_processed(pool, now_ms().saturating_sub(retention_ms)).await
    }
}
