// The bulk upsert of products by SKU, compiled once per backend (see store/mod.rs). The backend
// module supplies `product_bulk::{existing_products, insert_products, update_products,
// replace_values}`, the set-based parts that differ between PostgreSQL and SQLite.

use std::collections::HashMap;

use carpetti_util::ContentHash;
use uuid::Uuid;

use super::product_values::{Catalog, Conn, ValueRow, resolve_values};
use crate::error::{StoreError, StoreResult};
use crate::model::Meta;
use crate::model::product::Product;
use crate::store::UpsertOutcome;

/// What the database holds for one SKU.
pub(crate) struct ExistingProduct {
    pub id: Uuid,
    pub change_seq: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub content_hash: String,
}

/// One product to write, with its checked values.
pub(crate) struct ProductRow<'a> {
    pub meta: Meta,
    pub product: &'a Product,
    pub hash: &'a ContentHash,
    pub values: &'a [ValueRow],
}

/// A product whose values passed the checks: its value rows and content hash.
struct Checked {
    values: Vec<ValueRow>,
    hash: ContentHash,
}

type Outcomes = Vec<Option<UpsertOutcome>>;

pub(crate) async fn upsert_products(
    store: &Backend,
    mut items: Vec<Product>,
) -> StoreResult<Vec<UpsertOutcome>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let mut outcomes: Outcomes = items.iter().map(|_| None).collect();
    // Later duplicates of a SKU in the same chunk win; earlier ones are rejected.
    let mut latest: HashMap<String, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(earlier) = latest.insert(item.sku.as_str().to_owned(), i) {
            outcomes[earlier] = Some(UpsertOutcome::Rejected(StoreError::invalid(
                "sku",
                format!(
                    "product {} appears again later in the same chunk; the later one is kept",
                    item.sku
                ),
            )));
        }
    }
    let live: Vec<usize> = (0..items.len())
        .filter(|&i| outcomes[i].is_none())
        .collect();

    // Read without a lock first: a chunk that changes nothing writes nothing and locks nothing.
    let mut conn = store.read.acquire().await?;
    let checked = check_values(&mut conn, &mut items, &live, &mut outcomes).await?;
    let keys: Vec<String> = checked
        .keys()
        .map(|&i| items[i].sku.as_str().to_owned())
        .collect();
    let before = product_bulk::existing_products(&mut *conn, &keys).await?;
    drop(conn);
    let mut pending = Vec::new();
    for &i in &live {
        let Some(checked) = checked.get(&i) else {
            continue;
        };
        match before.get(items[i].sku.as_str()) {
            Some(old) if old.content_hash == checked.hash.as_str() => {
                outcomes[i] = Some(UpsertOutcome::Unchanged {
                    id: old.id,
                    change_seq: old.change_seq,
                });
            }
            _ => pending.push(i),
        }
    }
    if !pending.is_empty() {
        write_pending(store, &mut items, &pending, &mut outcomes).await?;
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

/// Checks the values of the items at `positions` against the attributes; rejects the items that
/// fail and returns the others' value rows and hashes, by position.
async fn check_values(
    conn: &mut Conn,
    items: &mut [Product],
    positions: &[usize],
    outcomes: &mut Outcomes,
) -> StoreResult<HashMap<usize, Checked>> {
    let products: Vec<&Product> = positions.iter().map(|&i| &items[i]).collect();
    let catalog = Catalog::load(conn, &products).await?;
    let mut checked = HashMap::with_capacity(positions.len());
    for &i in positions {
        match resolve_values(&catalog, &mut items[i]) {
            Ok(values) => {
                checked.insert(
                    i,
                    Checked {
                        values,
                        hash: items[i].content_hash(),
                    },
                );
            }
            Err(error) => outcomes[i] = Some(UpsertOutcome::Rejected(error)),
        }
    }
    Ok(checked)
}

/// Rejects the items whose family or category does not exist; returns the rest.
async fn check_refs(
    tx: &mut Tx,
    items: &[Product],
    positions: Vec<usize>,
    outcomes: &mut Outcomes,
) -> StoreResult<Vec<usize>> {
    let mut known: HashMap<(&'static str, Uuid), bool> = HashMap::new();
    let mut kept = Vec::with_capacity(positions.len());
    'items: for i in positions {
        let refs = [
            ("family", "family_id", items[i].family_id),
            ("category", "category_id", items[i].category_id),
        ];
        for (table, field, id) in refs {
            let Some(id) = id else { continue };
            let found = match known.get(&(table, id)) {
                Some(&found) => found,
                None => {
                    let found = exists(tx, table, id).await?;
                    known.insert((table, id), found);
                    found
                }
            };
            if !found {
                outcomes[i] = Some(UpsertOutcome::Rejected(StoreError::unknown(
                    field, table, id,
                )));
                continue 'items;
            }
        }
        kept.push(i);
    }
    Ok(kept)
}

async fn write_pending(
    store: &Backend,
    items: &mut [Product],
    pending: &[usize],
    outcomes: &mut Outcomes,
) -> StoreResult<()> {
    let mut tx = store.write.begin().await?;
    // Take the writer lock before reading again, so the checks and classification are exact.
    take_seqs(&mut tx, 0).await?;
    let pending = check_refs(&mut tx, items, pending.to_vec(), outcomes).await?;
    let checked = check_values(&mut tx, items, &pending, outcomes).await?;
    let keys: Vec<String> = checked
        .keys()
        .map(|&i| items[i].sku.as_str().to_owned())
        .collect();
    let current = product_bulk::existing_products(&mut *tx, &keys).await?;
    let mut to_insert = Vec::new();
    let mut to_update = Vec::new();
    for &i in &pending {
        let Some(c) = checked.get(&i) else { continue };
        match current.get(items[i].sku.as_str()) {
            Some(old) if old.content_hash == c.hash.as_str() => {
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
    if count == 0 {
        tx.commit().await?;
        return Ok(());
    }
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
        inserts.push((meta, i));
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
        updates.push((meta, i));
    }
    let row = |(meta, i): (Meta, usize)| -> StoreResult<ProductRow<'_>> {
        let c = checked
            .get(&i)
            .ok_or_else(|| StoreError::FailedPrecondition("item was not checked".into()))?;
        Ok(ProductRow {
            meta,
            product: &items[i],
            hash: &c.hash,
            values: &c.values,
        })
    };
    let inserts = inserts
        .into_iter()
        .map(row)
        .collect::<StoreResult<Vec<_>>>()?;
    let updates = updates
        .into_iter()
        .map(row)
        .collect::<StoreResult<Vec<_>>>()?;
    product_bulk::insert_products(&mut tx, &inserts).await?;
    product_bulk::update_products(&mut tx, &updates).await?;
    product_bulk::replace_values(&mut tx, &inserts, &updates).await?;
    let ids: Vec<Uuid> = inserts.iter().chain(&updates).map(|r| r.meta.id).collect();
    super::completeness::recompute_for_products(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(())
}
