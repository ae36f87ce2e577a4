//! SQLite's side of the bulk upsert: key look-ups through `json_each`, and row-at-a-time writes
//! with cached prepared statements inside the chunk's single transaction (SQLite has no `COPY`;
//! within one transaction a prepared insert is already its fastest path).

use std::collections::HashMap;

use sqlx::Row;
use uuid::Uuid;

use super::Db;
use super::base::Tx;
use super::supplier_bulk::{ExistingItem, ItemRow};
use crate::error::{StoreError, StoreResult};

/// Stored id, sequence, creation time and hash of the given offers of one supplier.
pub(crate) async fn existing_items<'c, E>(
    executor: E,
    supplier_id: Uuid,
    keys: &[String],
) -> StoreResult<HashMap<String, ExistingItem>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let keys = serde_json::to_string(keys)
        .map_err(|e| StoreError::invalid("offer_id", format!("cannot encode keys: {e}")))?;
    let rows = sqlx::query(
        "SELECT offer_id, id, change_seq, created_at, content_hash FROM supplier_item \
         WHERE supplier_id = $1 AND offer_id IN (SELECT value FROM json_each($2))",
    )
    .bind(supplier_id)
    .bind(keys)
    .fetch_all(executor)
    .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        found.insert(
            row.try_get("offer_id")?,
            ExistingItem {
                id: row.try_get("id")?,
                change_seq: row.try_get("change_seq")?,
                created_at: row.try_get("created_at")?,
                content_hash: row.try_get("content_hash")?,
            },
        );
    }
    Ok(found)
}

/// Inserts new items.
pub(crate) async fn insert_items(tx: &mut Tx, rows: &[ItemRow<'_>]) -> StoreResult<()> {
    for row in rows {
        super::supplier::write_item(tx, &row.meta, row.item, row.hash, true).await?;
    }
    Ok(())
}

/// Replaces changed items.
pub(crate) async fn update_items(tx: &mut Tx, rows: &[ItemRow<'_>]) -> StoreResult<()> {
    for row in rows {
        super::supplier::write_item(tx, &row.meta, row.item, row.hash, false).await?;
    }
    Ok(())
}
