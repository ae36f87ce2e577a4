//! SQLite's side of marking offers gone: keys bound as one JSON array (`json_each($2)`), and one
//! cached prepared update per flipped offer inside the call's transaction.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::base::Tx;
use super::supplier_gone::GoneRow;
use crate::error::{StoreError, StoreResult};

/// `offer_id` followed by this is in the keys bound as `$2` by [`keys_arg`].
pub(crate) const IN_KEYS: &str = "IN (SELECT value FROM json_each($2))";

/// The keys as the bind value [`IN_KEYS`] expects: a JSON array of strings.
pub(crate) fn keys_arg(keys: &[String]) -> StoreResult<String> {
    serde_json::to_string(keys)
        .map_err(|e| StoreError::invalid("offer_ids", format!("cannot encode keys: {e}")))
}

/// Sets the offers unavailable with their new sequence numbers and hashes, stamped with the run.
pub(crate) async fn mark_unavailable(
    tx: &mut Tx,
    run_id: Uuid,
    now: DateTime<Utc>,
    rows: &[GoneRow],
) -> StoreResult<()> {
    for row in rows {
        sqlx::query(
            "UPDATE supplier_item SET available = FALSE, change_seq = $2, content_hash = $3, \
             updated_at = $4, last_import_run_id = $5 WHERE id = $1",
        )
        .bind(row.id)
        .bind(row.change_seq)
        .bind(row.content_hash.as_str())
        .bind(now)
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
