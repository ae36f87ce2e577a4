// Process reports, compiled once per backend (see store/mod.rs).

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::types::Json;

use crate::error::{StoreError, StoreResult};
use crate::model::process::{ProcessReport, ProcessStatus};
use crate::model::{ListFilter, Lookup, Meta, Page, Record, Refs, Target};
use crate::store::ProcessReportStore;

const PROCESS_COLUMNS: &str = "id, change_seq, created_at, updated_at, process_key, \
     definition_key, step, status, started_at, finished_at, counters, message";

fn process_from_row(row: &DbRow) -> StoreResult<Record<ProcessReport>> {
    let status: String = row.try_get("status")?;
    let counters: Json<BTreeMap<String, i64>> = row.try_get("counters")?;
    Ok(Record {
        meta: meta_from_row(row)?,
        refs: Refs::default(),
        value: ProcessReport {
            process_key: row.try_get("process_key")?,
            definition_key: row.try_get("definition_key")?,
            step: row.try_get("step")?,
            status: stored_enum(ProcessStatus::parse(&status), "process_report.status")?,
            started_at: Some(row.try_get("started_at")?),
            finished_at: row.try_get("finished_at")?,
            counters: counters.0,
            message: row.try_get("message")?,
        },
    })
}

async fn write_process(
    tx: &mut Tx,
    meta: &Meta,
    value: &ProcessReport,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO process_report (id, change_seq, created_at, updated_at, process_key, \
         definition_key, step, status, started_at, finished_at, counters, message, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    } else {
        "UPDATE process_report SET change_seq = $2, created_at = $3, updated_at = $4, \
         process_key = $5, definition_key = $6, step = $7, status = $8, started_at = $9, \
         finished_at = $10, counters = $11, message = $12, search_text = $13 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(meta.id)
        .bind(meta.change_seq)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .bind(&value.process_key)
        .bind(&value.definition_key)
        .bind(&value.step)
        .bind(value.status.as_str())
        .bind(value.started_at.unwrap_or(meta.created_at))
        .bind(value.finished_at)
        .bind(Json(&value.counters))
        .bind(&value.message)
        .bind(value.search_text())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn stored_started_at(
    tx: &mut Tx,
    id: uuid::Uuid,
) -> StoreResult<chrono::DateTime<chrono::Utc>> {
    Ok(
        sqlx::query_scalar("SELECT started_at FROM process_report WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Timestamps are stored at microsecond precision (what PostgreSQL keeps).
fn micros(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 6)
}

#[async_trait]
impl ProcessReportStore for Backend {
    async fn create_process_report(
        &self,
        mut value: ProcessReport,
    ) -> StoreResult<Record<ProcessReport>> {
        let now = carpetti_util::now();
        value.started_at = Some(value.started_at.map_or(now, micros));
        value.finished_at = value.finished_at.map(micros);
        value.validate()?;
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let meta = new_meta(seq, now);
        write_process(&mut tx, &meta, &value, true).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: Refs::default(),
        })
    }

    async fn get_process_report(&self, lookup: &Lookup) -> StoreResult<Record<ProcessReport>> {
        let row = fetch_one_by(
            &self.read,
            "process report",
            lookup,
            &format!("SELECT {PROCESS_COLUMNS} FROM process_report WHERE id = $1"),
            Some(&format!(
                "SELECT {PROCESS_COLUMNS} FROM process_report WHERE process_key = $1 \
                 ORDER BY change_seq DESC LIMIT 1"
            )),
            None,
        )
        .await?;
        process_from_row(&row)
    }

    async fn update_process_report(
        &self,
        target: Target,
        mut value: ProcessReport,
    ) -> StoreResult<Record<ProcessReport>> {
        let mut tx = self.write.begin().await?;
        let seq = take_seqs(&mut tx, 1).await?;
        let old = check_target(&mut tx, "process_report", "process report", target).await?;
        value.started_at = match value.started_at {
            Some(at) => Some(micros(at)),
            None => Some(stored_started_at(&mut tx, target.id).await?),
        };
        value.finished_at = value.finished_at.map(micros);
        value.validate()?;
        let meta = stamped(old, seq);
        write_process(&mut tx, &meta, &value, false).await?;
        tx.commit().await?;
        Ok(Record {
            meta,
            value,
            refs: Refs::default(),
        })
    }

    async fn delete_process_report(&self, target: Target) -> StoreResult<i64> {
        delete_with_tombstone(
            &self.write,
            "process_report",
            "process report",
            "process_key",
            target,
        )
        .await
    }

    async fn list_process_reports(&self, filter: &ListFilter) -> StoreResult<Page<ProcessReport>> {
        filter.allow_only(&["status", "text"])?;
        let mut qb = start_list(PROCESS_COLUMNS, "process_report", filter);
        if let Some(status) = &filter.status {
            let status = ProcessStatus::parse(status).map_err(StoreError::parse("status"))?;
            qb.push(" AND status = ");
            qb.push_bind(status.as_str());
        }
        if let Some(text) = &filter.text {
            push_text_filter(&mut qb, "search_text", text);
        }
        finish_list(&mut qb, filter);
        let rows = qb.build().fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(process_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(into_page(items, filter))
    }
}
