//! [`Importer`]: runs imports, one at a time per supplier, each as a recorded import run.

use std::sync::Arc;
use std::time::Instant;

use carpetti_persist::grpc::convert::struct_to_json;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::provider::v1 as pb;
use carpetti_queue::Bus;
use futures::StreamExt;

use super::bucket::Buckets;
use super::catalog::Catalog;
use super::events;
use super::interrupted::{self, timestamp};
use super::known::StoredSpool;
use super::merge;
use super::remember;
use super::request::{ImportRequest, ImporterOptions};
use super::scan::{self, ScanInput};
use super::turns::Turns;
use super::write::{self, Target, Written};
use super::{ImportError, Progress};
use crate::format::Format;
use crate::settings::SupplierSettings;
use crate::source::{FeedSource, Fetched, Fetcher, Validators};

/// Runs imports against a [`Catalog`], announcing changes on a bus when one is given.
pub struct Importer {
    catalog: Arc<dyn Catalog>,
    fetcher: Arc<Fetcher>,
    bus: Option<Arc<dyn Bus>>,
    options: ImporterOptions,
    turns: Turns,
}

impl Importer {
    pub fn new(
        catalog: Arc<dyn Catalog>,
        fetcher: Arc<Fetcher>,
        bus: Option<Arc<dyn Bus>>,
        options: ImporterOptions,
    ) -> Self {
        Self {
            catalog,
            fetcher,
            bus,
            options,
            turns: Turns::default(),
        }
    }

    pub fn catalog(&self) -> &Arc<dyn Catalog> {
        &self.catalog
    }

    pub fn options(&self) -> &ImporterOptions {
        &self.options
    }

    /// Suppliers with an import running or waiting in this process.
    pub fn busy_suppliers(&self) -> usize {
        self.turns.len()
    }

    /// Closes every supplier's runs left RUNNING by a provider that stopped during them (no
    /// write for [`ImporterOptions::stale_after`]) as failed; answers how many. The server does
    /// this when it starts and then periodically; an import does it for its supplier.
    pub async fn close_interrupted(&self) -> Result<u64, ImportError> {
        interrupted::sweep(self.catalog.as_ref(), None, self.options.stale_after).await
    }

    /// Runs one import and answers with its report. Imports of one supplier run one after the
    /// other (a second request waits for the first).
    pub async fn import(
        &self,
        request: ImportRequest,
        progress: Arc<dyn Progress>,
    ) -> Result<pb::ImportReport, ImportError> {
        let _turn = self.turns.take(&request.supplier_code).await;
        let started = Instant::now();
        let supplier = self.catalog.supplier(&request.supplier_code).await?;
        let settings = parse_settings(&supplier)?;
        let format = match request.format {
            Some(format) => format,
            None => Format::from_proto(supplier.feed_format).ok_or_else(|| {
                ImportError::BadSupplier {
                    code: supplier.code.clone(),
                    reason: "has no feed format".into(),
                }
            })?,
        };
        let source_name = match (&request.upload, &request.source, &supplier.feed_url) {
            (Some(upload), _, _) => upload.name.clone(),
            (None, Some(source), _) | (None, None, Some(source)) => source.clone(),
            (None, None, None) => {
                return Err(ImportError::BadSupplier {
                    code: supplier.code.clone(),
                    reason: "has no feed_url; give a source or upload a file".into(),
                });
            }
        };
        let supplier_id = meta_id(supplier.meta.as_ref());
        // This process runs no import of the supplier now (we hold its turn): a stale RUNNING run
        // of it was left by a provider that stopped.
        let sweep = interrupted::sweep(
            self.catalog.as_ref(),
            Some(&supplier_id),
            self.options.stale_after,
        );
        if let Err(err) = sweep.await {
            tracing::warn!(supplier = %supplier.code, %err, "could not close interrupted import runs");
        }
        let work = tempfile::Builder::new()
            .prefix("carpetti-import-")
            .tempdir_in(&self.options.work_dir)
            .map_err(|err| ImportError::Spool(format!("work directory: {err}")))?;
        let run = self
            .catalog
            .create_run(cat::ImportRun {
                supplier_id: supplier_id.clone(),
                source: redact(&source_name),
                status: cat::ImportRunStatus::Running as i32,
                started_at: Some(now()),
                ..Default::default()
            })
            .await?;
        let run_id = meta_id(run.meta.as_ref());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let beating = interrupted::heartbeat(
            self.catalog.as_ref(),
            run.clone(),
            self.options.heartbeat,
            stopped,
        );
        let attempt = async {
            let attempt = self
                .attempt(
                    &request,
                    &supplier,
                    &settings,
                    format,
                    work.path(),
                    &run_id,
                    &progress,
                )
                .await;
            let _ = stop.send(true);
            attempt
        };
        let (attempt, ()) = tokio::join!(attempt, beating);
        let mut noted = 0;
        let not_modified = matches!(attempt, Ok(Attempt::NotModified));
        let finished = match attempt {
            Ok(Attempt::NotModified) => finish(run, Outcome::NotModified),
            Ok(Attempt::Done {
                counts,
                mut written,
            }) => {
                noted = counts.noted;
                let totals = totals(&counts, &written);
                self.announce(&supplier, &run_id, &mut written, totals)
                    .await;
                finish(run, Outcome::Done(totals))
            }
            Err(err) if err.is_feed_failure() => finish(run, Outcome::Failed(err.to_string())),
            Err(err) => {
                // Persist or the spool failed mid-way: what was written stays (each chunk is a
                // transaction) and a re-run converges; the run records why it stopped.
                let failed = finish(run, Outcome::Failed(err.to_string()));
                let _ = self.catalog.update_run(failed).await;
                return Err(err);
            }
        };
        let run = self.catalog.update_run(finished).await?;
        let rejected = if run.rejected > 0 {
            self.catalog
                .rejected(&run_id, self.options.report_rejected)
                .await?
        } else {
            Vec::new()
        };
        Ok(pb::ImportReport {
            noted,
            not_modified,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            rejected,
            run: Some(run),
        })
    }

    /// The report of a stored run.
    pub async fn report(
        &self,
        run_id: &str,
        max_rejected: u32,
    ) -> Result<pb::ImportReport, ImportError> {
        let run = self.catalog.get_run(run_id).await?;
        let rejected = self
            .catalog
            .rejected(run_id, max_rejected.min(10_000))
            .await?;
        let duration_ms = match (&run.started_at, &run.finished_at) {
            (Some(start), Some(end)) => {
                let millis = (end.seconds - start.seconds) * 1000
                    + i64::from(end.nanos - start.nanos) / 1_000_000;
                u64::try_from(millis).unwrap_or(0)
            }
            _ => 0,
        };
        Ok(pb::ImportReport {
            run: Some(run),
            rejected,
            not_modified: false,
            duration_ms,
            noted: 0,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        request: &ImportRequest,
        supplier: &cat::Supplier,
        settings: &SupplierSettings,
        format: Format,
        work: &std::path::Path,
        run_id: &str,
        progress: &Arc<dyn Progress>,
    ) -> Result<Attempt, ImportError> {
        // 1. The feed as a complete local file.
        let fetched;
        let (path, validators) = match &request.upload {
            Some(upload) => (upload.path.clone(), None),
            None => {
                let raw = request
                    .source
                    .as_deref()
                    .or(supplier.feed_url.as_deref())
                    .unwrap_or_default();
                let source =
                    FeedSource::parse(raw).map_err(|e| ImportError::Source(e.to_string()))?;
                let previous = if request.force || request.source.is_some() {
                    Validators::default()
                } else {
                    settings.fetched.clone().unwrap_or_default()
                };
                let report = |bytes| progress.downloaded(bytes);
                fetched = self
                    .fetcher
                    .fetch_in(&source, &previous, &settings.http, work, &report)
                    .await
                    .map_err(|e| ImportError::Source(e.to_string()))?;
                match &fetched {
                    Fetched::NotModified => return Ok(Attempt::NotModified),
                    Fetched::Feed(feed) => (feed.path().to_owned(), Some(feed.validators.clone())),
                }
            }
        };
        // 2. The scan, on blocking threads, and alongside it what persist holds now, spooled by
        //    bucket: the scan needs nothing of persist; the comparison after it needs both.
        let supplier_id = meta_id(supplier.meta.as_ref());
        let total = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        progress.scan_started(total);
        let input = ScanInput {
            path,
            format,
            settings: settings.clone(),
            supplier_id: uuid::Uuid::parse_str(&supplier_id)
                .map_err(|e| ImportError::Spool(format!("supplier id: {e}")))?,
            spool_dir: work.to_owned(),
            progress: Arc::clone(progress),
            workers: self.options.workers,
            spool: true,
        };
        let started = Instant::now();
        let scan = async {
            let scanned = tokio::task::spawn_blocking(move || scan::scan(&input)).await;
            (scanned, started.elapsed())
        };
        let stored = async {
            let stored = self.stored(&supplier_id, work).await;
            (stored, started.elapsed())
        };
        let ((scanned, scan_took), (stored, stored_took)) = tokio::join!(scan, stored);
        let scanned =
            scanned.map_err(|err| ImportError::Spool(format!("the scan failed: {err}")))??;
        let stored = stored?;
        // 3. The comparison, bucket by bucket.
        let dir = work.to_owned();
        let started = Instant::now();
        let (scanned, merged) = tokio::task::spawn_blocking(move || {
            let merged = merge::merge(&scanned, &stored, &dir, true)?;
            Ok::<_, ImportError>((scanned, merged))
        })
        .await
        .map_err(|err| ImportError::Spool(format!("the comparison failed: {err}")))??;
        let merge_took = started.elapsed();
        // 4. Write it.
        let target = Target {
            catalog: self.catalog.as_ref(),
            supplier_id: &supplier_id,
            run_id,
            progress: progress.as_ref(),
        };
        let started = Instant::now();
        let written = write::write(&target, &scanned, &merged, work).await?;
        tracing::info!(
            supplier = %supplier.code,
            scan_s = scan_took.as_secs_f64(),
            stored_s = stored_took.as_secs_f64(),
            compare_s = merge_took.as_secs_f64(),
            write_s = started.elapsed().as_secs_f64(),
            "import phases"
        );
        // 5. Remember the validators for the next conditional GET.
        if let Some(validators) = validators.filter(|v| request.source.is_none() && v.is_some()) {
            remember::save_validators(self.catalog.as_ref(), &supplier.code, &validators).await;
        }
        Ok(Attempt::Done {
            counts: merged.counts,
            written,
        })
    }

    /// Streams persist's hashes of the supplier's items into the run's `stored` buckets.
    async fn stored(
        &self,
        supplier_id: &str,
        work: &std::path::Path,
    ) -> Result<Buckets, ImportError> {
        let mut stored = StoredSpool::new(work);
        let mut chunks = self.catalog.hashes(supplier_id).await?;
        while let Some(chunk) = chunks.next().await {
            // Small buffered writes of a local file: fine on the async thread.
            stored.add(chunk?)?;
        }
        stored.finish()
    }

    async fn announce(
        &self,
        supplier: &cat::Supplier,
        run_id: &str,
        written: &mut Written,
        counts: pb::ImportCounts,
    ) {
        let Some(bus) = &self.bus else { return };
        let supplier_id = meta_id(supplier.meta.as_ref());
        let supplier_ids = (supplier_id.as_str(), supplier.code.as_str());
        let announced = events::announce(
            bus.as_ref(),
            supplier_ids,
            run_id,
            &mut written.changes,
            counts,
        );
        if let Err(err) = announced.await {
            tracing::error!(supplier = %supplier.code, run = run_id, %err, "could not announce the import's changes");
        }
    }
}

enum Attempt {
    NotModified,
    Done {
        counts: scan::ScanCounts,
        written: Written,
    },
}

enum Outcome {
    NotModified,
    Done(pb::ImportCounts),
    Failed(String),
}

fn totals(counts: &scan::ScanCounts, written: &Written) -> pb::ImportCounts {
    pb::ImportCounts {
        read: counts.read,
        created: written.created,
        updated: written.updated,
        unchanged: counts.unchanged + written.unchanged,
        rejected: counts.rejected + written.rejected,
        gone: written.gone,
    }
}

/// The run's final write: unconditional (heartbeats moved its `change_seq`; a sweep that took it
/// for dead is overruled by what really happened).
fn finish(mut run: cat::ImportRun, outcome: Outcome) -> cat::ImportRun {
    if let Some(meta) = run.meta.as_mut() {
        meta.change_seq = 0;
    }
    run.finished_at = Some(now());
    match outcome {
        Outcome::NotModified => {
            run.status = cat::ImportRunStatus::Succeeded as i32;
            run.error = Some("not modified since the last import".into());
        }
        Outcome::Done(t) => {
            run.status = cat::ImportRunStatus::Succeeded as i32;
            let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
            (run.read, run.created, run.updated) = (n(t.read), n(t.created), n(t.updated));
            (run.unchanged, run.rejected, run.gone) = (n(t.unchanged), n(t.rejected), n(t.gone));
        }
        Outcome::Failed(reason) => {
            run.status = cat::ImportRunStatus::Failed as i32;
            run.error = Some(reason);
        }
    }
    run
}

fn parse_settings(supplier: &cat::Supplier) -> Result<SupplierSettings, ImportError> {
    let json = struct_to_json(supplier.settings.clone());
    SupplierSettings::from_json(&json).map_err(|err| ImportError::BadSupplier {
        code: supplier.code.clone(),
        reason: format!("settings: {err}"),
    })
}

fn meta_id(meta: Option<&cat::EntityMeta>) -> String {
    meta.map(|m| m.id.clone()).unwrap_or_default()
}

fn now() -> prost_types::Timestamp {
    timestamp(chrono::Utc::now())
}

/// A source as the report shows it: user info of a URL removed.
fn redact(source: &str) -> String {
    match reqwest::Url::parse(source) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        _ => source.to_owned(),
    }
}
