// The publication outbox, compiled once per backend; called by the `ChannelStore` impl in
// `channel.rs`. At most one `pending` row per (channel, product, kind): a partial unique index
// turns a second one into ALREADY_EXISTS (the publisher updates the pending row instead).

use sqlx::Row;
use sqlx::query_builder::Separated;

use crate::error::{StoreError, StoreResult};
use crate::model::channel::{OutboxEntry, OutboxKind, OutboxStatus};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

use super::channel_map::push_id_filter;

const COLUMNS: &str = "id, change_seq, created_at, updated_at, channel_id, product_id, kind, \
     payload_hash, status, attempts, next_attempt_at, last_error, batch_id, \
     (SELECT code FROM channel c WHERE c.id = publication_outbox.channel_id) AS channel_code, \
     (SELECT sku FROM product p WHERE p.id = publication_outbox.product_id) AS sku";

/// Tombstone key: `CHANNEL_CODE/SKU/KIND`.
pub(crate) const KEY: &str = "(SELECT code FROM channel c WHERE c.id = publication_outbox.channel_id) \
     || '/' || (SELECT sku FROM product p WHERE p.id = publication_outbox.product_id) \
     || '/' || kind";

fn from_row(row: &DbRow) -> StoreResult<Record<OutboxEntry>> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let mut refs = Refs::default();
    refs.set("channel_code", row.try_get("channel_code")?);
    refs.set("sku", row.try_get("sku")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: OutboxEntry {
            channel_id: row.try_get("channel_id")?,
            product_id: row.try_get("product_id")?,
            kind: stored_enum(OutboxKind::parse(&kind), "publication_outbox.kind")?,
            payload_hash: row.try_get("payload_hash")?,
            status: stored_enum(OutboxStatus::parse(&status), "publication_outbox.status")?,
            attempts: row.try_get("attempts")?,
            next_attempt_at: row.try_get("next_attempt_at")?,
            last_error: row.try_get("last_error")?,
            batch_id: row.try_get("batch_id")?,
        },
    })
}

async fn write(tx: &mut Tx, meta: &Meta, value: &OutboxEntry, insert: bool) -> StoreResult<()> {
    value.validate()?;
    require_ref(tx, "channel", "channel_id", value.channel_id).await?;
    require_ref(tx, "product", "product_id", value.product_id).await?;
    let sql = if insert {
        "INSERT INTO publication_outbox (id, change_seq, created_at, updated_at, channel_id, \
         product_id, kind, payload_hash, status, attempts, next_attempt_at, last_error, batch_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    } else {
        "UPDATE publication_outbox SET change_seq = $2, created_at = $3, updated_at = $4, \
         channel_id = $5, product_id = $6, kind = $7, payload_hash = $8, status = $9, \
         attempts = $10, next_attempt_at = $11, last_error = $12, batch_id = $13 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.channel_id)
        .bind(value.product_id)
        .bind(value.kind.as_str())
        .bind(value.payload_hash.trim())
        .bind(value.status.as_str())
        .bind(value.attempts)
        .bind(value.next_attempt_at)
        .bind(&value.last_error)
        .bind(&value.batch_id)
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate(
            "outbox entry",
            format!(
                "pending {} for product {} on channel {}",
                value.kind.as_str(),
                value.product_id,
                value.channel_id
            ),
        ))?;
    Ok(())
}

/// Creates an outbox entry.
pub(crate) async fn create(
    store: &Backend,
    value: OutboxEntry,
) -> StoreResult<Record<OutboxEntry>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write(&mut tx, &meta, &value, true).await?;
    let stored = read_back(&mut tx, COLUMNS, "publication_outbox", meta.id, from_row).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Gets an outbox entry by id.
pub(crate) async fn get(store: &Backend, lookup: &Lookup) -> StoreResult<Record<OutboxEntry>> {
    let sql = format!("SELECT {COLUMNS} FROM publication_outbox WHERE id = $1");
    let row = fetch_one_by(&store.read, "outbox entry", lookup, &sql, None, None).await?;
    from_row(&row)
}

/// Replaces an outbox entry.
pub(crate) async fn update(
    store: &Backend,
    target: Target,
    value: OutboxEntry,
) -> StoreResult<Record<OutboxEntry>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "publication_outbox", "outbox entry", target).await?;
    let meta = stamped(old, seq);
    write(&mut tx, &meta, &value, false).await?;
    let stored = read_back(&mut tx, COLUMNS, "publication_outbox", meta.id, from_row).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Outbox entries in batch saves; [`bind_row`] binds the written columns in order.
const BATCH: BatchTable<OutboxEntry> = BatchTable {
    table: "publication_outbox",
    entity: "outbox entry",
    read: COLUMNS,
    decode: from_row,
    write: &[
        "id",
        "change_seq",
        "created_at",
        "updated_at",
        "channel_id",
        "product_id",
        "kind",
        "payload_hash",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "batch_id",
    ],
};

fn bind_row<'a>(
    values: &mut Separated<'_, 'a, Db, &'static str>,
    (meta, value): &'a (Meta, &OutboxEntry),
) {
    values
        .push_bind(meta.id)
        .push_bind(meta.change_seq)
        .push_bind(meta.created_at)
        .push_bind(meta.updated_at)
        .push_bind(value.channel_id)
        .push_bind(value.product_id)
        .push_bind(value.kind.as_str())
        .push_bind(value.payload_hash.trim())
        .push_bind(value.status.as_str())
        .push_bind(value.attempts)
        .push_bind(value.next_attempt_at)
        .push_bind(&value.last_error)
        .push_bind(&value.batch_id);
}

/// Creates or replaces several outbox entries in one transaction (all or nothing), in input
/// order: set-based (see batch.rs), row by row when the batch repeats a target or breaks a
/// unique key, so that the error names the row.
pub(crate) async fn save_many(
    store: &Backend,
    items: Vec<(Option<Target>, OutboxEntry)>,
) -> StoreResult<Vec<Record<OutboxEntry>>> {
    if !repeats_a_target(&items) {
        let mut tx = store.write.begin().await?;
        let written = save_set(&mut tx, &items).await;
        if let Some(stored) = commit_set(tx, written).await? {
            return Ok(stored);
        }
    }
    save_row_by_row(store, items).await
}

async fn save_set(
    tx: &mut Tx,
    items: &[(Option<Target>, OutboxEntry)],
) -> StoreResult<Vec<Record<OutboxEntry>>> {
    let metas = batch_metas(tx, &BATCH, items).await?;
    for (_, value) in items {
        value.validate()?;
    }
    require_refs(
        tx,
        "channel",
        "channel_id",
        items.iter().map(|(_, v)| v.channel_id),
    )
    .await?;
    require_refs(
        tx,
        "product",
        "product_id",
        items.iter().map(|(_, v)| v.product_id),
    )
    .await?;
    write_and_read_back(tx, &BATCH, metas, items, bind_row).await
}

async fn save_row_by_row(
    store: &Backend,
    items: Vec<(Option<Target>, OutboxEntry)>,
) -> StoreResult<Vec<Record<OutboxEntry>>> {
    let mut tx = store.write.begin().await?;
    let first = take_seqs(&mut tx, i64::try_from(items.len()).unwrap_or(i64::MAX)).await?;
    let now = carpetti_util::now();
    let mut stored = Vec::with_capacity(items.len());
    for (seq, (target, value)) in (first..).zip(items) {
        let (meta, insert) = batch_meta(
            &mut tx,
            "publication_outbox",
            "outbox entry",
            target,
            seq,
            now,
        )
        .await?;
        write(&mut tx, &meta, &value, insert).await?;
        stored.push(read_back(&mut tx, COLUMNS, "publication_outbox", meta.id, from_row).await?);
    }
    tx.commit().await?;
    Ok(stored)
}

/// Lists outbox entries; filters: channel_id, product_id, status.
pub(crate) async fn list(store: &Backend, filter: &ListFilter) -> StoreResult<Page<OutboxEntry>> {
    filter.allow_only(&["channel_id", "product_id", "status"])?;
    let mut qb = start_list(COLUMNS, "publication_outbox", filter);
    push_id_filter(&mut qb, "channel_id", filter.channel_id);
    push_id_filter(&mut qb, "product_id", filter.product_id);
    if let Some(status) = &filter.status {
        let status = OutboxStatus::parse(status).map_err(StoreError::parse("status"))?;
        qb.push(" AND status = ");
        qb.push_bind(status.as_str());
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}
