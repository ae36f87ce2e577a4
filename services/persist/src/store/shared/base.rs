// Shared SQL helpers, compiled once per backend: included by `store/postgres/mod.rs` and
// `store/sqlite/mod.rs`, which define `Db`, `DbRow`, `DbMoney`, `money_to_db`, `money_from_db`.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row, Transaction};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Target};

/// A write transaction.
pub(crate) type Tx = Transaction<'static, Db>;

/// Reserves `n` change sequence numbers and returns the first. The counter row stays locked until
/// the transaction ends, so writers are serialized and numbers become visible in commit order: a
/// reader that has seen everything up to N will never later find a row numbered ≤ N.
pub(crate) async fn take_seqs(tx: &mut Tx, n: i64) -> StoreResult<i64> {
    let last: i64 = sqlx::query_scalar(
        "UPDATE change_counter SET value = value + $1 WHERE id = 1 RETURNING value",
    )
    .bind(n)
    .fetch_one(&mut **tx)
    .await?;
    Ok(last - n + 1)
}

/// The highest change sequence number handed out.
pub(crate) async fn current_seq(pool: &sqlx::Pool<Db>) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT value FROM change_counter WHERE id = 1")
            .fetch_one(pool)
            .await?,
    )
}

/// Metadata of a row selected with `id, change_seq, created_at, updated_at`.
pub(crate) fn meta_from_row(row: &DbRow) -> StoreResult<Meta> {
    Ok(Meta {
        id: row.try_get("id")?,
        change_seq: row.try_get("change_seq")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Metadata of a row about to be inserted.
pub(crate) fn new_meta(seq: i64, now: DateTime<Utc>) -> Meta {
    Meta {
        id: carpetti_util::new_id(),
        change_seq: seq,
        created_at: now,
        updated_at: now,
    }
}

/// The metadata of a row being replaced: its new sequence number and update time, the rest kept.
pub(crate) fn stamped(old: Meta, seq: i64) -> Meta {
    Meta {
        change_seq: seq,
        updated_at: carpetti_util::now(),
        ..old
    }
}

/// Whether a row with this id exists in `table`.
pub(crate) async fn exists(tx: &mut Tx, table: &'static str, id: Uuid) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT CAST(1 AS BIGINT) FROM {table} WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// Fails with INVALID_ARGUMENT naming `field` unless the referenced row exists.
pub(crate) async fn require_ref(
    tx: &mut Tx,
    table: &'static str,
    field: &str,
    id: Uuid,
) -> StoreResult<()> {
    if exists(tx, table, id).await? {
        Ok(())
    } else {
        Err(StoreError::unknown(field, table, id))
    }
}

/// The metadata of one row of a batch save with sequence number `seq`, and whether the row is
/// inserted: a new row without a target, else the target's row (checked) restamped.
pub(crate) async fn batch_meta(
    tx: &mut Tx,
    table: &'static str,
    entity: &'static str,
    target: Option<Target>,
    seq: i64,
    now: DateTime<Utc>,
) -> StoreResult<(Meta, bool)> {
    Ok(match target {
        Some(target) => (
            stamped(check_target(tx, table, entity, target).await?, seq),
            false,
        ),
        None => (new_meta(seq, now), true),
    })
}

/// Locks in the target of an update or delete: the row must exist and, when the caller gave a
/// change sequence, still carry it. Returns the stored metadata.
pub(crate) async fn check_target(
    tx: &mut Tx,
    table: &'static str,
    entity: &'static str,
    target: Target,
) -> StoreResult<Meta> {
    let row = sqlx::query(&format!(
        "SELECT id, change_seq, created_at, updated_at FROM {table} WHERE id = $1"
    ))
    .bind(target.id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        entity,
        key: target.id.to_string(),
    })?;
    verified(entity, target, meta_from_row(&row)?)
}

/// The stored metadata of a target, unless the caller expected another change sequence.
pub(crate) fn verified(entity: &'static str, target: Target, meta: Meta) -> StoreResult<Meta> {
    match target.expected_seq {
        Some(expected) if expected != meta.change_seq => Err(StoreError::Conflict {
            entity,
            id: target.id.to_string(),
            expected,
            actual: meta.change_seq,
        }),
        _ => Ok(meta),
    }
}

/// Deletes one row and leaves a tombstone in `change_log` (and one for every row the delete
/// cascades to, see `cascade`); returns the tombstone's sequence.
pub(crate) async fn delete_with_tombstone(
    pool: &sqlx::Pool<Db>,
    table: &'static str,
    entity: &'static str,
    key_column: &'static str,
    target: Target,
) -> StoreResult<i64> {
    let mut tx = pool.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    check_target(&mut tx, table, entity, target).await?;
    let key: String = sqlx::query_scalar(&format!(
        "SELECT CAST({key_column} AS TEXT) FROM {table} WHERE id = $1"
    ))
    .bind(target.id)
    .fetch_one(&mut *tx)
    .await?;
    super::cascade::tombstone_dependents(&mut tx, table, target.id).await?;
    sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
        .bind(target.id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::FailedPrecondition(_) => StoreError::FailedPrecondition(format!(
                "{entity} {key} is still referenced by other entities; remove those first"
            )),
            other => other,
        })?;
    sqlx::query(
        "INSERT INTO change_log (seq, entity, entity_id, business_key, deleted_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(seq)
    .bind(table)
    .bind(target.id)
    .bind(&key)
    .bind(carpetti_util::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(seq)
}

/// Maps a unique-key violation on insert or update to ALREADY_EXISTS for `key`.
pub(crate) fn on_duplicate(
    entity: &'static str,
    key: impl Into<String>,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    let key = key.into();
    move |error| match &error {
        sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            StoreError::AlreadyExists { entity, key }
        }
        _ => StoreError::from(error),
    }
}

/// Starts a list query: `SELECT {columns} FROM {table} WHERE change_seq > after_seq`; the caller
/// appends `AND …` filters and then calls [`finish_list`].
pub(crate) fn start_list<'a>(
    columns: &str,
    table: &str,
    filter: &ListFilter,
) -> QueryBuilder<'a, Db> {
    let mut qb = QueryBuilder::new(format!("SELECT {columns} FROM {table} WHERE change_seq > "));
    qb.push_bind(filter.after_seq);
    qb
}

/// Appends a `column LIKE %text%` filter on normalized search text.
pub(crate) fn push_text_filter(qb: &mut QueryBuilder<'_, Db>, column: &str, text: &str) {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    qb.push(format!(" AND {column} LIKE "));
    qb.push_bind(format!("%{escaped}%"));
    qb.push(" ESCAPE '\\'");
}

/// Appends ordering and the page limit (one extra row tells whether a next page exists).
pub(crate) fn finish_list(qb: &mut QueryBuilder<'_, Db>, filter: &ListFilter) {
    qb.push(" ORDER BY change_seq LIMIT ");
    qb.push_bind(i64::from(filter.limit) + 1);
}

/// Cuts the extra row off and computes the cursor of the next page.
pub(crate) fn into_page<T>(mut items: Vec<Record<T>>, filter: &ListFilter) -> Page<T> {
    let limit = filter.limit as usize;
    let next_after_seq = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|r| r.meta.change_seq)
    } else {
        None
    };
    Page {
        items,
        next_after_seq,
    }
}

/// Selects one row by id or by business key with `sql_by_id` / `sql_by_key` (`$1`, and `$2` for a
/// scoped key), mapping a missing row to NOT_FOUND.
pub(crate) async fn fetch_one_by(
    pool: &sqlx::Pool<Db>,
    entity: &'static str,
    lookup: &Lookup,
    sql_by_id: &str,
    sql_by_key: Option<&str>,
    sql_by_scoped_key: Option<&str>,
) -> StoreResult<DbRow> {
    let row = match lookup {
        Lookup::Id(id) => {
            sqlx::query(sql_by_id)
                .bind(*id)
                .fetch_optional(pool)
                .await?
        }
        Lookup::Key(key) => match sql_by_key {
            Some(sql) => sqlx::query(sql).bind(key).fetch_optional(pool).await?,
            None => {
                return Err(StoreError::invalid(
                    "key",
                    format!("{entity} is not looked up by key alone"),
                ));
            }
        },
        Lookup::ScopedKey(scope, key) => match sql_by_scoped_key {
            Some(sql) => {
                sqlx::query(sql)
                    .bind(*scope)
                    .bind(key)
                    .fetch_optional(pool)
                    .await?
            }
            None => {
                return Err(StoreError::invalid(
                    "scope_id",
                    format!("{entity} has no scoped key"),
                ));
            }
        },
    };
    row.ok_or_else(|| StoreError::NotFound {
        entity,
        key: match lookup {
            Lookup::Id(id) => id.to_string(),
            Lookup::Key(key) => key.clone(),
            Lookup::ScopedKey(scope, key) => format!("{key} (in {scope})"),
        },
    })
}

/// Lists tombstones after `since`.
pub(crate) async fn list_tombstones(
    pool: &sqlx::Pool<Db>,
    since: i64,
    limit: u32,
    entity: Option<&str>,
) -> StoreResult<Vec<crate::store::Tombstone>> {
    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
        "SELECT seq, entity, entity_id, business_key, deleted_at FROM change_log WHERE seq > ",
    );
    qb.push_bind(since);
    if let Some(entity) = entity {
        qb.push(" AND entity = ");
        qb.push_bind(entity.to_owned());
    }
    qb.push(" ORDER BY seq LIMIT ");
    qb.push_bind(i64::from(limit));
    let rows = qb.build().fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            Ok(crate::store::Tombstone {
                seq: row.try_get("seq")?,
                entity: row.try_get("entity")?,
                entity_id: row.try_get("entity_id")?,
                business_key: row.try_get("business_key")?,
                deleted_at: row.try_get("deleted_at")?,
            })
        })
        .collect()
}

/// Parses stored text of a `CHECK`-constrained enum column.
pub(crate) fn stored_enum<T>(
    parsed: Result<T, carpetti_util::ParseError>,
    column: &'static str,
) -> StoreResult<T> {
    parsed.map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("{column}: {e}").into())))
}

/// Reads one row by id with `columns` and decodes it (create and update return what is stored).
pub(crate) async fn read_back<T>(
    tx: &mut Tx,
    columns: &str,
    table: &str,
    id: Uuid,
    decode: fn(&DbRow) -> StoreResult<Record<T>>,
) -> StoreResult<Record<T>> {
    let row = sqlx::query(&format!("SELECT {columns} FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    decode(&row)
}

/// Prunes tombstones older than `before`, remembering the highest pruned sequence number.
pub(crate) async fn prune_tombstones(
    pool: &sqlx::Pool<Db>,
    before: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut tx = pool.begin().await?;
    // Lock the counter like every writer, so pruning never interleaves with a delete.
    take_seqs(&mut tx, 0).await?;
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(seq) FROM change_log WHERE deleted_at < $1")
            .bind(before)
            .fetch_one(&mut *tx)
            .await?;
    let Some(newest) = newest else {
        return Ok(0);
    };
    let deleted = sqlx::query("DELETE FROM change_log WHERE seq <= $1")
        .bind(newest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "UPDATE change_counter SET pruned_through = $1 WHERE id = 1 AND pruned_through < $1",
    )
    .bind(newest)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(deleted)
}

/// The highest pruned tombstone sequence number.
pub(crate) async fn pruned_through(pool: &sqlx::Pool<Db>) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT pruned_through FROM change_counter WHERE id = 1")
            .fetch_one(pool)
            .await?,
    )
}
