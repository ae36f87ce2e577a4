// Tombstones for rows a delete removes through `ON DELETE CASCADE`, compiled once per backend
// (see store/mod.rs). Without them a consumer reading "what changed since N" would never learn
// that, say, a product's listings and links went with it. Only entities with their own
// `change_seq` are listed: child rows without one (values, order lines, family members) are
// covered by their parent's tombstone.

use uuid::Uuid;

use crate::error::StoreResult;

/// (parent table, child table, the child's foreign-key column) for every cascading reference to
/// an entity that has its own change sequence. Kept in step with the migrations.
const CASCADES: &[(&str, &str, &str)] = &[
    ("product", "product_link", "source_product_id"),
    ("product", "product_link", "target_product_id"),
    ("product", "supplier_item_link", "product_id"),
    ("product", "listing", "product_id"),
    ("product", "publication_outbox", "product_id"),
    ("product", "completeness", "product_id"),
    ("supplier", "import_run", "supplier_id"),
    ("import_run", "import_item_report", "import_run_id"),
    ("supplier_item", "supplier_item_link", "supplier_item_id"),
    ("channel", "channel_category_map", "channel_id"),
    ("channel", "channel_attribute_map", "channel_id"),
    ("channel", "publication_outbox", "channel_id"),
    ("channel", "completeness", "channel_id"),
    ("category", "channel_category_map", "category_id"),
    ("attribute", "channel_attribute_map", "attribute_id"),
];

/// Leaves a tombstone for every row that deleting `table`/`id` will cascade to (depth first), each
/// with its own change sequence number; returns how many. Call inside the deleting transaction,
/// before the `DELETE`.
pub(crate) async fn tombstone_dependents(tx: &mut Tx, table: &str, id: Uuid) -> StoreResult<u64> {
    // An explicit stack instead of recursion: async recursion would need boxing.
    let mut pending: Vec<(&'static str, Uuid)> = Vec::new();
    for &(parent, child, column) in CASCADES {
        if parent == table {
            pending.extend(
                child_ids(tx, child, column, id)
                    .await?
                    .into_iter()
                    .map(|c| (child, c)),
            );
        }
    }
    let mut count = 0;
    while let Some((child, child_id)) = pending.pop() {
        for &(parent, grandchild, column) in CASCADES {
            if parent == child {
                let ids = child_ids(tx, grandchild, column, child_id).await?;
                pending.extend(ids.into_iter().map(|g| (grandchild, g)));
            }
        }
        let seq = take_seqs(tx, 1).await?;
        sqlx::query(
            "INSERT INTO change_log (seq, entity, entity_id, business_key, deleted_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(seq)
        .bind(child)
        .bind(child_id)
        .bind(child_id.to_string())
        .bind(carpetti_util::now())
        .execute(&mut **tx)
        .await?;
        count += 1;
    }
    Ok(count)
}

async fn child_ids(tx: &mut Tx, table: &str, column: &str, parent: Uuid) -> StoreResult<Vec<Uuid>> {
    Ok(
        sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE {column} = $1"))
            .bind(parent)
            .fetch_all(&mut **tx)
            .await?,
    )
}
