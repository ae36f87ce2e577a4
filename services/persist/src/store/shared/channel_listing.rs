// Listings (a product on a channel), compiled once per backend; called by the `ChannelStore` impl
// in `channel.rs`. Key (product, channel); RESTRICT the channel, CASCADE with the product.

use sqlx::Row;
use sqlx::query_builder::Separated;
use sqlx::types::Json;

use crate::error::{StoreError, StoreResult};
use crate::model::channel::{ItemError, Listing, ListingStatus};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

use super::channel::key_id;
use super::channel_map::push_id_filter;

const COLUMNS: &str = "id, change_seq, created_at, updated_at, product_id, channel_id, \
     external_offer_id, external_product_id, external_sku, status, published_hash, errors, \
     published_at, synced_at, \
     (SELECT sku FROM product p WHERE p.id = listing.product_id) AS sku, \
     (SELECT code FROM channel c WHERE c.id = listing.channel_id) AS channel_code";

/// Tombstone key: `CHANNEL_CODE/SKU`.
pub(crate) const KEY: &str = "(SELECT code FROM channel c WHERE c.id = listing.channel_id) \
     || '/' || (SELECT sku FROM product p WHERE p.id = listing.product_id)";

fn from_row(row: &DbRow) -> StoreResult<Record<Listing>> {
    let status: String = row.try_get("status")?;
    let errors: Json<Vec<ItemError>> = row.try_get("errors")?;
    let mut refs = Refs::default();
    refs.set("sku", row.try_get("sku")?);
    refs.set("channel_code", row.try_get("channel_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: Listing {
            product_id: row.try_get("product_id")?,
            channel_id: row.try_get("channel_id")?,
            external_offer_id: row.try_get("external_offer_id")?,
            external_product_id: row.try_get("external_product_id")?,
            external_sku: row.try_get("external_sku")?,
            status: stored_enum(ListingStatus::parse(&status), "listing.status")?,
            published_hash: row.try_get("published_hash")?,
            errors: errors.0,
            published_at: row.try_get("published_at")?,
            synced_at: row.try_get("synced_at")?,
        },
    })
}

async fn write(tx: &mut Tx, meta: &Meta, value: &Listing, insert: bool) -> StoreResult<()> {
    require_ref(tx, "product", "product_id", value.product_id).await?;
    require_ref(tx, "channel", "channel_id", value.channel_id).await?;
    let sql = if insert {
        "INSERT INTO listing (id, change_seq, created_at, updated_at, product_id, channel_id, \
         external_offer_id, external_product_id, external_sku, status, published_hash, errors, \
         published_at, synced_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    } else {
        "UPDATE listing SET change_seq = $2, created_at = $3, updated_at = $4, product_id = $5, \
         channel_id = $6, external_offer_id = $7, external_product_id = $8, external_sku = $9, \
         status = $10, published_hash = $11, errors = $12, published_at = $13, synced_at = $14 \
         WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.product_id)
        .bind(value.channel_id)
        .bind(&value.external_offer_id)
        .bind(&value.external_product_id)
        .bind(&value.external_sku)
        .bind(value.status.as_str())
        .bind(&value.published_hash)
        .bind(Json(&value.errors))
        .bind(value.published_at)
        .bind(value.synced_at)
        .execute(&mut **tx)
        .await
        .map_err(on_duplicate(
            "listing",
            format!(
                "product {} on channel {}",
                value.product_id, value.channel_id
            ),
        ))?;
    Ok(())
}

/// Creates a listing.
pub(crate) async fn create(store: &Backend, value: Listing) -> StoreResult<Record<Listing>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write(&mut tx, &meta, &value, true).await?;
    let stored = read_back(&mut tx, COLUMNS, "listing", meta.id, from_row).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Gets a listing by id or by `ScopedKey(channel_id, product_id)`.
pub(crate) async fn get(store: &Backend, lookup: &Lookup) -> StoreResult<Record<Listing>> {
    let row = match lookup {
        Lookup::ScopedKey(channel, key) => {
            let product = key_id(key, "product")?;
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM listing WHERE channel_id = $1 AND product_id = $2"
            ))
            .bind(*channel)
            .bind(product)
            .fetch_optional(&store.read)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "listing",
                key: format!("product {key} on channel {channel}"),
            })?
        }
        other => {
            let sql = format!("SELECT {COLUMNS} FROM listing WHERE id = $1");
            fetch_one_by(&store.read, "listing", other, &sql, None, None).await?
        }
    };
    from_row(&row)
}

/// Replaces a listing.
pub(crate) async fn update(
    store: &Backend,
    target: Target,
    value: Listing,
) -> StoreResult<Record<Listing>> {
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "listing", "listing", target).await?;
    let meta = stamped(old, seq);
    write(&mut tx, &meta, &value, false).await?;
    let stored = read_back(&mut tx, COLUMNS, "listing", meta.id, from_row).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Listings in batch saves; [`bind_row`] binds the written columns in order.
const BATCH: BatchTable<Listing> = BatchTable {
    table: "listing",
    entity: "listing",
    read: COLUMNS,
    decode: from_row,
    write: &[
        "id",
        "change_seq",
        "created_at",
        "updated_at",
        "product_id",
        "channel_id",
        "external_offer_id",
        "external_product_id",
        "external_sku",
        "status",
        "published_hash",
        "errors",
        "published_at",
        "synced_at",
    ],
};

fn bind_row<'a>(
    values: &mut Separated<'_, 'a, Db, &'static str>,
    (meta, value): &'a (Meta, &Listing),
) {
    values
        .push_bind(meta.id)
        .push_bind(meta.change_seq)
        .push_bind(meta.created_at)
        .push_bind(meta.updated_at)
        .push_bind(value.product_id)
        .push_bind(value.channel_id)
        .push_bind(&value.external_offer_id)
        .push_bind(&value.external_product_id)
        .push_bind(&value.external_sku)
        .push_bind(value.status.as_str())
        .push_bind(&value.published_hash)
        .push_bind(Json(&value.errors))
        .push_bind(value.published_at)
        .push_bind(value.synced_at);
}

/// Creates or replaces several listings in one transaction (all or nothing), in input order:
/// set-based (see batch.rs), row by row when the batch repeats a target or breaks a unique key,
/// so that the error names the row.
pub(crate) async fn save_many(
    store: &Backend,
    items: Vec<(Option<Target>, Listing)>,
) -> StoreResult<Vec<Record<Listing>>> {
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
    items: &[(Option<Target>, Listing)],
) -> StoreResult<Vec<Record<Listing>>> {
    let metas = batch_metas(tx, &BATCH, items).await?;
    require_refs(
        tx,
        "product",
        "product_id",
        items.iter().map(|(_, v)| v.product_id),
    )
    .await?;
    require_refs(
        tx,
        "channel",
        "channel_id",
        items.iter().map(|(_, v)| v.channel_id),
    )
    .await?;
    write_and_read_back(tx, &BATCH, metas, items, bind_row).await
}

async fn save_row_by_row(
    store: &Backend,
    items: Vec<(Option<Target>, Listing)>,
) -> StoreResult<Vec<Record<Listing>>> {
    let mut tx = store.write.begin().await?;
    let first = take_seqs(&mut tx, i64::try_from(items.len()).unwrap_or(i64::MAX)).await?;
    let now = carpetti_util::now();
    let mut stored = Vec::with_capacity(items.len());
    for (seq, (target, value)) in (first..).zip(items) {
        let (meta, insert) = batch_meta(&mut tx, "listing", "listing", target, seq, now).await?;
        write(&mut tx, &meta, &value, insert).await?;
        stored.push(read_back(&mut tx, COLUMNS, "listing", meta.id, from_row).await?);
    }
    tx.commit().await?;
    Ok(stored)
}

/// Lists listings; filters: channel_id, product_id, status.
pub(crate) async fn list(store: &Backend, filter: &ListFilter) -> StoreResult<Page<Listing>> {
    filter.allow_only(&["channel_id", "product_id", "status"])?;
    let mut qb = start_list(COLUMNS, "listing", filter);
    push_id_filter(&mut qb, "channel_id", filter.channel_id);
    push_id_filter(&mut qb, "product_id", filter.product_id);
    if let Some(status) = &filter.status {
        let status = ListingStatus::parse(status).map_err(StoreError::parse("status"))?;
        qb.push(" AND status = ");
        qb.push_bind(status.as_str());
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}
