// Import item reports, compiled once per backend (see store/mod.rs). The backend module supplies
// `import_reports::insert_reports`, the many-rows insert that differs between PostgreSQL (one
// `UNNEST` statement) and SQLite (prepared inserts in the transaction).

use sqlx::Row;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::import::{ImportItemReport, ItemOutcome};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};

const REPORT_COLUMNS: &str =
    "id, change_seq, created_at, updated_at, import_run_id, line, offer_id, outcome, reason";

/// One report to insert with its metadata.
pub(crate) struct ReportRow<'a> {
    pub meta: Meta,
    pub report: &'a ImportItemReport,
}

fn report_from_row(row: &DbRow) -> StoreResult<Record<ImportItemReport>> {
    let outcome: String = row.try_get("outcome")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: ImportItemReport {
            import_run_id: row.try_get("import_run_id")?,
            line: row.try_get("line")?,
            offer_id: row.try_get("offer_id")?,
            outcome: stored_enum(ItemOutcome::parse(&outcome), "import_item_report.outcome")?,
            reason: row.try_get("reason")?,
        },
    })
}

/// Writes one report row (insert when `insert`, else update by id) inside `tx`.
pub(crate) async fn write_report(
    tx: &mut Tx,
    meta: &Meta,
    value: &ImportItemReport,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO import_item_report (id, change_seq, created_at, updated_at, import_run_id, \
         line, offer_id, outcome, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE import_item_report SET change_seq = $2, created_at = $3, updated_at = $4, \
         import_run_id = $5, line = $6, offer_id = $7, outcome = $8, reason = $9 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.import_run_id)
        .bind(value.line)
        .bind(&value.offer_id)
        .bind(value.outcome.as_str())
        .bind(&value.reason)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn create(
    store: &Backend,
    value: ImportItemReport,
) -> StoreResult<Record<ImportItemReport>> {
    value.validate()?;
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    require_ref(&mut tx, "import_run", "import_run_id", value.import_run_id).await?;
    let meta = new_meta(seq, carpetti_util::now());
    write_report(&mut tx, &meta, &value, true).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

pub(crate) async fn get(store: &Backend, lookup: &Lookup) -> StoreResult<Record<ImportItemReport>> {
    let row = fetch_one_by(
        &store.read,
        "import item report",
        lookup,
        &format!("SELECT {REPORT_COLUMNS} FROM import_item_report WHERE id = $1"),
        None,
        None,
    )
    .await?;
    report_from_row(&row)
}

pub(crate) async fn update(
    store: &Backend,
    target: Target,
    value: ImportItemReport,
) -> StoreResult<Record<ImportItemReport>> {
    value.validate()?;
    let mut tx = store.write.begin().await?;
    let seq = take_seqs(&mut tx, 1).await?;
    let old = check_target(&mut tx, "import_item_report", "import item report", target).await?;
    require_ref(&mut tx, "import_run", "import_run_id", value.import_run_id).await?;
    let meta = stamped(old, seq);
    write_report(&mut tx, &meta, &value, false).await?;
    tx.commit().await?;
    Ok(Record {
        meta,
        value,
        refs: Refs::default(),
    })
}

pub(crate) async fn list(
    store: &Backend,
    filter: &ListFilter,
) -> StoreResult<Page<ImportItemReport>> {
    filter.allow_only(&["import_run_id", "status"])?;
    let mut qb = start_list(REPORT_COLUMNS, "import_item_report", filter);
    if let Some(run) = filter.import_run_id {
        qb.push(" AND import_run_id = ");
        qb.push_bind(run);
    }
    if let Some(status) = &filter.status {
        let outcome = ItemOutcome::parse(status).map_err(StoreError::parse("status"))?;
        qb.push(" AND outcome = ");
        qb.push_bind(outcome.as_str());
    }
    finish_list(&mut qb, filter);
    let rows = qb.build().fetch_all(&store.read).await?;
    let items = rows
        .iter()
        .map(report_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(into_page(items, filter))
}

/// Inserts many reports of one run in one transaction, each with its own change sequence.
pub(crate) async fn add_many(
    store: &Backend,
    run_id: Uuid,
    reports: Vec<ImportItemReport>,
) -> StoreResult<u64> {
    for (i, report) in reports.iter().enumerate() {
        if report.import_run_id != run_id {
            return Err(StoreError::invalid(
                "import_run_id",
                format!(
                    "report {i} belongs to run {}, not to {run_id}",
                    report.import_run_id
                ),
            ));
        }
        report.validate().map_err(|e| match e {
            StoreError::InvalidArgument { field, reason } => {
                StoreError::invalid(field, format!("report {i}: {reason}"))
            }
            other => other,
        })?;
    }
    if reports.is_empty() {
        return Ok(0);
    }
    let count = i64::try_from(reports.len())
        .map_err(|_| StoreError::invalid("reports", "too many reports in one call"))?;
    let mut tx = store.write.begin().await?;
    let first = take_seqs(&mut tx, count).await?;
    require_ref(&mut tx, "import_run", "import_run_id", run_id).await?;
    let now = carpetti_util::now();
    let rows: Vec<ReportRow<'_>> = reports
        .iter()
        .zip(first..)
        .map(|(report, seq)| ReportRow {
            meta: new_meta(seq, now),
            report,
        })
        .collect();
    super::import_reports::insert_reports(&mut tx, run_id, now, &rows).await?;
    tx.commit().await?;
    Ok(rows.len() as u64)
}
