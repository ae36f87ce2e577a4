//! SQLite's side of `add_import_item_reports`: one cached prepared insert per report, all inside
//! the call's single transaction (within one transaction that is SQLite's fastest path).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::base::Tx;
use super::import_report::{ReportRow, write_report};
use crate::error::StoreResult;

/// Inserts the reports of one run, row by row, in `tx`.
pub(crate) async fn insert_reports(
    tx: &mut Tx,
    _run_id: Uuid,
    _now: DateTime<Utc>,
    rows: &[ReportRow<'_>],
) -> StoreResult<()> {
    for row in rows {
        write_report(tx, &row.meta, row.report, true).await?;
    }
    Ok(())
}
