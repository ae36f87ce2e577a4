// The bulk upsert of supplier items, compiled once per backend (see store/mod.rs). The backend
// module supplies `bulk::existing_items`, `bulk::insert_items` and `bulk::update_items`, the
// set-based parts that differ between PostgreSQL and SQLite.

use std::collections::HashMap;

use carpetti_util::ContentHash;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::Meta;
use crate::model::supplier::SupplierItem;
use crate::store::UpsertOutcome;

/// What the database holds for one offer id.
pub(crate) struct ExistingItem {
    pub id: Uuid,
    pub change_seq: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub content_hash: String,
}

/// One row to write.
pub(crate) struct ItemRow<'a> {
    pub meta: Meta,
    pub item: &'a SupplierItem,
    pub hash: &'a ContentHash,
}

pub(crate) async fn upsert_items(
    store: &Backend,
    supplier_id: Uuid,
    import_run_id: Option<Uuid>,
    mut items: Vec<SupplierItem>,
) -> StoreResult<Vec<UpsertOutcome>> {
    let mut outcomes: Vec<Option<UpsertOutcome>> = items.iter().map(|_| None).collect();
    // Later duplicates of an offer id in the same chunk win; earlier ones are rejected.
    let mut latest: HashMap<String, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter_mut().enumerate() {
        if item.supplier_id != supplier_id {
            outcomes[i] = Some(UpsertOutcome::Rejected(StoreError::invalid(
                "supplier_id",
                "differs from the supplier of the stream",
            )));
            continue;
        }
        item.last_import_run_id = import_run_id;
        if let Some(earlier) = latest.insert(item.offer_id.as_str().to_owned(), i) {
            outcomes[earlier] = Some(UpsertOutcome::Rejected(StoreError::invalid(
                "offer_id",
                format!(
                    "offer {} appears again later in the same chunk; the later one is kept",
                    item.offer_id
                ),
            )));
        }
    }
    let hashes: Vec<ContentHash> = items.iter().map(SupplierItem::content_hash).collect();
    let live: Vec<usize> = (0..items.len())
        .filter(|&i| outcomes[i].is_none())
        .collect();
    let keys: Vec<String> = live
        .iter()
        .map(|&i| items[i].offer_id.as_str().to_owned())
        .collect();

    // Read without a lock first: a chunk that changes nothing writes nothing and locks nothing.
    let before = bulk::existing_items(&store.read, supplier_id, &keys).await?;
    let mut pending = Vec::new();
    for &i in &live {
        match before.get(items[i].offer_id.as_str()) {
            Some(old) if old.content_hash == hashes[i].as_str() => {
                outcomes[i] = Some(UpsertOutcome::Unchanged {
                    id: old.id,
                    change_seq: old.change_seq,
                });
            }
            _ => pending.push(i),
        }
    }
    if !pending.is_empty() {
        write_pending(
            store,
            supplier_id,
            import_run_id,
            &items,
            &hashes,
            &pending,
            &mut outcomes,
        )
        .await?;
    }
    Ok(outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                UpsertOutcome::Rejected(StoreError::FailedPrecondition(
                    "item was not processed".into(),
                ))
            })
        })
        .collect())
}

async fn write_pending(
    store: &Backend,
    supplier_id: Uuid,
    import_run_id: Option<Uuid>,
    items: &[SupplierItem],
    hashes: &[ContentHash],
    pending: &[usize],
    outcomes: &mut [Option<UpsertOutcome>],
) -> StoreResult<()> {
    let mut tx = store.write.begin().await?;
    // Take the writer lock before reading again, so the classification below is exact.
    take_seqs(&mut tx, 0).await?;
    require_ref(&mut tx, "supplier", "supplier_id", supplier_id).await?;
    if let Some(run) = import_run_id {
        require_ref(&mut tx, "import_run", "import_run_id", run).await?;
    }
    let keys: Vec<String> = pending
        .iter()
        .map(|&i| items[i].offer_id.as_str().to_owned())
        .collect();
    let current = bulk::existing_items(&mut *tx, supplier_id, &keys).await?;
    let mut to_insert = Vec::new();
    let mut to_update = Vec::new();
    for &i in pending {
        match current.get(items[i].offer_id.as_str()) {
            Some(old) if old.content_hash == hashes[i].as_str() => {
                outcomes[i] = Some(UpsertOutcome::Unchanged {
                    id: old.id,
                    change_seq: old.change_seq,
                });
            }
            Some(old) => to_update.push((i, old.id, old.created_at)),
            None => to_insert.push(i),
        }
    }
    let count = i64::try_from(to_insert.len() + to_update.len()).unwrap_or(i64::MAX);
    let mut seq = take_seqs(&mut tx, count).await?;
    let now = carpetti_util::now();
    let mut inserts = Vec::with_capacity(to_insert.len());
    for &i in &to_insert {
        let meta = new_meta(seq, now);
        seq += 1;
        outcomes[i] = Some(UpsertOutcome::Created {
            id: meta.id,
            change_seq: meta.change_seq,
        });
        inserts.push(ItemRow {
            meta,
            item: &items[i],
            hash: &hashes[i],
        });
    }
    let mut updates = Vec::with_capacity(to_update.len());
    for &(i, id, created_at) in &to_update {
        let meta = Meta {
            id,
            change_seq: seq,
            created_at,
            updated_at: now,
        };
        seq += 1;
        outcomes[i] = Some(UpsertOutcome::Updated {
            id,
            change_seq: meta.change_seq,
        });
        updates.push(ItemRow {
            meta,
            item: &items[i],
            hash: &hashes[i],
        });
    }
    bulk::insert_items(&mut tx, &inserts).await?;
    bulk::update_items(&mut tx, &updates).await?;
    tx.commit().await?;
    Ok(())
}

/// Answers fingerprints against the stored hashes (no lock, no write).
pub(crate) async fn match_hashes(
    store: &Backend,
    supplier_id: Uuid,
    fingerprints: Vec<(String, String)>,
) -> StoreResult<Vec<UpsertOutcome>> {
    let keys: Vec<String> = fingerprints.iter().map(|(key, _)| key.clone()).collect();
    let stored = bulk::existing_items(&store.read, supplier_id, &keys).await?;
    Ok(fingerprints
        .iter()
        .map(|(key, hash)| match stored.get(key) {
            Some(old) if old.content_hash == *hash => UpsertOutcome::Unchanged {
                id: old.id,
                change_seq: old.change_seq,
            },
            _ => UpsertOutcome::ContentNeeded,
        })
        .collect())
}
