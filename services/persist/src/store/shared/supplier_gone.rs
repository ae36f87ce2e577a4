// Marking offers missing from a feed as gone, compiled once per backend (see store/mod.rs). The
// backend module supplies `gone::IN_KEYS` / `gone::keys_arg` (an `offer_id IN` the keys bound as
// `$2`) and `gone::mark_unavailable` (the set-based write), the parts that differ between
// PostgreSQL and SQLite.

use std::collections::{HashMap, HashSet};

use carpetti_util::OfferId;
use uuid::Uuid;

use super::import_report::ReportRow;
use crate::error::{StoreError, StoreResult};
use crate::model::Record;
use crate::model::import::{ImportItemReport, ItemOutcome};
use crate::model::supplier::SupplierItem;
use crate::store::{MAX_GONE_PER_CALL, UpsertOutcome};

/// One offer to flip to unavailable: its row, new sequence number and recomputed hash.
pub(crate) struct GoneRow {
    pub id: Uuid,
    pub change_seq: i64,
    pub content_hash: String,
}

/// The request's offer ids, parsed: the distinct valid ones with their positions, and the
/// answers of the others (invalid, or a repeat of an earlier id).
struct Requested {
    keys: Vec<String>,
    positions: Vec<usize>,
    outcomes: Vec<Option<UpsertOutcome>>,
}

fn parse_request(offer_ids: &[String]) -> Requested {
    let mut requested = Requested {
        keys: Vec::with_capacity(offer_ids.len()),
        positions: Vec::with_capacity(offer_ids.len()),
        outcomes: offer_ids.iter().map(|_| None).collect(),
    };
    let mut seen = HashSet::with_capacity(offer_ids.len());
    for (i, raw) in offer_ids.iter().enumerate() {
        let field = format!("offer_ids[{i}]");
        match OfferId::parse(raw) {
            Err(e) => {
                requested.outcomes[i] =
                    Some(UpsertOutcome::Rejected(StoreError::invalid(field, e.0)));
            }
            Ok(offer) if !seen.insert(offer.as_str().to_owned()) => {
                requested.outcomes[i] = Some(UpsertOutcome::Rejected(StoreError::invalid(
                    field,
                    format!("offer {offer} appears earlier in the same request"),
                )));
            }
            Ok(offer) => {
                requested.keys.push(offer.into_inner());
                requested.positions.push(i);
            }
        }
    }
    requested
}

/// Checks the supplier exists and the run exists and imports that supplier.
async fn check_scope(tx: &mut Tx, supplier_id: Uuid, run_id: Uuid) -> StoreResult<()> {
    require_ref(tx, "supplier", "supplier_id", supplier_id).await?;
    let run_supplier: Option<Uuid> =
        sqlx::query_scalar("SELECT supplier_id FROM import_run WHERE id = $1")
            .bind(run_id)
            .fetch_optional(&mut **tx)
            .await?;
    match run_supplier {
        None => Err(StoreError::unknown("import_run_id", "import_run", run_id)),
        Some(other) if other != supplier_id => Err(StoreError::invalid(
            "import_run_id",
            format!("import run {run_id} imports supplier {other}, not {supplier_id}"),
        )),
        Some(_) => Ok(()),
    }
}

/// The stored items of the given offers of one supplier, by offer id.
async fn stored_items(
    tx: &mut Tx,
    supplier_id: Uuid,
    keys: &[String],
) -> StoreResult<HashMap<String, Record<SupplierItem>>> {
    let sql = format!(
        "SELECT {} FROM supplier_item WHERE supplier_id = $1 AND offer_id {}",
        super::supplier::ITEM_COLUMNS,
        super::gone::IN_KEYS
    );
    let rows = sqlx::query(&sql)
        .bind(supplier_id)
        .bind(super::gone::keys_arg(keys)?)
        .fetch_all(&mut **tx)
        .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in &rows {
        let record = super::supplier::item_from_row(row)?;
        found.insert(record.value.offer_id.as_str().to_owned(), record);
    }
    Ok(found)
}

/// Which of the given offers the run has already reported GONE (a retried call).
async fn reported_gone(tx: &mut Tx, run_id: Uuid, keys: &[String]) -> StoreResult<HashSet<String>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT offer_id FROM import_item_report WHERE import_run_id = $1 AND outcome = 'gone' \
         AND offer_id {}",
        super::gone::IN_KEYS
    );
    let offers: Vec<String> = sqlx::query_scalar(&sql)
        .bind(run_id)
        .bind(super::gone::keys_arg(keys)?)
        .fetch_all(&mut **tx)
        .await?;
    Ok(offers.into_iter().collect())
}

/// See `SupplierStore::mark_supplier_items_gone`.
pub(crate) async fn mark_gone(
    store: &Backend,
    supplier_id: Uuid,
    run_id: Uuid,
    offer_ids: Vec<String>,
) -> StoreResult<Vec<UpsertOutcome>> {
    if offer_ids.len() > MAX_GONE_PER_CALL {
        return Err(StoreError::invalid(
            "offer_ids",
            format!(
                "at most {MAX_GONE_PER_CALL} offer ids per request, got {}",
                offer_ids.len()
            ),
        ));
    }
    let Requested {
        keys,
        positions,
        mut outcomes,
    } = parse_request(&offer_ids);
    let mut tx = store.write.begin().await?;
    // Take the writer lock before reading, so what is read is what gets written.
    take_seqs(&mut tx, 0).await?;
    check_scope(&mut tx, supplier_id, run_id).await?;
    let mut stored = if keys.is_empty() {
        HashMap::new()
    } else {
        stored_items(&mut tx, supplier_id, &keys).await?
    };
    let retried: Vec<String> = stored
        .values()
        .filter(|r| !r.value.available && r.value.last_import_run_id == Some(run_id))
        .map(|r| r.value.offer_id.as_str().to_owned())
        .collect();
    let reported = reported_gone(&mut tx, run_id, &retried).await?;

    let mut to_mark = Vec::new();
    for (key, &i) in keys.iter().zip(&positions) {
        outcomes[i] = match stored.remove(key) {
            None => Some(UpsertOutcome::Rejected(StoreError::invalid(
                format!("offer_ids[{i}]"),
                "unknown offer",
            ))),
            Some(record) if record.value.available => {
                to_mark.push((i, record));
                None
            }
            Some(record) if reported.contains(key) => Some(UpsertOutcome::Updated {
                id: record.meta.id,
                change_seq: record.meta.change_seq,
            }),
            Some(record) => Some(UpsertOutcome::Unchanged {
                id: record.meta.id,
                change_seq: record.meta.change_seq,
            }),
        };
    }
    if !to_mark.is_empty() {
        write_gone(&mut tx, run_id, to_mark, &mut outcomes).await?;
        tx.commit().await?;
    }
    Ok(outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                UpsertOutcome::Rejected(StoreError::FailedPrecondition(
                    "offer id was not processed".into(),
                ))
            })
        })
        .collect())
}

/// Flips the offers to unavailable and writes their GONE reports, each with its own sequence.
async fn write_gone(
    tx: &mut Tx,
    run_id: Uuid,
    to_mark: Vec<(usize, Record<SupplierItem>)>,
    outcomes: &mut [Option<UpsertOutcome>],
) -> StoreResult<()> {
    let count = i64::try_from(to_mark.len() * 2)
        .map_err(|_| StoreError::invalid("offer_ids", "too many offer ids"))?;
    let mut seq = take_seqs(tx, count).await?;
    let now = carpetti_util::now();
    let mut rows = Vec::with_capacity(to_mark.len());
    let mut reports = Vec::with_capacity(to_mark.len());
    for (i, mut record) in to_mark {
        // Everything else stays; the hash is what an upsert of the offer as unavailable stores.
        record.value.available = false;
        rows.push(GoneRow {
            id: record.meta.id,
            change_seq: seq,
            content_hash: record.value.content_hash().as_str().to_owned(),
        });
        outcomes[i] = Some(UpsertOutcome::Updated {
            id: record.meta.id,
            change_seq: seq,
        });
        seq += 1;
        reports.push(ImportItemReport {
            import_run_id: run_id,
            line: None,
            offer_id: Some(record.value.offer_id.into_inner()),
            outcome: ItemOutcome::Gone,
            reason: None,
        });
    }
    super::gone::mark_unavailable(tx, run_id, now, &rows).await?;
    let report_rows: Vec<ReportRow<'_>> = reports
        .iter()
        .zip(seq..)
        .map(|(report, seq)| ReportRow {
            meta: new_meta(seq, now),
            report,
        })
        .collect();
    super::import_reports::insert_reports(tx, run_id, now, &report_rows).await?;
    Ok(())
}
