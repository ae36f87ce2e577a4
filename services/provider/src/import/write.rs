//! Writing a scanned feed to persist: the spooled new and changed items through the bulk upsert
//! (chunks committed one by one, answers matched back to their feed lines), the item reports, and
//! the offers the feed no longer carries marked unavailable.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use futures::StreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::catalog::Catalog;
use super::events::Changes;
use super::known::Stored;
use super::scan::Scanned;
use super::spool::{SpoolReader, SpooledItem};
use super::{ImportError, Progress};

/// Items per upsert message (persist takes up to 10,000 and 16 MiB).
const ITEMS_PER_CHUNK: usize = 2_000;
/// Encoded bytes per upsert message, well under persist's 16 MiB.
const BYTES_PER_CHUNK: usize = 8 << 20;
/// Reports per AddImportItemReports call.
const REPORTS_PER_CALL: usize = 5_000;
/// Offer ids per MarkSupplierItemsGone call.
const GONE_PER_CALL: usize = 10_000;

/// What the write did.
#[derive(Debug, Default)]
pub struct Written {
    pub created: u64,
    pub updated: u64,
    /// Sent in full but persist found them equal (another writer got there first).
    pub unchanged: u64,
    pub rejected: u64,
    pub gone: u64,
    pub changes: Changes,
}

/// The run being written.
pub struct Target<'a> {
    pub catalog: &'a dyn Catalog,
    pub supplier_id: &'a str,
    pub run_id: &'a str,
    pub progress: &'a dyn Progress,
}

pub async fn write(
    target: &Target<'_>,
    scanned: &Scanned,
    stored: &Stored,
) -> Result<Written, ImportError> {
    let mut written = Written::default();
    if scanned.counts.to_write > 0 {
        target.progress.write_started(scanned.counts.to_write);
        upsert(target, &scanned.item_spools, &mut written).await?;
    }
    for path in &scanned.report_spools {
        send_reports(target, path).await?;
    }
    mark_gone(target, scanned, stored, &mut written).await?;
    Ok(written)
}

async fn upsert(
    target: &Target<'_>,
    spools: &[PathBuf],
    written: &mut Written,
) -> Result<(), ImportError> {
    let (tx, rx) = mpsc::channel::<api::UpsertSupplierItemsRequest>(4);
    // The feed line of every item sent, by its index in the stream.
    let lines = Arc::new(Mutex::new(Vec::<u64>::new()));
    let producer = {
        let spools = spools.to_vec();
        let lines = Arc::clone(&lines);
        let head = (target.supplier_id.to_owned(), target.run_id.to_owned());
        tokio::task::spawn_blocking(move || produce(&spools, &tx, &lines, head))
    };
    let mut answers = target.catalog.upsert(rx).await?;
    let mut rejected = Vec::new();
    let mut answered = 0u64;
    while let Some(answer) = answers.next().await {
        let answer = answer?;
        for result in answer.results {
            answered += 1;
            let id = Uuid::parse_str(&result.id).ok();
            match api::ItemOutcome::try_from(result.outcome) {
                Ok(api::ItemOutcome::Created) => {
                    written.created += 1;
                    written.changes.created.extend(id);
                }
                Ok(api::ItemOutcome::Updated) => {
                    written.updated += 1;
                    written.changes.updated.extend(id);
                }
                Ok(api::ItemOutcome::Unchanged) => written.unchanged += 1,
                _ => {
                    written.rejected += 1;
                    let line = lines
                        .lock()
                        .ok()
                        .and_then(|lines| lines.get(result.index as usize).copied());
                    let reason = if result.field.is_empty() {
                        result.reason
                    } else {
                        format!("{}: {}", result.field, result.reason)
                    };
                    rejected.push(cat::ImportItemReport {
                        import_run_id: target.run_id.to_owned(),
                        line: line.and_then(|l| i64::try_from(l).ok()),
                        offer_id: Some(result.key),
                        outcome: cat::ItemOutcome::Rejected as i32,
                        reason: Some(reason),
                        ..Default::default()
                    });
                }
            }
        }
        target.progress.written(answered);
    }
    producer
        .await
        .map_err(|err| ImportError::Spool(format!("the upsert producer failed: {err}")))??;
    for chunk in rejected.chunks(REPORTS_PER_CALL) {
        target
            .catalog
            .add_reports(target.run_id, chunk.to_vec())
            .await?;
    }
    Ok(())
}

/// Reads the item spools into upsert messages (blocking thread).
fn produce(
    spools: &[PathBuf],
    tx: &mpsc::Sender<api::UpsertSupplierItemsRequest>,
    lines: &Mutex<Vec<u64>>,
    head: (String, String),
) -> Result<(), ImportError> {
    let mut message = api::UpsertSupplierItemsRequest {
        supplier_id: head.0,
        import_run_id: head.1,
        ..Default::default()
    };
    let mut bytes = 0usize;
    // The lines of the chunk being built, published before the chunk is sent (its answers may
    // come back at once): one lock per chunk, not per item.
    let mut chunk_lines = Vec::with_capacity(ITEMS_PER_CHUNK);
    let send = |message: &mut api::UpsertSupplierItemsRequest, chunk_lines: &mut Vec<u64>| {
        if let Ok(mut lines) = lines.lock() {
            lines.append(chunk_lines);
        }
        let full = std::mem::take(message);
        // The receiver is gone only when the upsert stream failed; its error is reported there.
        tx.blocking_send(full).is_ok()
    };
    for path in spools {
        let mut reader = SpoolReader::<SpooledItem>::open(path)?;
        while let Some(record) = reader.next_record()? {
            let Some(item) = record.item else { continue };
            bytes += prost::Message::encoded_len(&item);
            message.items.push(item);
            chunk_lines.push(record.line);
            if message.items.len() == ITEMS_PER_CHUNK || bytes >= BYTES_PER_CHUNK {
                if !send(&mut message, &mut chunk_lines) {
                    return Ok(());
                }
                bytes = 0;
            }
        }
    }
    if !message.items.is_empty() {
        send(&mut message, &mut chunk_lines);
    }
    Ok(())
}

async fn send_reports(target: &Target<'_>, path: &Path) -> Result<(), ImportError> {
    let mut reader = SpoolReader::<cat::ImportItemReport>::open(path)?;
    let mut chunk = Vec::with_capacity(REPORTS_PER_CALL);
    loop {
        // Spool reads are small buffered reads of a local file: fine on the async thread.
        let record = reader.next_record()?;
        let end = record.is_none();
        if let Some(mut report) = record {
            report.import_run_id = target.run_id.to_owned();
            chunk.push(report);
        }
        if chunk.len() == REPORTS_PER_CALL || (end && !chunk.is_empty()) {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(REPORTS_PER_CALL));
            target.catalog.add_reports(target.run_id, full).await?;
        }
        if end {
            return Ok(());
        }
    }
}

async fn mark_gone(
    target: &Target<'_>,
    scanned: &Scanned,
    stored: &Stored,
    written: &mut Written,
) -> Result<(), ImportError> {
    let gone: Vec<String> = stored.gone(&scanned.seen).map(str::to_owned).collect();
    if gone.is_empty() {
        return Ok(());
    }
    target.progress.gone_started(gone.len() as u64);
    for chunk in gone.chunks(GONE_PER_CALL) {
        let results = target
            .catalog
            .mark_gone(target.supplier_id, target.run_id, chunk.to_vec())
            .await?;
        for result in results {
            if api::ItemOutcome::try_from(result.outcome) == Ok(api::ItemOutcome::Updated) {
                written.gone += 1;
                written
                    .changes
                    .gone
                    .extend(Uuid::parse_str(&result.id).ok());
            }
        }
    }
    Ok(())
}
