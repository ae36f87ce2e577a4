//! The databases the queue's tables live in: PostgreSQL (a service's own database) and SQLite
//! (the embedded database, or a service's file). [`QueueDatabase`] is implemented for
//! [`sqlx::Postgres`] and [`sqlx::Sqlite`]; the outbox, the processed-message store and
//! [`migrate`] are generic over it.
//!
//! ## Migrations next to a service's own
//!
//! The queue's tables are created from `migrations/{postgres,sqlite}` (sqlx migration files) but
//! the applied versions are recorded in the queue's own table `queue_schema_migration`, not in
//! sqlx's `_sqlx_migrations`. A service keeps running `sqlx::migrate!` on its own directory
//! unchanged (sqlx refuses applied versions it does not know unless `set_ignore_missing`, so
//! sharing `_sqlx_migrations` would break it) and calls [`migrate`] on the same pool. Each
//! migration is applied once, in one transaction with its record, under a lock (a transaction
//! advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so concurrent starters are safe; an
//! applied migration whose file changed afterwards is refused.

use std::future::Future;

use sqlx::Pool;
use sqlx::migrate::{Migration, Migrator};

use crate::{Bus, MessageId, OutgoingMessage, QueueError};

mod postgres;
mod sqlite;

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Postgres {}
    impl Sealed for sqlx::Sqlite {}
}

/// What one relay pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayStep {
    /// This many rows were published and deleted (0: the outbox is empty).
    Relayed(usize),
    /// Another relay holds the outbox lock (PostgreSQL with several instances): try later.
    Busy,
}

/// A database the queue's tables can live in: PostgreSQL or SQLite.
pub trait QueueDatabase: sqlx::Database + sealed::Sealed {
    /// Applies the queue's pending migrations (see the module doc).
    fn apply_migrations(pool: &Pool<Self>) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// Inserts `message` into `outbox_message` on `conn` (the caller's transaction).
    fn outbox_insert<'c>(
        conn: &'c mut Self::Connection,
        message: &'c OutgoingMessage,
    ) -> impl Future<Output = Result<(), QueueError>> + Send + 'c;

    /// Publishes up to `limit` pending outbox rows, oldest first, through `bus` and deletes them
    /// once the bus confirmed them.
    fn outbox_relay<'a>(
        pool: &'a Pool<Self>,
        bus: &'a dyn Bus,
        limit: usize,
        publish_timeout: std::time::Duration,
    ) -> impl Future<Output = Result<RelayStep, QueueError>> + Send + 'a;

    /// How many rows wait in the outbox.
    fn outbox_pending(pool: &Pool<Self>) -> impl Future<Output = Result<u64, QueueError>> + Send;

    /// Records `(group, id)` as processed on `conn`; false when it already was (a duplicate).
    fn mark_processed<'c>(
        conn: &'c mut Self::Connection,
        group: &'c str,
        id: MessageId,
    ) -> impl Future<Output = Result<bool, QueueError>> + Send + 'c;

    /// Whether `(group, id)` was processed.
    fn is_processed<'c>(
        conn: &'c mut Self::Connection,
        group: &'c str,
        id: MessageId,
    ) -> impl Future<Output = Result<bool, QueueError>> + Send + 'c;

    /// Deletes processed-message entries recorded before `before_ms` (Unix ms); how many.
    fn prune_processed(
        pool: &Pool<Self>,
        before_ms: i64,
    ) -> impl Future<Output = Result<u64, QueueError>> + Send;
}

/// Applies the queue's migrations (outbox, processed messages and, on SQLite, the embedded bus
/// tables) to `pool`'s database. Idempotent; safe to run next to a service's own `sqlx::migrate!`.
pub async fn migrate<DB: QueueDatabase>(pool: &Pool<DB>) -> Result<(), QueueError> {
    DB::apply_migrations(pool).await
}

/// The migrations of `migrator` not yet applied, given the applied `(version, checksum)` pairs;
/// an applied migration whose checksum changed, or one unknown to this build, is an error.
pub(crate) fn pending<'m>(
    migrator: &'m Migrator,
    applied: &[(i64, Vec<u8>)],
) -> Result<Vec<&'m Migration>, QueueError> {
    for (version, checksum) in applied {
        match migrator.iter().find(|m| m.version == *version) {
            Some(known) if known.checksum.as_ref() == checksum.as_slice() => {}
            Some(known) => {
                return Err(QueueError::Storage(format!(
                    "queue migration {version} ({}) was changed after it was applied",
                    known.description
                )));
            }
            None => {
                return Err(QueueError::Storage(format!(
                    "queue migration {version} is applied but unknown to this build (a newer \
                     carpetti wrote this database?)"
                )));
            }
        }
    }
    Ok(migrator
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .filter(|m| !applied.iter().any(|(version, _)| *version == m.version))
        .collect())
}

/// Publishes `messages` through `bus`, giving up after `timeout`.
pub(crate) async fn publish_within(
    bus: &dyn Bus,
    messages: Vec<OutgoingMessage>,
    timeout: std::time::Duration,
) -> Result<(), QueueError> {
    match tokio::time::timeout(timeout, bus.publish_batch(messages)).await {
        Ok(result) => result,
        Err(_) => Err(QueueError::Unavailable(format!(
            "publishing outbox rows timed out after {timeout:?}"
        ))),
    }
}
