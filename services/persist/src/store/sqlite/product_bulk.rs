//! SQLite's side of the bulk product upsert: SKU look-ups through `json_each`, and row-at-a-time
//! writes with cached prepared statements inside the chunk's single transaction.

use std::collections::HashMap;

use sqlx::Row;

use super::Db;
use super::base::Tx;
use super::product_upsert::{ExistingProduct, ProductRow};
use crate::error::{StoreError, StoreResult};

/// Stored id, sequence, creation time and hash of the products with the given SKUs.
pub(crate) async fn existing_products<'c, E>(
    executor: E,
    keys: &[String],
) -> StoreResult<HashMap<String, ExistingProduct>>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    let keys = serde_json::to_string(keys)
        .map_err(|e| StoreError::invalid("sku", format!("cannot encode keys: {e}")))?;
    let rows = sqlx::query(
        "SELECT sku, id, change_seq, created_at, content_hash FROM product \
         WHERE sku IN (SELECT value FROM json_each($1))",
    )
    .bind(keys)
    .fetch_all(executor)
    .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        found.insert(
            row.try_get("sku")?,
            ExistingProduct {
                id: row.try_get("id")?,
                change_seq: row.try_get("change_seq")?,
                created_at: row.try_get("created_at")?,
                content_hash: row.try_get("content_hash")?,
            },
        );
    }
    Ok(found)
}

/// Inserts new products.
pub(crate) async fn insert_products(tx: &mut Tx, rows: &[ProductRow<'_>]) -> StoreResult<()> {
    for row in rows {
        super::product::write_product(tx, &row.meta, row.product, row.hash, true).await?;
    }
    Ok(())
}

/// Replaces changed products.
pub(crate) async fn update_products(tx: &mut Tx, rows: &[ProductRow<'_>]) -> StoreResult<()> {
    for row in rows {
        super::product::write_product(tx, &row.meta, row.product, row.hash, false).await?;
    }
    Ok(())
}

/// Replaces the values of the written products (new products have none to delete).
pub(crate) async fn replace_values(
    tx: &mut Tx,
    inserted: &[ProductRow<'_>],
    updated: &[ProductRow<'_>],
) -> StoreResult<()> {
    for row in inserted {
        super::product_values::write_values(tx, row.meta.id, row.values, false).await?;
    }
    for row in updated {
        super::product_values::write_values(tx, row.meta.id, row.values, true).await?;
    }
    Ok(())
}
