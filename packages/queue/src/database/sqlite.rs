//! The queue's tables on SQLite.

use std::time::Duration;

use sqlx::Executor;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::{QueueDatabase, RelayStep, pending};
use crate::stored::{extra_from_json, extra_to_json, from_nanos, nanos, now_ms, storage};
use crate::{Bus, Headers, MessageId, OutgoingMessage, QueueError, Topic};

pub(crate) static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");

const OUTBOX_COLUMNS: &str =
    "id, message_id, topic, correlation_id, traceparent, tracestate, published_at, extra, payload";

impl QueueDatabase for Sqlite {
    async fn apply_migrations(pool: &SqlitePool) -> Result<(), QueueError> {
        // BEGIN IMMEDIATE takes the write lock first: two starters cannot both see a migration
        // as pending.
        let mut tx = pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(storage("starting the queue migrations"))?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS queue_schema_migration (
                version     INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                checksum    BLOB NOT NULL,
                applied_at  INTEGER NOT NULL
            )",
        )
        .await
        .map_err(storage("creating queue_schema_migration"))?;
        let applied: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT version, checksum FROM queue_schema_migration ORDER BY version")
                .fetch_all(&mut *tx)
                .await
                .map_err(storage("reading queue_schema_migration"))?;
        for migration in pending(&SQLITE_MIGRATIONS, &applied)? {
            tx.execute(migration.sql.as_ref()).await.map_err(|err| {
                QueueError::Storage(format!(
                    "queue migration {} ({}): {err}",
                    migration.version, migration.description
                ))
            })?;
            sqlx::query(
                "INSERT INTO queue_schema_migration (version, description, checksum, applied_at)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(migration.version)
            .bind(migration.description.as_ref())
            .bind(migration.checksum.as_ref())
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(storage("recording a queue migration"))?;
        }
        tx.commit()
            .await
            .map_err(storage("committing the queue migrations"))
    }

    async fn outbox_insert<'c>(
        conn: &'c mut SqliteConnection,
        message: &'c OutgoingMessage,
    ) -> Result<(), QueueError> {
        let headers = &message.headers;
        sqlx::query(
            "INSERT INTO outbox_message (message_id, topic, correlation_id, traceparent, tracestate,
                 published_at, extra, payload, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(headers.message_id.0)
        .bind(message.topic.as_str())
        .bind(headers.correlation_id.as_deref())
        .bind(headers.traceparent.as_deref())
        .bind(headers.tracestate.as_deref())
        .bind(nanos(headers.published_at)?)
        .bind(extra_to_json(&headers.extra)?)
        .bind(message.payload.as_ref())
        .bind(now_ms())
        .execute(conn)
        .await
        .map_err(storage("inserting into outbox_message"))?;
        Ok(())
    }

    async fn outbox_relay<'a>(
        pool: &'a SqlitePool,
        bus: &'a dyn Bus,
        limit: usize,
        publish_timeout: Duration,
    ) -> Result<RelayStep, QueueError> {
        // No transaction is held across the publish: on SQLite it would hold the file's write
        // lock. One relay per file (the embedded mode is one process) keeps the order.
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox_message ORDER BY id LIMIT ?"
        ))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await
        .map_err(storage("reading outbox_message"))?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(RelayStep::Relayed(0));
        };
        let first_id: i64 = first.try_get("id").map_err(storage("outbox id"))?;
        let last_id: i64 = last.try_get("id").map_err(storage("outbox id"))?;
        let messages = rows.iter().map(outgoing).collect::<Result<Vec<_>, _>>()?;
        let count = messages.len();
        super::publish_within(bus, messages, publish_timeout).await?;
        // Ids are assigned in commit order on SQLite (one writer at a time), so no row below
        // last_id can appear later: the range is exactly the rows just published.
        sqlx::query("DELETE FROM outbox_message WHERE id BETWEEN ? AND ?")
            .bind(first_id)
            .bind(last_id)
            .execute(pool)
            .await
            .map_err(storage("deleting relayed outbox rows"))?;
        Ok(RelayStep::Relayed(count))
    }

    async fn outbox_pending(pool: &SqlitePool) -> Result<u64, QueueError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox_message")
            .fetch_one(pool)
            .await
            .map_err(storage("counting outbox_message"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn mark_processed<'c>(
        conn: &'c mut SqliteConnection,
        group: &'c str,
        id: MessageId,
    ) -> Result<bool, QueueError> {
        let done = sqlx::query(
            "INSERT INTO queue_processed_message (group_name, message_id, processed_at)
             VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(group)
        .bind(id.0)
        .bind(now_ms())
        .execute(conn)
        .await
        .map_err(storage("recording a processed message"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn is_processed<'c>(
        conn: &'c mut SqliteConnection,
        group: &'c str,
        id: MessageId,
    ) -> Result<bool, QueueError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM queue_processed_message WHERE group_name = ? AND message_id = ?",
        )
        .bind(group)
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(storage("looking up a processed message"))?;
        Ok(found.is_some())
    }

    async fn prune_processed(pool: &SqlitePool, before_ms: i64) -> Result<u64, QueueError> {
        let done = sqlx::query("DELETE FROM queue_processed_message WHERE processed_at < ?")
            .bind(before_ms)
            .execute(pool)
            .await
            .map_err(storage("pruning processed messages"))?;
        Ok(done.rows_affected())
    }
}

fn outgoing(row: &SqliteRow) -> Result<OutgoingMessage, QueueError> {
    let get = storage("decoding an outbox row");
    let topic: String = row.try_get("topic").map_err(&get)?;
    let payload: Vec<u8> = row.try_get("payload").map_err(&get)?;
    let message_id: Uuid = row.try_get("message_id").map_err(&get)?;
    let published_at: i64 = row.try_get("published_at").map_err(&get)?;
    let mut message = OutgoingMessage::raw(Topic::parse(&topic)?, payload);
    message.headers = Headers {
        message_id: MessageId(message_id),
        correlation_id: row.try_get("correlation_id").map_err(&get)?,
        attempt: 1,
        traceparent: row.try_get("traceparent").map_err(&get)?,
        tracestate: row.try_get("tracestate").map_err(&get)?,
        published_at: from_nanos(published_at),
        extra: extra_from_json(row.try_get("extra").map_err(&get)?)?,
    };
    Ok(message)
}
