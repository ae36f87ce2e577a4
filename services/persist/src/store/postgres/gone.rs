//! PostgreSQL's side of marking offers gone: keys bound as one `text[]` (`offer_id = ANY($2)`),
//! and all flipped offers of a call written with one `UPDATE … FROM UNNEST(arrays)`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::base::Tx;
use super::supplier_gone::GoneRow;
use crate::error::StoreResult;

/// `offer_id` followed by this is in the keys bound as `$2` by [`keys_arg`].
pub(crate) const IN_KEYS: &str = "= ANY($2)";

/// The keys as the bind value [`IN_KEYS`] expects.
pub(crate) fn keys_arg(keys: &[String]) -> StoreResult<&[String]> {
    Ok(keys)
}

/// Sets the offers unavailable with their new sequence numbers and hashes, stamped with the run.
pub(crate) async fn mark_unavailable(
    tx: &mut Tx,
    run_id: Uuid,
    now: DateTime<Utc>,
    rows: &[GoneRow],
) -> StoreResult<()> {
    let mut id = Vec::with_capacity(rows.len());
    let mut change_seq = Vec::with_capacity(rows.len());
    let mut content_hash = Vec::with_capacity(rows.len());
    for row in rows {
        id.push(row.id);
        change_seq.push(row.change_seq);
        content_hash.push(row.content_hash.as_str());
    }
    sqlx::query(
        "UPDATE supplier_item AS s SET available = FALSE, change_seq = t.change_seq, \
         content_hash = t.content_hash, updated_at = $2, last_import_run_id = $1 \
         FROM UNNEST($3::uuid[], $4::bigint[], $5::text[]) AS t(id, change_seq, content_hash) \
         WHERE s.id = t.id",
    )
    .bind(run_id)
    .bind(now)
    .bind(id)
    .bind(change_seq)
    .bind(content_hash)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
