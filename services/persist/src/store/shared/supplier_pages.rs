// Keyset pages of one supplier's offers in offer-id order (fingerprints, and items in full),
// compiled once per backend (see store/mod.rs). Each page is one indexed range read on
// `supplier_item (supplier_id, offer_id)`: `offer_id > $2 ORDER BY offer_id LIMIT $3`, so a
// stream of a million offers never holds more than a page and never re-reads a row.

use sqlx::Row;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::Record;
use crate::model::supplier::SupplierItem;
use crate::store::OfferState;

/// The columns `supplier::item_from_row` decodes (`supplier::ITEM_COLUMNS` without the hash and
/// search text it does not read), with the supplier's code looked up once per page (a page holds
/// one supplier's items; the subquery depends on the parameter only) instead of once per row.
const PAGE_ITEM_COLUMNS: &str = "id, change_seq, created_at, updated_at, supplier_id, \
     offer_id, name, vendor, vendor_code, barcodes, description, category_name, url, pictures, \
     price, old_price, currency, stock, available, pack_quantity, group_id, params, weight_g, \
     length_mm, width_mm, height_mm, last_import_run_id, \
     (SELECT code FROM supplier s WHERE s.id = $1) AS supplier_code";

/// The page query: `$1` supplier, `$2` the last offer id of the previous page (`''` sorts before
/// every offer id, which is never empty), `$3` the page size.
fn page_sql(columns: &str, only_available: bool) -> String {
    let available = if only_available {
        " AND available = TRUE"
    } else {
        ""
    };
    format!(
        "SELECT {columns} FROM supplier_item WHERE supplier_id = $1 AND offer_id > $2{available} \
         ORDER BY offer_id LIMIT $3"
    )
}

/// Fails with INVALID_ARGUMENT naming `supplier_id` unless the supplier exists.
async fn require_supplier(pool: &sqlx::Pool<Db>, supplier_id: Uuid) -> StoreResult<()> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM supplier WHERE id = $1")
            .bind(supplier_id)
            .fetch_optional(pool)
            .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::unknown("supplier_id", "supplier", supplier_id)),
    }
}

/// One page of offer fingerprints (see `SupplierStore::list_supplier_item_hashes`).
pub(crate) async fn hashes_page(
    store: &Backend,
    supplier_id: Uuid,
    only_available: bool,
    after: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<OfferState>> {
    let sql = page_sql("offer_id, content_hash, available", only_available);
    let rows = sqlx::query(&sql)
        .bind(supplier_id)
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&store.read)
        .await?;
    // A row proves the supplier exists (foreign key); only an empty page needs asking.
    if rows.is_empty() {
        require_supplier(&store.read, supplier_id).await?;
    }
    rows.iter()
        .map(|row| {
            Ok(OfferState {
                offer_id: row.try_get("offer_id")?,
                content_hash: row.try_get("content_hash")?,
                available: row.try_get("available")?,
            })
        })
        .collect()
}

/// One page of items in full (see `SupplierStore::list_supplier_items_by_offer_id`).
pub(crate) async fn items_page(
    store: &Backend,
    supplier_id: Uuid,
    only_available: bool,
    after: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<Record<SupplierItem>>> {
    let sql = page_sql(PAGE_ITEM_COLUMNS, only_available);
    let rows = sqlx::query(&sql)
        .bind(supplier_id)
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&store.read)
        .await?;
    if rows.is_empty() {
        require_supplier(&store.read, supplier_id).await?;
    }
    rows.iter().map(super::supplier::item_from_row).collect()
}
