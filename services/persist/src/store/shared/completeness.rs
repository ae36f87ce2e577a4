// The completeness projection, compiled once per backend (see store/mod.rs): for each product
// with a family and each channel that family has requirements for, how many of the required
// attributes the product has a value for. Called inside the write transaction of whatever changed
// a product's values or family, or a family's members or requirements (after `take_seqs`).

use std::collections::{BTreeMap, HashMap};

use sqlx::types::Json;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use crate::error::StoreResult;

/// Products per query (well under SQLite's bind-parameter limit).
const CHUNK: usize = 500;

/// Whether a stored `product_value.value` counts as filled: everything except empty (or blank)
/// text, an empty options list, null, and an empty object.
pub(crate) fn value_is_filled(value: &serde_json::Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    if object.is_empty() {
        return false;
    }
    object.values().all(|v| match v {
        serde_json::Value::Null => false,
        serde_json::Value::String(s) => !s.trim().is_empty(),
        serde_json::Value::Array(items) => !items.is_empty(),
        _ => true,
    })
}

/// What a (product, channel) pair should look like.
#[derive(Debug, Default, PartialEq, Eq)]
struct Computed {
    required: i64,
    filled: i64,
    missing: Vec<String>,
}

/// Recomputes the completeness rows of `product_ids`: upserts one row per (product, channel the
/// product's family has requirements for), each written row taking a change seq, and deletes (with
/// a tombstone) the rows of products without a family or of channels no longer required. Rows
/// whose numbers did not change are left alone (no new change seq).
pub(crate) async fn recompute_for_products(tx: &mut Tx, product_ids: &[Uuid]) -> StoreResult<()> {
    let mut ids: Vec<Uuid> = product_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(CHUNK) {
        recompute_chunk(tx, chunk).await?;
    }
    Ok(())
}

/// Recomputes the completeness of every product of a family (after its members or requirements
/// changed).
pub(crate) async fn recompute_for_family(tx: &mut Tx, family_id: Uuid) -> StoreResult<()> {
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM product WHERE family_id = $1")
        .bind(family_id)
        .fetch_all(&mut **tx)
        .await?;
    recompute_for_products(tx, &ids).await
}

fn push_ids(qb: &mut QueryBuilder<'_, Db>, ids: &[Uuid]) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

async fn compute(tx: &mut Tx, ids: &[Uuid]) -> StoreResult<BTreeMap<(Uuid, Uuid), Computed>> {
    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
        "SELECT p.id AS product_id, fr.channel_id AS channel_id, a.code AS code, \
         (SELECT pv.value FROM product_value pv \
          WHERE pv.product_id = p.id AND pv.attribute_id = fr.attribute_id) AS value \
         FROM product p \
         JOIN family_requirement fr ON fr.family_id = p.family_id \
         JOIN attribute a ON a.id = fr.attribute_id \
         WHERE p.id IN ",
    );
    push_ids(&mut qb, ids);
    qb.push(" ORDER BY a.code");
    let rows = qb.build().fetch_all(&mut **tx).await?;
    let mut out: BTreeMap<(Uuid, Uuid), Computed> = BTreeMap::new();
    for row in &rows {
        let key = (row.try_get("product_id")?, row.try_get("channel_id")?);
        let value: Option<Json<serde_json::Value>> = row.try_get("value")?;
        let entry = out.entry(key).or_default();
        entry.required += 1;
        if value.is_some_and(|v| value_is_filled(&v.0)) {
            entry.filled += 1;
        } else {
            entry.missing.push(row.try_get("code")?);
        }
    }
    Ok(out)
}

/// A stored completeness row, as far as recomputing cares.
struct Stored {
    id: Uuid,
    computed: Computed,
    key: String,
}

async fn stored(tx: &mut Tx, ids: &[Uuid]) -> StoreResult<HashMap<(Uuid, Uuid), Stored>> {
    let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
        "SELECT c.id AS id, c.product_id AS product_id, c.channel_id AS channel_id, \
         c.required AS required, c.filled AS filled, c.missing AS missing, \
         (SELECT sku FROM product p WHERE p.id = c.product_id) AS sku, \
         (SELECT code FROM channel ch WHERE ch.id = c.channel_id) AS channel_code \
         FROM completeness c WHERE c.product_id IN ",
    );
    push_ids(&mut qb, ids);
    let rows = qb.build().fetch_all(&mut **tx).await?;
    let mut out = HashMap::new();
    for row in &rows {
        let missing: Json<Vec<String>> = row.try_get("missing")?;
        let sku: Option<String> = row.try_get("sku")?;
        let channel: Option<String> = row.try_get("channel_code")?;
        out.insert(
            (row.try_get("product_id")?, row.try_get("channel_id")?),
            Stored {
                id: row.try_get("id")?,
                computed: Computed {
                    required: row.try_get("required")?,
                    filled: row.try_get("filled")?,
                    missing: missing.0,
                },
                key: format!(
                    "{}/{}",
                    sku.unwrap_or_default(),
                    channel.unwrap_or_default()
                ),
            },
        );
    }
    Ok(out)
}

async fn recompute_chunk(tx: &mut Tx, ids: &[Uuid]) -> StoreResult<()> {
    let computed = compute(tx, ids).await?;
    let mut existing = stored(tx, ids).await?;
    let writes: Vec<(&(Uuid, Uuid), &Computed, Option<Uuid>)> = computed
        .iter()
        .filter_map(|(key, c)| match existing.remove(key) {
            Some(old) if old.computed == *c => None,
            Some(old) => Some((key, c, Some(old.id))),
            None => Some((key, c, None)),
        })
        .collect();
    // What is left in `existing` is no longer required.
    let mut gone: Vec<Stored> = existing.into_values().collect();
    gone.sort_by_key(|s| s.id);
    let count = i64::try_from(writes.len() + gone.len()).unwrap_or(i64::MAX);
    if count == 0 {
        return Ok(());
    }
    let mut seq = take_seqs(tx, count).await?;
    let now = carpetti_util::now();
    for ((product_id, channel_id), c, old_id) in writes {
        let sql = if old_id.is_some() {
            "UPDATE completeness SET required = $4, filled = $5, missing = $6, computed_at = $7, \
             change_seq = $8, updated_at = $7 \
             WHERE id = $1 AND product_id = $2 AND channel_id = $3"
        } else {
            "INSERT INTO completeness (id, product_id, channel_id, required, filled, missing, \
             computed_at, change_seq, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, $7, $7)"
        };
        sqlx::query(sql)
            .bind(old_id.unwrap_or_else(carpetti_util::new_id))
            .bind(*product_id)
            .bind(*channel_id)
            .bind(c.required)
            .bind(c.filled)
            .bind(Json(&c.missing))
            .bind(now)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        seq += 1;
    }
    for row in gone {
        sqlx::query("DELETE FROM completeness WHERE id = $1")
            .bind(row.id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO change_log (seq, entity, entity_id, business_key, deleted_at) \
             VALUES ($1, 'completeness', $2, $3, $4)",
        )
        .bind(seq)
        .bind(row.id)
        .bind(&row.key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        seq += 1;
    }
    Ok(())
}
