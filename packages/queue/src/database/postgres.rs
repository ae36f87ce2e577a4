//! The queue's tables on PostgreSQL.

use std::time::Duration;

use chrono::DateTime;
use sqlx::Executor;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, Row};
use uuid::Uuid;

use super::{QueueDatabase, RelayStep, pending};
use crate::stored::{extra_from_json, extra_to_json, from_nanos, nanos, storage};
use crate::{Bus, Headers, MessageId, OutgoingMessage, QueueError, Topic};

pub(crate) static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Advisory lock keys (arbitrary constants, "carpetti" in ASCII plus a suffix): the migrations,
/// and the outbox relay (one relay publishes at a time, so rows go out in id order).
const MIGRATION_LOCK: i64 = 0x6361_7270_6574_7401;
const OUTBOX_LOCK: i64 = 0x6361_7270_6574_7402;

const OUTBOX_COLUMNS: &str = "id, message_id, topic, correlation_id, traceparent, tracestate, \
                              published_at, extra::text AS extra, payload";

impl QueueDatabase for Postgres {
    async fn apply_migrations(pool: &PgPool) -> Result<(), QueueError> {
        let mut tx = pool
            .begin()
            .await
            .map_err(storage("starting the queue migrations"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(storage("locking the queue migrations"))?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS queue_schema_migration (
                version     BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                checksum    BYTEA NOT NULL,
                applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
            )",
        )
        .await
        .map_err(storage("creating queue_schema_migration"))?;
        let applied: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT version, checksum FROM queue_schema_migration ORDER BY version")
                .fetch_all(&mut *tx)
                .await
                .map_err(storage("reading queue_schema_migration"))?;
        for migration in pending(&POSTGRES_MIGRATIONS, &applied)? {
            tx.execute(migration.sql.as_ref()).await.map_err(|err| {
                QueueError::Storage(format!(
                    "queue migration {} ({}): {err}",
                    migration.version, migration.description
                ))
            })?;
            sqlx::query(
                "INSERT INTO queue_schema_migration (version, description, checksum)
                 VALUES ($1, $2, $3)",
            )
            .bind(migration.version)
            .bind(migration.description.as_ref())
            .bind(migration.checksum.as_ref())
            .execute(&mut *tx)
            .await
            .map_err(storage("recording a queue migration"))?;
        }
        tx.commit()
            .await
            .map_err(storage("committing the queue migrations"))
    }

    async fn outbox_insert<'c>(
        conn: &'c mut PgConnection,
        message: &'c OutgoingMessage,
    ) -> Result<(), QueueError> {
        let headers = &message.headers;
        sqlx::query(
            "INSERT INTO outbox_message (message_id, topic, correlation_id, traceparent, tracestate,
                 published_at, extra, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)",
        )
        .bind(headers.message_id.0)
        .bind(message.topic.as_str())
        .bind(headers.correlation_id.as_deref())
        .bind(headers.traceparent.as_deref())
        .bind(headers.tracestate.as_deref())
        .bind(nanos(headers.published_at)?)
        .bind(extra_to_json(&headers.extra)?)
        .bind(message.payload.as_ref())
        .execute(conn)
        .await
        .map_err(storage("inserting into outbox_message"))?;
        Ok(())
    }

    async fn outbox_relay<'a>(
        pool: &'a PgPool,
        bus: &'a dyn Bus,
        limit: usize,
        publish_timeout: Duration,
    ) -> Result<RelayStep, QueueError> {
        // The transaction holds the relay lock across the publish: with several instances of a
        // service only one relays at a time, so rows go out in id order. A failed publish rolls
        // back and deletes nothing.
        let mut tx = pool
            .begin()
            .await
            .map_err(storage("starting an outbox relay pass"))?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(OUTBOX_LOCK)
            .fetch_one(&mut *tx)
            .await
            .map_err(storage("taking the outbox relay lock"))?;
        if !locked {
            return Ok(RelayStep::Busy);
        }
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox_message ORDER BY id LIMIT $1"
        ))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await
        .map_err(storage("reading outbox_message"))?;
        if rows.is_empty() {
            return Ok(RelayStep::Relayed(0));
        }
        let ids = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(storage("outbox id"))?;
        let messages = rows.iter().map(outgoing).collect::<Result<Vec<_>, _>>()?;
        let count = messages.len();
        super::publish_within(bus, messages, publish_timeout).await?;
        sqlx::query("DELETE FROM outbox_message WHERE id = ANY($1)")
            .bind(&ids)
            .execute(&mut *tx)
            .await
            .map_err(storage("deleting relayed outbox rows"))?;
        tx.commit()
            .await
            .map_err(storage("committing an outbox relay pass"))?;
        Ok(RelayStep::Relayed(count))
    }

    async fn outbox_pending(pool: &PgPool) -> Result<u64, QueueError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox_message")
            .fetch_one(pool)
            .await
            .map_err(storage("counting outbox_message"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn mark_processed<'c>(
        conn: &'c mut PgConnection,
        group: &'c str,
        id: MessageId,
    ) -> Result<bool, QueueError> {
        let done = sqlx::query(
            "INSERT INTO queue_processed_message (group_name, message_id)
             VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(group)
        .bind(id.0)
        .execute(conn)
        .await
        .map_err(storage("recording a processed message"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn is_processed<'c>(
        conn: &'c mut PgConnection,
        group: &'c str,
        id: MessageId,
    ) -> Result<bool, QueueError> {
        let found: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM queue_processed_message WHERE group_name = $1 AND message_id = $2",
        )
        .bind(group)
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(storage("looking up a processed message"))?;
        Ok(found.is_some())
    }

    async fn prune_processed(pool: &PgPool, before_ms: i64) -> Result<u64, QueueError> {
        let before = DateTime::from_timestamp_millis(before_ms).ok_or_else(|| {
            QueueError::Storage(format!("prune cut-off {before_ms} ms is out of range"))
        })?;
        let done = sqlx::query("DELETE FROM queue_processed_message WHERE processed_at < $1")
            .bind(before)
            .execute(pool)
            .await
            .map_err(storage("pruning processed messages"))?;
        Ok(done.rows_affected())
    }
}

fn outgoing(row: &PgRow) -> Result<OutgoingMessage, QueueError> {
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
