//! The scan: the feed file read once, start to end, as a stream of offers (one thread), each offer
//! normalized, checked and compared with what persist holds (worker threads), and what must be
//! written spooled (see [`super::spool`]). Duplicate offer ids are caught here, in feed order:
//! the first occurrence wins, later ones are rejected with the first one's line.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use carpetti_proto::catalog::v1 as cat;
use carpetti_yml::{Item, Offer};
use uuid::Uuid;

use super::known::{Seen, Stored, content_key, offer_key};
use super::spool::{SpoolWriter, SpooledItem};
use super::{ImportError, Progress};
use crate::format::{self, Format};
use crate::normalize::Normalizer;
use crate::settings::SupplierSettings;

/// Offers handed to a worker at once.
const BATCH: usize = 1024;

/// What the scan needs.
pub struct ScanInput {
    pub path: PathBuf,
    pub format: Format,
    pub settings: SupplierSettings,
    pub supplier_id: Uuid,
    pub stored: Arc<Stored>,
    /// Where the spool files go (a directory that lives as long as the run).
    pub spool_dir: PathBuf,
    pub progress: Arc<dyn Progress>,
    /// Normalizing threads besides the reading one.
    pub workers: usize,
    /// Whether to spool what must be written (`false`: only count — a dry run).
    pub spool: bool,
}

/// Tallies of the scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanCounts {
    pub read: u64,
    pub rejected: u64,
    pub unchanged: u64,
    pub noted: u64,
    /// New or changed items spooled for the upsert.
    pub to_write: u64,
}

impl ScanCounts {
    fn add(&mut self, other: Self) {
        self.read += other.read;
        self.rejected += other.rejected;
        self.unchanged += other.unchanged;
        self.noted += other.noted;
        self.to_write += other.to_write;
    }
}

/// The scan's result: the tallies, the offer ids seen, and the spool files to write.
pub struct Scanned {
    pub counts: ScanCounts,
    pub seen: Seen,
    pub item_spools: Vec<PathBuf>,
    pub report_spools: Vec<PathBuf>,
}

enum Parsed {
    Offer { offer: Box<Offer>, key: u128 },
    Rejected(carpetti_yml::OfferError),
    Duplicate { offer: Box<Offer>, first_line: u64 },
}

struct Batch {
    normalizer: Arc<Normalizer>,
    entries: Vec<Parsed>,
}

/// Reads, normalizes and checks a whole feed without writing anything (what
/// `carpetti bench import` measures as "parse + normalize"). A feed that cannot be read to its end
/// is an error.
pub fn dry_run(
    path: PathBuf,
    format: Format,
    settings: SupplierSettings,
    workers: usize,
    progress: Arc<dyn Progress>,
) -> Result<ScanCounts, ImportError> {
    let spool = tempfile::tempdir().map_err(|err| ImportError::Spool(err.to_string()))?;
    let input = ScanInput {
        path,
        format,
        settings,
        supplier_id: Uuid::now_v7(),
        stored: Arc::new(Stored::default()),
        spool_dir: spool.path().to_owned(),
        progress,
        workers,
        spool: false,
    };
    Ok(scan(input)?.counts)
}

/// Reads the whole feed. A feed that cannot be read to its end is an error and nothing of it is
/// kept (the spool is dropped with the run's directory).
pub fn scan(input: ScanInput) -> Result<Scanned, ImportError> {
    let mut stream = format::open(&input.path, input.format, &input.settings)
        .map_err(|err| ImportError::Feed(err.to_string()))?;
    let workers = input.workers.max(1);
    let (tx, rx) = sync_channel::<Batch>(workers * 2);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|n| {
                let rx = &rx;
                let input = &input;
                scope.spawn(move || work(n, rx, input))
            })
            .collect();
        // A tenth more than persist holds: a feed that grew a little still fits.
        let mut seen = Seen::with_capacity(input.stored.len() + input.stored.len() / 10);
        let mut normalizer: Option<Arc<Normalizer>> = None;
        let mut entries = Vec::with_capacity(BATCH);
        let mut read = 0u64;
        let parsed = loop {
            let item = match stream.next_item() {
                Ok(Some(item)) => item,
                Ok(None) => break Ok(()),
                Err(err) => break Err(ImportError::Feed(err.to_string())),
            };
            read += 1;
            entries.push(match item {
                Item::Rejected(error) => Parsed::Rejected(error),
                Item::Offer(offer) => {
                    let key = offer_key(&offer.id);
                    match seen.first_time(key, offer.position.line) {
                        Ok(()) => Parsed::Offer {
                            offer: Box::new(offer),
                            key,
                        },
                        Err(first_line) => Parsed::Duplicate {
                            offer: Box::new(offer),
                            first_line,
                        },
                    }
                }
            });
            if entries.len() == BATCH {
                let normalizer = normalizer.get_or_insert_with(|| {
                    Arc::new(Normalizer::new(&input.settings, stream.shop()))
                });
                let batch = Batch {
                    normalizer: Arc::clone(normalizer),
                    entries: std::mem::replace(&mut entries, Vec::with_capacity(BATCH)),
                };
                if tx.send(batch).is_err() {
                    break Ok(()); // a worker failed; its error is reported below
                }
                input.progress.scanned(stream.bytes_read(), read);
            }
        };
        if parsed.is_ok() && !entries.is_empty() {
            let normalizer = normalizer
                .get_or_insert_with(|| Arc::new(Normalizer::new(&input.settings, stream.shop())));
            let batch = Batch {
                normalizer: Arc::clone(normalizer),
                entries,
            };
            let _ = tx.send(batch);
        }
        input.progress.scanned(stream.bytes_read(), read);
        drop(tx);
        let mut counts = ScanCounts::default();
        let mut item_spools = Vec::new();
        let mut report_spools = Vec::new();
        let mut failure = parsed.err();
        for handle in handles {
            match handle.join() {
                Ok(Ok(done)) => {
                    counts.add(done.counts);
                    item_spools.push(done.items);
                    report_spools.push(done.reports);
                }
                Ok(Err(err)) => failure = failure.or(Some(err)),
                Err(_) => {
                    failure = failure.or(Some(ImportError::Spool("a scan worker panicked".into())))
                }
            }
        }
        match failure {
            Some(err) => Err(err),
            None => Ok(Scanned {
                counts,
                seen,
                item_spools,
                report_spools,
            }),
        }
    })
}

struct WorkerDone {
    counts: ScanCounts,
    items: PathBuf,
    reports: PathBuf,
}

fn work(
    n: usize,
    rx: &Mutex<Receiver<Batch>>,
    input: &ScanInput,
) -> Result<WorkerDone, ImportError> {
    let mut items = SpoolWriter::create(input.spool_dir.join(format!("items-{n}")))?;
    let mut reports = SpoolWriter::create(input.spool_dir.join(format!("reports-{n}")))?;
    let mut counts = ScanCounts::default();
    loop {
        let batch = {
            let guard = rx
                .lock()
                .map_err(|_| ImportError::Spool("the scan queue is poisoned".into()))?;
            guard.recv()
        };
        let Ok(batch) = batch else { break };
        for entry in batch.entries {
            counts.read += 1;
            let verdict = judge(entry, &batch.normalizer, input);
            match verdict {
                Verdict::Rejected(report) => {
                    counts.rejected += 1;
                    if input.spool {
                        reports.push(&report)?;
                    }
                }
                Verdict::Kept {
                    item,
                    unchanged,
                    note,
                } => {
                    if let Some(note) = note {
                        counts.noted += 1;
                        if input.spool {
                            reports.push(&note)?;
                        }
                    }
                    if unchanged {
                        counts.unchanged += 1;
                    } else {
                        counts.to_write += 1;
                        if input.spool {
                            items.push(item.as_ref())?;
                        }
                    }
                }
            }
        }
    }
    let (items, _) = items.finish()?;
    let (reports, _) = reports.finish()?;
    Ok(WorkerDone {
        counts,
        items,
        reports,
    })
}

enum Verdict {
    Rejected(cat::ImportItemReport),
    Kept {
        item: Box<SpooledItem>,
        unchanged: bool,
        note: Option<cat::ImportItemReport>,
    },
}

fn report(
    line: u64,
    offer_id: Option<String>,
    outcome: cat::ItemOutcome,
    reason: String,
) -> cat::ImportItemReport {
    cat::ImportItemReport {
        line: i64::try_from(line).ok(),
        offer_id: offer_id.filter(|id| !id.is_empty()),
        outcome: outcome as i32,
        reason: Some(reason),
        ..Default::default()
    }
}

fn judge(entry: Parsed, normalizer: &Normalizer, input: &ScanInput) -> Verdict {
    let rejected = cat::ItemOutcome::Rejected;
    let (offer, key) = match entry {
        Parsed::Rejected(error) => {
            let reason = error.reason.clone();
            return Verdict::Rejected(report(
                error.position.line,
                error.offer_id,
                rejected,
                reason,
            ));
        }
        Parsed::Duplicate { offer, first_line } => {
            let reason = format!("duplicate offer id: first seen on line {first_line}");
            return Verdict::Rejected(report(
                offer.position.line,
                Some(offer.id),
                rejected,
                reason,
            ));
        }
        Parsed::Offer { offer, key } => (offer, key),
    };
    let line = offer.position.line;
    let normalized = match normalizer.normalize(&offer) {
        Ok(normalized) => normalized,
        Err(rejection) => {
            let reason = format!("{}: {}", rejection.field, rejection.reason);
            return Verdict::Rejected(report(line, Some(offer.id), rejected, reason));
        }
    };
    let mut item = normalized.item;
    item.offer_id.clone_from(&offer.id);
    // The same parse and hash persist applies: what it would refuse is refused here, with its
    // reason, and an unchanged offer is recognised without a round trip.
    let model =
        carpetti_persist::grpc::supplier::item_from_pb(item.clone(), Some(input.supplier_id));
    let hash = match model {
        Ok(model) => content_key(model.content_hash().as_str()),
        Err(err) => {
            return Verdict::Rejected(report(line, Some(offer.id), rejected, err.to_string()));
        }
    };
    let unchanged = hash.is_some_and(|hash| input.stored.unchanged(key, hash));
    let new = !input.stored.contains(key);
    let note = (!normalized.notes.is_empty()).then(|| {
        let outcome = if unchanged {
            cat::ItemOutcome::Unchanged
        } else if new {
            cat::ItemOutcome::Created
        } else {
            cat::ItemOutcome::Updated
        };
        let text: Vec<String> = normalized
            .notes
            .iter()
            .map(|note| format!("{}: {}", note.field, note.message))
            .collect();
        report(line, Some(offer.id.clone()), outcome, text.join("; "))
    });
    Verdict::Kept {
        item: Box::new(SpooledItem {
            line,
            item: Some(item),
            new,
        }),
        unchanged,
        note,
    }
}
