//! Writing a merged feed to persist: the new and changed items through the bulk upsert (chunks
//! committed one by one, each item read back from its worker's payload file, persist's answers
//! matched back to their feed lines), the item reports, and the offers the feed no longer
//! carries marked unavailable. Everything is streamed from the run's spools.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use futures::StreamExt;
use prost::Message as _;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::catalog::Catalog;
use super::events::{Change, Changes};
use super::merge::{GoneOffer, Merged};
use super::payload::{Items, ToWrite};
use super::scan::Scanned;
use super::spool::SpoolReader;
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
#[derive(Debug)]
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
    merged: &Merged,
    dir: &Path,
) -> Result<Written, ImportError> {
    let mut written = Written {
        created: 0,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        gone: 0,
        changes: Changes::create(dir.join("changes"))?,
    };
    if merged.counts.to_write > 0 {
        target.progress.write_started(merged.counts.to_write);
        upsert(target, merged, &scanned.payloads, &mut written).await?;
    }
    for path in scanned.report_spools.iter().chain([&merged.reports]) {
        send_reports(target, path).await?;
    }
    if merged.gone_count > 0 {
        target.progress.gone_started(merged.gone_count);
        mark_gone(target, &merged.gone, &mut written).await?;
    }
    Ok(written)
}

/// The feed lines of the chunks sent and not yet answered, by the stream index of their first
/// item: enough to place persist's rejections, never more than the chunks in flight.
#[derive(Default)]
struct Lines {
    chunks: VecDeque<(u64, Vec<u64>)>,
}

impl Lines {
    fn line(&self, index: u64) -> Option<u64> {
        self.chunks.iter().find_map(|(first, lines)| {
            let at = usize::try_from(index.checked_sub(*first)?).ok()?;
            lines.get(at).copied()
        })
    }

    /// Forgets the chunks whose items all come before `index`.
    fn answered_before(&mut self, index: u64) {
        while self
            .chunks
            .front()
            .is_some_and(|(first, lines)| first + lines.len() as u64 <= index)
        {
            self.chunks.pop_front();
        }
    }
}

async fn upsert(
    target: &Target<'_>,
    merged: &Merged,
    payloads: &[PathBuf],
    written: &mut Written,
) -> Result<(), ImportError> {
    let (tx, rx) = mpsc::channel::<api::UpsertSupplierItemsRequest>(4);
    let lines = Arc::new(Mutex::new(Lines::default()));
    let producer = {
        let (to_write, payloads) = (Arc::clone(&merged.to_write), payloads.to_vec());
        let lines = Arc::clone(&lines);
        let head = (target.supplier_id.to_owned(), target.run_id.to_owned());
        tokio::task::spawn_blocking(move || produce(&payloads, &to_write, &tx, &lines, head))
    };
    let mut answers = target.catalog.upsert(rx).await?;
    let mut rejected = Vec::new();
    let mut answered = 0u64;
    while let Some(answer) = answers.next().await {
        let answer = answer?;
        let mut last = None;
        for result in answer.results {
            answered += 1;
            last = Some(result.index);
            let id = Uuid::parse_str(&result.id).ok();
            match api::ItemOutcome::try_from(result.outcome) {
                Ok(api::ItemOutcome::Created) => {
                    written.created += 1;
                    if let Some(id) = id {
                        written.changes.push(Change::Created, id)?;
                    }
                }
                Ok(api::ItemOutcome::Updated) => {
                    written.updated += 1;
                    if let Some(id) = id {
                        written.changes.push(Change::Updated, id)?;
                    }
                }
                Ok(api::ItemOutcome::Unchanged) => written.unchanged += 1,
                _ => {
                    written.rejected += 1;
                    let line = lines.lock().ok().and_then(|lines| lines.line(result.index));
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
        if let (Some(last), Ok(mut lines)) = (last, lines.lock()) {
            lines.answered_before(last + 1);
        }
        if rejected.len() >= REPORTS_PER_CALL {
            let full = std::mem::take(&mut rejected);
            target.catalog.add_reports(target.run_id, full).await?;
        }
        target.progress.written(answered);
    }
    producer
        .await
        .map_err(|err| ImportError::Spool(format!("the upsert producer failed: {err}")))??;
    if !rejected.is_empty() {
        target.catalog.add_reports(target.run_id, rejected).await?;
    }
    Ok(())
}

/// Reads the items to write into upsert messages, in feed order (blocking thread).
fn produce(
    payloads: &[PathBuf],
    to_write: &ToWrite,
    tx: &mpsc::Sender<api::UpsertSupplierItemsRequest>,
    lines: &Mutex<Lines>,
    head: (String, String),
) -> Result<(), ImportError> {
    let mut message = api::UpsertSupplierItemsRequest {
        supplier_id: head.0,
        import_run_id: head.1,
        ..Default::default()
    };
    let mut bytes = 0usize;
    let mut sent = 0u64;
    let mut chunk_lines = Vec::with_capacity(ITEMS_PER_CHUNK);
    // The chunk's lines are published before it is sent (its answers may come back at once).
    let mut send = |message: &mut api::UpsertSupplierItemsRequest, chunk_lines: &mut Vec<u64>| {
        let count = chunk_lines.len() as u64;
        if let Ok(mut lines) = lines.lock() {
            let chunk = std::mem::replace(chunk_lines, Vec::with_capacity(ITEMS_PER_CHUNK));
            lines.chunks.push_back((sent, chunk));
        }
        sent += count;
        let full = std::mem::take(message);
        // The receiver is gone only when the upsert stream failed; its error is reported there.
        tx.blocking_send(full).is_ok()
    };
    let mut items = Items::open(payloads, to_write)?;
    while let Some((line, item)) = items.next_item()? {
        bytes += item.encoded_len();
        message.items.push(item);
        chunk_lines.push(line);
        if message.items.len() == ITEMS_PER_CHUNK || bytes >= BYTES_PER_CHUNK {
            if !send(&mut message, &mut chunk_lines) {
                return Ok(());
            }
            bytes = 0;
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
    gone: &Path,
    written: &mut Written,
) -> Result<(), ImportError> {
    let mut reader = SpoolReader::<GoneOffer>::open(gone)?;
    let mut chunk = Vec::with_capacity(GONE_PER_CALL);
    loop {
        let record = reader.next_record()?;
        let end = record.is_none();
        chunk.extend(record.map(|gone| gone.offer_id));
        if chunk.len() == GONE_PER_CALL || (end && !chunk.is_empty()) {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(GONE_PER_CALL));
            let results = target
                .catalog
                .mark_gone(target.supplier_id, target.run_id, full)
                .await?;
            for result in results {
                if api::ItemOutcome::try_from(result.outcome) == Ok(api::ItemOutcome::Updated) {
                    written.gone += 1;
                    if let Ok(id) = Uuid::parse_str(&result.id) {
                        written.changes.push(Change::Gone, id)?;
                    }
                }
            }
        }
        if end {
            return Ok(());
        }
    }
}
