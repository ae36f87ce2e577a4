// Set-based batch saves, compiled once per backend (see backend.rs): a batch of creates and
// replaces of one table written with a handful of statements whatever its size — one look-up per
// referenced table, one of the targets, one multi-row upsert, one read-back — instead of several
// statements per row. On SQLite every statement is a round trip to the connection's worker
// thread, which is what a row-by-row batch spends its time on.
//
// A batch that names the same stored row twice, or that breaks a unique key other than the id,
// is written row by row instead (the callers keep that path): it applies repeated targets in
// order and names the row behind a duplicate.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::{Meta, Record, Target};

/// Ids bound in one `IN (…)` list.
const IDS_PER_STATEMENT: usize = 1_000;
/// Rows bound in one multi-row upsert (well under either backend's limit on bound values).
const ROWS_PER_STATEMENT: usize = 500;

/// Whether two rows of the batch target the same stored row.
pub(crate) fn repeats_a_target<T>(items: &[(Option<Target>, T)]) -> bool {
    let mut seen = HashSet::new();
    items
        .iter()
        .filter_map(|(target, _)| target.as_ref())
        .any(|target| !seen.insert(target.id))
}

/// Whether a batch write failed on a unique key (the row-by-row path then names the row).
pub(crate) fn unique_violation(error: &StoreError) -> bool {
    matches!(error, StoreError::Database(sqlx::Error::Database(db))
        if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// `SELECT {columns} FROM {table} WHERE id IN (…)` over `ids`, a statement per
/// [`IDS_PER_STATEMENT`].
async fn rows_by_id(
    tx: &mut Tx,
    columns: &str,
    table: &str,
    ids: &[Uuid],
) -> StoreResult<Vec<DbRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut qb: QueryBuilder<'_, Db> =
            QueryBuilder::new(format!("SELECT {columns} FROM {table} WHERE id IN ("));
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(")");
        rows.extend(qb.build().fetch_all(&mut **tx).await?);
    }
    Ok(rows)
}

/// Fails with INVALID_ARGUMENT naming `field` and the first of `ids` (in input order) that
/// `table` does not hold.
pub(crate) async fn require_refs(
    tx: &mut Tx,
    table: &'static str,
    field: &str,
    ids: &[Uuid],
) -> StoreResult<()> {
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let found = rows_by_id(tx, "id", table, &distinct)
        .await?
        .iter()
        .map(|row| row.try_get::<Uuid, _>("id"))
        .collect::<Result<HashSet<_>, _>>()?;
    match ids.iter().find(|id| !found.contains(id)) {
        Some(id) => Err(StoreError::unknown(field, table, id)),
        None => Ok(()),
    }
}

/// The metadata of every row of a batch, numbered from `first`, and whether it is inserted: a
/// new row without a target, else the target's row — checked in input order, as
/// [`check_target`] does one — restamped.
pub(crate) async fn batch_metas(
    tx: &mut Tx,
    table: &'static str,
    entity: &'static str,
    targets: &[Option<Target>],
    first: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<(Meta, bool)>> {
    let ids: Vec<Uuid> = targets.iter().flatten().map(|t| t.id).collect();
    let mut stored = HashMap::with_capacity(ids.len());
    for row in rows_by_id(tx, "id, change_seq, created_at, updated_at", table, &ids).await? {
        let meta = meta_from_row(&row)?;
        stored.insert(meta.id, meta);
    }
    (first..)
        .zip(targets)
        .map(|(seq, target)| match target {
            None => Ok((new_meta(seq, now), true)),
            Some(target) => {
                let meta = stored
                    .get(&target.id)
                    .cloned()
                    .ok_or_else(|| StoreError::NotFound {
                        entity,
                        key: target.id.to_string(),
                    })?;
                Ok((stamped(verified(entity, *target, meta)?, seq), false))
            }
        })
        .collect()
}

/// Writes `rows` into `table` with multi-row `INSERT … ON CONFLICT (id) DO UPDATE` statements
/// (the first of `columns` is `id`); `bind` binds one row's values in the order of `columns`.
pub(crate) async fn upsert<'a, R>(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: &'a [R],
    bind: impl Fn(&mut Separated<'_, 'a, Db, &'static str>, &'a R),
) -> StoreResult<()> {
    let updates = columns
        .iter()
        .skip(1)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut qb: QueryBuilder<'a, Db> =
            QueryBuilder::new(format!("INSERT INTO {table} ({}) ", columns.join(", ")));
        qb.push_values(chunk, |mut values, row| bind(&mut values, row));
        qb.push(format!(" ON CONFLICT (id) DO UPDATE SET {updates}"));
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// The stored rows of `ids`, decoded, in the order of `ids`.
pub(crate) async fn read_back_many<T>(
    tx: &mut Tx,
    columns: &str,
    table: &str,
    ids: &[Uuid],
    decode: fn(&DbRow) -> StoreResult<Record<T>>,
) -> StoreResult<Vec<Record<T>>> {
    let mut by_id = HashMap::with_capacity(ids.len());
    for row in rows_by_id(tx, columns, table, ids).await? {
        let record = decode(&row)?;
        by_id.insert(record.meta.id, record);
    }
    ids.iter()
        .map(|id| {
            by_id
                .remove(id)
                .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
        })
        .collect()
}
