//! The scan: the feed file read once, start to end, as a stream of offers (one thread), each offer
//! normalized, checked and hashed as persist would (worker threads). Each worker appends the
//! encoded items to its payload file ([`super::payload`]) and a [`Claim`] per offer to the run's claim buckets; the
//! comparison with persist and the duplicate check come after, bucket by bucket
//! ([`super::merge`]), so nothing here grows with the feed.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use carpetti_proto::catalog::v1 as cat;
use carpetti_yml::{Item, Offer};
use uuid::Uuid;

use super::bucket::{BucketWriter, Buckets, Claim, bucket_of, halves, optional_halves};
use super::known::{StoredSpool, content_key, offer_key};
use super::merge::{self, report};
use super::payload::PayloadWriter;
use super::spool::SpoolWriter;
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
    /// Where the spool files go (a directory that lives as long as the run).
    pub spool_dir: PathBuf,
    pub progress: Arc<dyn Progress>,
    /// Normalizing threads besides the reading one.
    pub workers: usize,
    /// Whether to keep the items and reports (`false`: only count — a dry run).
    pub spool: bool,
}

/// Tallies of a scan and its comparison with persist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanCounts {
    pub read: u64,
    pub rejected: u64,
    pub unchanged: u64,
    pub noted: u64,
    /// New or changed items to send to the upsert.
    pub to_write: u64,
}

impl ScanCounts {
    pub(super) fn add(&mut self, other: Self) {
        self.read += other.read;
        self.rejected += other.rejected;
        self.unchanged += other.unchanged;
        self.noted += other.noted;
        self.to_write += other.to_write;
    }
}

/// The scan's result: what was read and rejected while reading, the claims by bucket, each
/// worker's payload file (by worker number) and report spool.
pub struct Scanned {
    pub counts: ScanCounts,
    pub claims: Buckets,
    pub payloads: Vec<PathBuf>,
    pub report_spools: Vec<PathBuf>,
}

enum Parsed {
    Offer {
        offer: Box<Offer>,
        key: u128,
        seq: u64,
    },
    Rejected(carpetti_yml::OfferError),
}

struct Batch {
    normalizer: Arc<Normalizer>,
    entries: Vec<Parsed>,
}

/// Reads, normalizes and checks a whole feed (duplicates included) without writing anything
/// (what `carpetti bench import` measures as "parse + normalize"). A feed that cannot be read to
/// its end is an error.
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
        spool_dir: spool.path().to_owned(),
        progress,
        workers,
        spool: false,
    };
    let scanned = scan(&input)?;
    let stored = StoredSpool::new(spool.path()).finish()?;
    let merged = merge::merge(&scanned, &stored, spool.path(), false)?;
    Ok(merged.counts)
}

/// Reads the whole feed. A feed that cannot be read to its end is an error and nothing of it is
/// kept (the spool is dropped with the run's directory).
pub fn scan(input: &ScanInput) -> Result<Scanned, ImportError> {
    let mut stream = format::open(&input.path, input.format, &input.settings)
        .map_err(|err| ImportError::Feed(err.to_string()))?;
    let workers = input.workers.max(1);
    let (tx, rx) = sync_channel::<Batch>(workers * 2);
    let rx = Mutex::new(rx);
    let claims = Mutex::new(BucketWriter::new(&input.spool_dir, "claims"));
    let (counts, payloads, report_spools) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|n| {
                let (rx, claims) = (&rx, &claims);
                scope.spawn(move || work(n, rx, claims, input))
            })
            .collect();
        let mut normalizer: Option<Arc<Normalizer>> = None;
        let mut entries = Vec::with_capacity(BATCH);
        let mut read = 0u64;
        let parsed = loop {
            let item = match stream.next_item() {
                Ok(Some(item)) => item,
                Ok(None) => break Ok(()),
                Err(err) => break Err(ImportError::Feed(err.to_string())),
            };
            entries.push(match item {
                Item::Rejected(error) => Parsed::Rejected(error),
                Item::Offer(offer) => Parsed::Offer {
                    key: offer_key(&offer.id),
                    offer: Box::new(offer),
                    seq: read,
                },
            });
            read += 1;
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
        let mut payloads = Vec::new();
        let mut report_spools = Vec::new();
        let mut failure = parsed.err();
        for handle in handles {
            match handle.join() {
                Ok(Ok(done)) => {
                    counts.add(done.counts);
                    payloads.push(done.payloads);
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
            None => Ok((counts, payloads, report_spools)),
        }
    })?;
    let claims = claims
        .into_inner()
        .map_err(|_| ImportError::Spool("the claim spool is poisoned".into()))?
        .finish()?;
    Ok(Scanned {
        counts,
        claims,
        payloads,
        report_spools,
    })
}

struct WorkerDone {
    counts: ScanCounts,
    payloads: PathBuf,
    reports: PathBuf,
}

fn work(
    n: usize,
    rx: &Mutex<Receiver<Batch>>,
    claims: &Mutex<BucketWriter>,
    input: &ScanInput,
) -> Result<WorkerDone, ImportError> {
    let mut payloads = PayloadWriter::create(input.spool_dir.join(format!("payloads-{n}")))?;
    let mut reports = SpoolWriter::create(input.spool_dir.join(format!("reports-{n}")))?;
    let mut counts = ScanCounts::default();
    let mut judged: Vec<Claim> = Vec::with_capacity(BATCH);
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
            match entry {
                Parsed::Rejected(error) => {
                    counts.rejected += 1;
                    if input.spool {
                        let rejected = cat::ItemOutcome::Rejected;
                        let (line, reason) = (error.position.line, error.reason);
                        reports.push(&report(line, error.offer_id, rejected, reason))?;
                    }
                }
                Parsed::Offer { offer, key, seq } => {
                    let stage = input.spool.then_some(&mut payloads);
                    let (claim, kept) = judge(&offer, key, seq, &batch.normalizer, stage, input)?;
                    if kept && input.spool {
                        payloads.commit(seq, claim.line)?;
                    }
                    judged.push(claim);
                }
            }
        }
        let mut claims = claims
            .lock()
            .map_err(|_| ImportError::Spool("the claim spool is poisoned".into()))?;
        for claim in judged.drain(..) {
            claims.push(bucket_of(claim.key()), &claim)?;
        }
    }
    Ok(WorkerDone {
        counts,
        payloads: payloads.finish()?,
        reports: reports.finish()?.0,
    })
}

/// Judges one offer: its claim, and whether it was kept (not rejected). A kept item is staged in
/// `payloads` (when given) for the caller to commit.
fn judge(
    offer: &Offer,
    key: u128,
    seq: u64,
    normalizer: &Normalizer,
    payloads: Option<&mut PayloadWriter>,
    input: &ScanInput,
) -> Result<(Claim, bool), ImportError> {
    let (key_lo, key_hi) = halves(key);
    let mut claim = Claim {
        key_lo,
        key_hi,
        seq,
        line: offer.position.line,
        offer_id: offer.id.clone(),
        ..Default::default()
    };
    let normalized = match normalizer.normalize(offer) {
        Ok(normalized) => normalized,
        Err(rejection) => {
            claim.rejection = Some(format!("{}: {}", rejection.field, rejection.reason));
            return Ok((claim, false));
        }
    };
    let mut item = normalized.item;
    item.offer_id.clone_from(&offer.id);
    // Encoded now, so that the item itself can go to persist's parse below without a copy.
    if let Some(payloads) = payloads {
        payloads.stage(&item)?;
    }
    // The same parse and hash persist applies: what it would refuse is refused here, with its
    // reason, and an unchanged offer is recognised without a round trip.
    let model = carpetti_persist::grpc::supplier::item_from_pb(item, Some(input.supplier_id));
    match model {
        Ok(model) => {
            let content = content_key(model.content_hash().as_str());
            (claim.content_lo, claim.content_hi) = optional_halves(content);
        }
        Err(err) => {
            claim.rejection = Some(err.to_string());
            return Ok((claim, false));
        }
    }
    if !normalized.notes.is_empty() {
        let text: Vec<String> = normalized
            .notes
            .iter()
            .map(|note| format!("{}: {}", note.field, note.message))
            .collect();
        claim.note = Some(text.join("; "));
    }
    Ok((claim, true))
}
