//! PostgreSQL's side of `add_import_item_reports`: all reports of a call in one
//! `INSERT … SELECT FROM UNNEST(arrays)` statement.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::base::Tx;
use super::import_report::ReportRow;
use crate::error::StoreResult;

/// Inserts the reports of one run with one statement.
pub(crate) async fn insert_reports(
    tx: &mut Tx,
    run_id: Uuid,
    now: DateTime<Utc>,
    rows: &[ReportRow<'_>],
) -> StoreResult<()> {
    let mut id = Vec::with_capacity(rows.len());
    let mut change_seq = Vec::with_capacity(rows.len());
    let mut line = Vec::with_capacity(rows.len());
    let mut offer_id = Vec::with_capacity(rows.len());
    let mut outcome = Vec::with_capacity(rows.len());
    let mut reason = Vec::with_capacity(rows.len());
    for row in rows {
        id.push(row.meta.id);
        change_seq.push(row.meta.change_seq);
        line.push(row.report.line);
        offer_id.push(row.report.offer_id.clone());
        outcome.push(row.report.outcome.as_str().to_owned());
        reason.push(row.report.reason.clone());
    }
    sqlx::query(
        "INSERT INTO import_item_report (id, change_seq, created_at, updated_at, import_run_id, \
         line, offer_id, outcome, reason) \
         SELECT t.id, t.change_seq, $2, $2, $1, t.line, t.offer_id, t.outcome, t.reason \
         FROM UNNEST($3::uuid[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[]) \
         AS t(id, change_seq, line, offer_id, outcome, reason)",
    )
    .bind(run_id)
    .bind(now)
    .bind(id)
    .bind(change_seq)
    .bind(line)
    .bind(offer_id)
    .bind(outcome)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
