//! The embedded bus's statements on its SQLite tables (see `migrations/sqlite/0001_embedded_bus.sql`).

use bytes::Bytes;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::ephemeral::{self, Owner};
use crate::stored::{extra_from_json, extra_to_json, from_nanos, nanos, storage};
use crate::{DeadLetter, Envelope, Headers, MessageId, OutgoingMessage, QueueError, Topic};

/// Rows per multi-row INSERT (11 parameters each, far below SQLite's 32,766).
const INSERT_CHUNK: usize = 256;
/// Ids per `IN (…)` list.
const ID_CHUNK: usize = 512;

const ENVELOPE_COLUMNS: &str =
    "message_id, topic, correlation_id, traceparent, tracestate, published_at, extra, payload";

/// A message claimed for one subscriber.
pub(crate) struct ClaimedRow {
    pub id: i64,
    pub envelope: Envelope,
}

pub(crate) async fn bindings_version(conn: &mut SqliteConnection) -> Result<i64, QueueError> {
    sqlx::query_scalar("SELECT value FROM queue_meta WHERE key = 'bindings_version'")
        .fetch_one(conn)
        .await
        .map_err(storage("reading the bindings version"))
}

/// Every `(group id, pattern)` binding.
pub(crate) async fn bindings(
    conn: &mut SqliteConnection,
) -> Result<Vec<(i64, String)>, QueueError> {
    sqlx::query_as("SELECT group_id, pattern FROM queue_binding")
        .fetch_all(conn)
        .await
        .map_err(storage("reading the bindings"))
}

/// Declares `group` (durable from now on) and binds it to `patterns`; its id. A name held by an
/// ephemeral group is refused (once expired ephemeral groups were purged).
pub(crate) async fn bind(
    conn: &mut SqliteConnection,
    group: &str,
    patterns: &[String],
    owner: Owner,
    now_ms: i64,
) -> Result<i64, QueueError> {
    sqlx::query(
        "INSERT INTO queue_group (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    )
    .bind(group)
    .bind(now_ms)
    .execute(&mut *conn)
    .await
    .map_err(storage("declaring a consumer group"))?;
    let mut group_id = durable_group(conn, group).await?;
    if group_id.is_none() {
        // An ephemeral group has the name: a dead process's is purged, a live one's is refused.
        ephemeral::purge_expired(conn, now_ms.saturating_sub(owner.expiry_ms)).await?;
        sqlx::query(
            "INSERT INTO queue_group (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(group)
        .bind(now_ms)
        .execute(&mut *conn)
        .await
        .map_err(storage("declaring a consumer group"))?;
        group_id = durable_group(conn, group).await?;
    }
    let Some(group_id) = group_id else {
        return Err(QueueError::InvalidGroup {
            group: group.to_owned(),
            reason: "a running subscriber holds an ephemeral group of this name".to_owned(),
        });
    };
    bind_patterns(conn, group_id, patterns).await?;
    Ok(group_id)
}

/// The id of the durable group `group`; `None` when the name is an ephemeral group's.
async fn durable_group(
    conn: &mut SqliteConnection,
    group: &str,
) -> Result<Option<i64>, QueueError> {
    let (id, ephemeral_owner): (i64, Option<i64>) =
        sqlx::query_as("SELECT id, ephemeral_owner FROM queue_group WHERE name = ?")
            .bind(group)
            .fetch_one(&mut *conn)
            .await
            .map_err(storage("reading a consumer group"))?;
    Ok(ephemeral_owner.is_none().then_some(id))
}

/// Binds `group_id` to `patterns` (bumping the bindings version when one is new).
pub(crate) async fn bind_patterns(
    conn: &mut SqliteConnection,
    group_id: i64,
    patterns: &[String],
) -> Result<(), QueueError> {
    let mut added = 0;
    for pattern in patterns {
        added += sqlx::query(
            "INSERT INTO queue_binding (group_id, pattern) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(group_id)
        .bind(pattern)
        .execute(&mut *conn)
        .await
        .map_err(storage("binding a consumer group"))?
        .rows_affected();
    }
    if added > 0 {
        bump_bindings_version(conn).await?;
    }
    Ok(())
}

/// Tells every publisher (in any process on the file) to reload its routing table.
pub(crate) async fn bump_bindings_version(conn: &mut SqliteConnection) -> Result<(), QueueError> {
    sqlx::query("UPDATE queue_meta SET value = value + 1 WHERE key = 'bindings_version'")
        .execute(conn)
        .await
        .map_err(storage("bumping the bindings version"))?;
    Ok(())
}

/// Stores one row per `(group id, message)`, visible now, attempt 1.
pub(crate) async fn insert_messages(
    conn: &mut SqliteConnection,
    rows: &[(i64, &OutgoingMessage)],
    now_ms: i64,
) -> Result<(), QueueError> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let mut encoded = Vec::with_capacity(chunk.len());
        for (group_id, message) in chunk {
            encoded.push((
                *group_id,
                *message,
                nanos(message.headers.published_at)?,
                extra_to_json(&message.headers.extra)?,
            ));
        }
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO queue_message (group_id, message_id, topic, correlation_id, traceparent, \
             tracestate, published_at, extra, payload, attempt, visible_at) ",
        );
        insert.push_values(
            encoded,
            |mut row, (group_id, message, published_at, extra)| {
                let headers = &message.headers;
                row.push_bind(group_id)
                    .push_bind(headers.message_id.0)
                    .push_bind(message.topic.as_str().to_owned())
                    .push_bind(headers.correlation_id.clone())
                    .push_bind(headers.traceparent.clone())
                    .push_bind(headers.tracestate.clone())
                    .push_bind(published_at)
                    .push_bind(extra)
                    .push_bind(message.payload.to_vec())
                    .push_bind(1_i64)
                    .push_bind(now_ms);
            },
        );
        insert
            .build()
            .execute(&mut *conn)
            .await
            .map_err(storage("storing published messages"))?;
    }
    Ok(())
}

/// Leases up to `limit` visible messages of `group_id` to `owner` until `lease_until`, oldest
/// first.
pub(crate) async fn claim(
    conn: &mut SqliteConnection,
    group_id: i64,
    owner: i64,
    limit: usize,
    now_ms: i64,
    lease_until: i64,
) -> Result<Vec<ClaimedRow>, QueueError> {
    let rows = sqlx::query(&format!(
        "UPDATE queue_message SET visible_at = ?, lease_owner = ?
         WHERE id IN (SELECT id FROM queue_message WHERE group_id = ? AND visible_at <= ?
                      ORDER BY visible_at, id LIMIT ?)
         RETURNING id, attempt, {ENVELOPE_COLUMNS}"
    ))
    .bind(lease_until)
    .bind(owner)
    .bind(group_id)
    .bind(now_ms)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(conn)
    .await
    .map_err(storage("claiming messages"))?;
    let mut claimed = rows
        .iter()
        .map(|row| {
            let id: i64 = row.try_get("id").map_err(storage("decoding a message"))?;
            let attempt: i64 = row
                .try_get("attempt")
                .map_err(storage("decoding a message"))?;
            let envelope = envelope(row, u32::try_from(attempt).unwrap_or(u32::MAX))?;
            Ok(ClaimedRow { id, envelope })
        })
        .collect::<Result<Vec<_>, QueueError>>()?;
    claimed.sort_by_key(|row| row.id);
    Ok(claimed)
}

/// When the next message of `group_id` becomes visible (a retry's back-off or a lease ends).
pub(crate) async fn next_visible(
    conn: &mut SqliteConnection,
    group_id: i64,
    now_ms: i64,
) -> Result<Option<i64>, QueueError> {
    sqlx::query_scalar(
        "SELECT MIN(visible_at) FROM queue_message WHERE group_id = ? AND visible_at > ?",
    )
    .bind(group_id)
    .bind(now_ms)
    .fetch_one(conn)
    .await
    .map_err(storage("reading the next visible time"))
}

/// Deletes acknowledged messages still leased to `owner`.
pub(crate) async fn ack(
    conn: &mut SqliteConnection,
    owner: i64,
    ids: &[i64],
) -> Result<(), QueueError> {
    for chunk in ids.chunks(ID_CHUNK) {
        let mut delete =
            QueryBuilder::<Sqlite>::new("DELETE FROM queue_message WHERE lease_owner = ");
        delete.push_bind(owner).push(" AND id IN (");
        let mut list = delete.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        delete.push(")");
        delete
            .build()
            .execute(&mut *conn)
            .await
            .map_err(storage("deleting acknowledged messages"))?;
    }
    Ok(())
}

/// Schedules the next attempt of a nacked message.
pub(crate) async fn retry(
    conn: &mut SqliteConnection,
    id: i64,
    owner: i64,
    error: &str,
    visible_at: i64,
) -> Result<(), QueueError> {
    sqlx::query(
        "UPDATE queue_message SET attempt = attempt + 1, visible_at = ?, lease_owner = NULL,
             last_error = ?
         WHERE id = ? AND lease_owner = ?",
    )
    .bind(visible_at)
    .bind(error)
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await
    .map_err(storage("scheduling a retry"))?;
    Ok(())
}

/// Moves a message to its group's dead letters with `error`.
pub(crate) async fn dead_letter(
    conn: &mut SqliteConnection,
    id: i64,
    owner: i64,
    error: &str,
    now_ms: i64,
) -> Result<(), QueueError> {
    let moved = sqlx::query(&format!(
        "INSERT INTO queue_dead_letter (group_id, {ENVELOPE_COLUMNS}, attempts, last_error, dead_at)
         SELECT group_id, {ENVELOPE_COLUMNS}, attempt, ?, ? FROM queue_message
         WHERE id = ? AND lease_owner = ?"
    ))
    .bind(error)
    .bind(now_ms)
    .bind(id)
    .bind(owner)
    .execute(&mut *conn)
    .await
    .map_err(storage("dead-lettering a message"))?;
    if moved.rows_affected() > 0 {
        sqlx::query("DELETE FROM queue_message WHERE id = ? AND lease_owner = ?")
            .bind(id)
            .bind(owner)
            .execute(&mut *conn)
            .await
            .map_err(storage("dead-lettering a message"))?;
    }
    Ok(())
}

/// Makes one leased message visible again now (its delivery was dropped unsettled).
pub(crate) async fn release(
    conn: &mut SqliteConnection,
    id: i64,
    owner: i64,
    now_ms: i64,
) -> Result<(), QueueError> {
    sqlx::query("UPDATE queue_message SET visible_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ?")
        .bind(now_ms)
        .bind(id)
        .bind(owner)
        .execute(conn)
        .await
        .map_err(storage("releasing a message"))?;
    Ok(())
}

/// Makes every message leased to `owner` visible again now (its subscription closed).
pub(crate) async fn release_owner(
    conn: &mut SqliteConnection,
    owner: i64,
    now_ms: i64,
) -> Result<(), QueueError> {
    sqlx::query(
        "UPDATE queue_message SET visible_at = ?, lease_owner = NULL WHERE lease_owner = ?",
    )
    .bind(now_ms)
    .bind(owner)
    .execute(conn)
    .await
    .map_err(storage("releasing a subscriber's messages"))?;
    Ok(())
}

/// Up to `limit` dead letters of `group`, oldest first.
pub(crate) async fn dead_letters(
    conn: &mut SqliteConnection,
    group: &str,
    limit: usize,
) -> Result<Vec<DeadLetter>, QueueError> {
    let rows = sqlx::query(&format!(
        "SELECT d.{}, d.attempts, d.last_error, d.dead_at
         FROM queue_dead_letter d JOIN queue_group g ON g.id = d.group_id
         WHERE g.name = ? ORDER BY d.id LIMIT ?",
        ENVELOPE_COLUMNS.replace(", ", ", d.")
    ))
    .bind(group)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(conn)
    .await
    .map_err(storage("reading dead letters"))?;
    rows.iter()
        .map(|row| {
            let get = storage("decoding a dead letter");
            let attempts: i64 = row.try_get("attempts").map_err(&get)?;
            let dead_at: i64 = row.try_get("dead_at").map_err(&get)?;
            let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
            Ok(DeadLetter {
                envelope: envelope(row, attempts)?,
                group: group.to_owned(),
                attempts,
                last_error: row.try_get("last_error").map_err(&get)?,
                dead_at: chrono::DateTime::from_timestamp_millis(dead_at).unwrap_or_default(),
            })
        })
        .collect()
}

fn envelope(row: &SqliteRow, attempt: u32) -> Result<Envelope, QueueError> {
    let get = storage("decoding a message");
    let topic: String = row.try_get("topic").map_err(&get)?;
    let message_id: Uuid = row.try_get("message_id").map_err(&get)?;
    let published_at: i64 = row.try_get("published_at").map_err(&get)?;
    let payload: Vec<u8> = row.try_get("payload").map_err(&get)?;
    Ok(Envelope {
        topic: Topic::parse(&topic)?,
        headers: Headers {
            message_id: MessageId(message_id),
            correlation_id: row.try_get("correlation_id").map_err(&get)?,
            attempt,
            traceparent: row.try_get("traceparent").map_err(&get)?,
            tracestate: row.try_get("tracestate").map_err(&get)?,
            published_at: from_nanos(published_at),
            extra: extra_from_json(row.try_get("extra").map_err(&get)?)?,
        },
        payload: Bytes::from(payload),
    })
}
