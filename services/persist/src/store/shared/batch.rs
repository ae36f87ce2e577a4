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
fn unique_violation(error: &StoreError) -> bool {
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
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<()> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let mut distinct = ids.clone();
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

/// A table written by batch saves.
pub(crate) struct BatchTable<T: 'static> {
    pub(crate) table: &'static str,
    pub(crate) entity: &'static str,
    /// The columns of the upsert, `id` first, in the order the row binder binds them.
    pub(crate) write: &'static [&'static str],
    /// The columns read back.
    pub(crate) read: &'static str,
    pub(crate) decode: fn(&DbRow) -> StoreResult<Record<T>>,
}

/// Ends the transaction of a set-based write: committed when the write succeeded; rolled back,
/// and `None`, when it broke a unique key (the batch is then written row by row, so that the
/// error names the row).
pub(crate) async fn commit_set<T>(
    tx: Tx,
    written: StoreResult<Vec<Record<T>>>,
) -> StoreResult<Option<Vec<Record<T>>>> {
    match written {
        Ok(stored) => {
            tx.commit().await?;
            Ok(Some(stored))
        }
        Err(error) if unique_violation(&error) => {
            tx.rollback().await?;
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// The metadata of every row of a batch, with sequence numbers taken for all of them: a new row
/// without a target, else the target's row — checked in input order, as [`check_target`] does
/// one — restamped.
pub(crate) async fn batch_metas<T, V>(
    tx: &mut Tx,
    table: &BatchTable<T>,
    items: &[(Option<Target>, V)],
) -> StoreResult<Vec<Meta>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let first = take_seqs(tx, i64::try_from(items.len()).unwrap_or(i64::MAX)).await?;
    let now = carpetti_util::now();
    let ids: Vec<Uuid> = items.iter().filter_map(|(t, _)| t.map(|t| t.id)).collect();
    let mut stored = HashMap::with_capacity(ids.len());
    let columns = "id, change_seq, created_at, updated_at";
    for row in rows_by_id(tx, columns, table.table, &ids).await? {
        let meta = meta_from_row(&row)?;
        stored.insert(meta.id, meta);
    }
    (first..)
        .zip(items)
        .map(|(seq, (target, _))| match target {
            None => Ok(new_meta(seq, now)),
            Some(target) => {
                let meta = stored
                    .get(&target.id)
                    .cloned()
                    .ok_or_else(|| StoreError::NotFound {
                        entity: table.entity,
                        key: target.id.to_string(),
                    })?;
                Ok(stamped(verified(table.entity, *target, meta)?, seq))
            }
        })
        .collect()
}

/// Writes each value of `items` with its metadata (upserts, [`upsert`]) and reads them back, in
/// input order.
pub(crate) async fn write_and_read_back<'v, T, V>(
    tx: &mut Tx,
    table: &BatchTable<T>,
    metas: Vec<Meta>,
    items: &'v [(Option<Target>, V)],
    bind: impl for<'a> Fn(&mut Separated<'_, 'a, Db, &'static str>, &'a (Meta, &'v V)),
) -> StoreResult<Vec<Record<T>>> {
    let rows: Vec<(Meta, &V)> = metas
        .into_iter()
        .zip(items.iter().map(|(_, value)| value))
        .collect();
    upsert(tx, table.table, table.write, &rows, bind).await?;
    let ids: Vec<Uuid> = rows.iter().map(|(meta, _)| meta.id).collect();
    read_back_many(tx, table.read, table.table, &ids, table.decode).await
}

/// Writes `rows` into `table` with multi-row `INSERT … ON CONFLICT (id) DO UPDATE` statements
/// (the first of `columns` is `id`); `bind` binds one row's values in the order of `columns`.
async fn upsert<'a, R>(
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
async fn read_back_many<T>(
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
