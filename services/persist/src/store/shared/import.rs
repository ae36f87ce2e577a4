// Import runs, compiled once per backend (see store/mod.rs). Their item reports are in
// `import_report.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::model::import::{ImportCounters, ImportItemReport, ImportRun, ImportRunStatus};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::ImportStore;

const RUN_COLUMNS: &str = "id, change_seq, created_at, updated_at, supplier_id, source, status, \
     started_at, finished_at, read, created, updated, unchanged, rejected, gone, error, \
     (SELECT code FROM supplier s WHERE s.id = import_run.supplier_id) AS supplier_code";

fn run_from_row(row: &DbRow) -> StoreResult<Record<ImportRun>> {
    let status: String = row.try_get("status")?;
    let mut refs = Refs::default();
    refs.set("supplier_code", row.try_get("supplier_code")?);
    Ok(Record {
        meta: meta_from_row(row)?,
        refs,
        value: ImportRun {
            supplier_id: row.try_get("supplier_id")?,
            source: row.try_get("source")?,
            status: stored_enum(ImportRunStatus::parse(&status), "import_run.status")?,
            started_at: Some(row.try_get("started_at")?),
            finished_at: row.try_get("finished_at")?,
            counters: ImportCounters {
                read: row.try_get("read")?,
                created: row.try_get("created")?,
                updated: row.try_get("updated")?,
                unchanged: row.try_get("unchanged")?,
                rejected: row.try_get("rejected")?,
                gone: row.try_get("gone")?,
            },
            error: row.try_get("error")?,
        },
    })
}

async fn write_run(tx: &mut Tx, meta: &Meta, value: &ImportRun, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO import_run (id, change_seq, created_at, updated_at, supplier_id, source, \
         status, started_at, finished_at, read, created, updated, unchanged, rejected, gone, \
         error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    } else {
        "UPDATE import_run SET change_seq = $2, created_at = $3, updated_at = $4, \
         supplier_id = $5, source = $6, status = $7, started_at = $8, finished_at = $9, \
         read = $10, created = $11, updated = $12, unchanged = $13, rejected = $14, gone = $15, \
         error = $16 WHERE id = $1"
    };
    let c = value.counters;
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(value.supplier_id)
        .bind(&value.source)
        .bind(value.status.as_str())
        .bind(value.started_at.unwrap_or(meta.created_at))
        .bind(value.finished_at)
        .bind(c.read)
        .bind(c.created)
        .bind(c.updated)
        .bind(c.unchanged)
        .bind(c.rejected)
        .bind(c.gone)
        .bind(&value.error)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn read_run(tx: &mut Tx, id: Uuid) -> StoreResult<Record<ImportRun>> {
    read_back(tx, RUN_COLUMNS, "import_run", id, run_from_row).await
}

/// Timestamps are stored at microsecond precision (what PostgreSQL keeps).
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 6)
}

#[async_trait]
impl ImportStore for Backend {
    async fn create_import_run(&self, mut value: ImportRun) -> StoreResult<Record<ImportRun>> {
        let now = carpetti_util::now();
        value.started_at = Some(value.started_at.map_or(now, micros));
        value.finished_at = value.finished_at.map(micros);
        value.validate()?;
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        require_ref(&mut tx, "supplier", "supplier_id", value.supplier_id).await?;
        let meta = new_meta(seq, now);
        write_run(&mut tx, &meta, &value, true).await?;
        let stored = read_run(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn get_import_run(&self, lookup: &Lookup) -> StoreResult<Record<ImportRun>> {
        let row = fetch_one_by(
            &self.read,
            "import run",
            lookup,
            &format!("SELECT {RUN_COLUMNS} FROM import_run WHERE id = $1"),
            None,
            None,
        )
        .await?;
        run_from_row(&row)
    }

    async fn update_import_run(
        &self,
        target: Target,
        mut value: ImportRun,
    ) -> StoreResult<Record<ImportRun>> {
        value.finished_at = value.finished_at.map(micros);
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "import_run", "import run", target).await?;
        value.started_at = match value.started_at {
            Some(at) => Some(micros(at)),
            None => Some(
                sqlx::query_scalar("SELECT started_at FROM import_run WHERE id = $1")
                    .bind(target.id)
                    .fetch_one(&mut *tx)
                    .await?,
            ),
        };
        value.validate()?;
        require_ref(&mut tx, "supplier", "supplier_id", value.supplier_id).await?;
        let meta = stamped(old, seq);
        write_run(&mut tx, &meta, &value, false).await?;
        let stored = read_run(&mut tx, meta.id).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn delete_import_run(&self, target: Target) -> StoreResult<i64> {
        // No business key of its own: the tombstone carries the supplier's code.
        delete_with_tombstone(
            &self.write,
            "import_run",
            "import run",
            "(SELECT code FROM supplier s WHERE s.id = import_run.supplier_id)",
            target,
        )
        .await
    }

    async fn list_import_runs(&self, filter: &ListFilter) -> StoreResult<Page<ImportRun>> {
        filter.allow_only(&["supplier_id", "status"])?;
        let mut qb = start_list(RUN_COLUMNS, "import_run", filter);
        if let Some(supplier) = filter.supplier_id {
            qb.push(" AND supplier_id = ");
            qb.push_bind(supplier);
        }
        if let Some(status) = &filter.status {
            let status = ImportRunStatus::parse(status).map_err(StoreError::parse("status"))?;
            qb.push(" AND status = ");
            qb.push_bind(status.as_str());
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(run_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }

    async fn create_import_item_report(
        &self,
        value: ImportItemReport,
    ) -> StoreResult<Record<ImportItemReport>> {
        super::import_report::create(self, value).await
    }

    async fn get_import_item_report(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<ImportItemReport>> {
        super::import_report::get(self, lookup).await
    }

    async fn update_import_item_report(
        &self,
        target: Target,
        value: ImportItemReport,
    ) -> StoreResult<Record<ImportItemReport>> {
        super::import_report::update(self, target, value).await
    }

    async fn delete_import_item_report(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(
            &self.write,
            "import_item_report",
            "import item report",
            "COALESCE(offer_id, '')",
            target,
        )
        .await
    }

    async fn list_import_item_reports(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<ImportItemReport>> {
        super::import_report::list(self, filter).await
    }

    async fn add_import_item_reports(
        &self,
        run_id: Uuid,
        reports: Vec<ImportItemReport>,
    ) -> StoreResult<u64> {
        super::import_report::add_many(self, run_id, reports).await
    }
}
