//! The comparison of a scanned feed with what persist held, one bucket of offer keys at a time:
//! the bucket's claims in feed order (the first occurrence of an offer id wins; later ones are
//! rejected with the first one's line), each kept offer compared with the stored content hash
//! (unchanged ones are only counted), and the stored offers the feed no longer carries collected
//! as gone. What must be written is marked in [`ToWrite`] (one bit per offer) or spooled: the
//! item reports, the gone offer ids. Memory holds one bucket's tables, whatever the feed size.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use carpetti_proto::catalog::v1 as cat;

use super::ImportError;
use super::bucket::{BUCKETS, Buckets, Claim};
use super::known::{Seen, StoredBucket};
use super::payload::ToWrite;
use super::scan::{ScanCounts, Scanned};
use super::spool::SpoolWriter;

/// An offer the feed no longer carries.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GoneOffer {
    #[prost(string, tag = "1")]
    pub offer_id: String,
}

/// The merge's result: the run's tallies and its spools.
pub struct Merged {
    pub counts: ScanCounts,
    /// The new and changed offers, by their place in the feed.
    pub to_write: Arc<ToWrite>,
    pub reports: PathBuf,
    pub gone: PathBuf,
    /// Stored offers available before the run and missing from the feed.
    pub gone_count: u64,
}

/// An item report of the run.
pub fn report(
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

/// Compares every bucket of `scanned` with the same bucket of `stored`; with `spool` false only
/// counts (a dry run).
pub fn merge(
    scanned: &Scanned,
    stored: &Buckets,
    dir: &Path,
    spool: bool,
) -> Result<Merged, ImportError> {
    let mut out = Out {
        counts: scanned.counts,
        to_write: ToWrite::default(),
        reports: SpoolWriter::create(dir.join("reports-merge"))?,
        gone: SpoolWriter::create(dir.join("gone"))?,
        spool,
    };
    for bucket in 0..BUCKETS {
        let table = StoredBucket::load(stored, bucket)?;
        let mut claims: Vec<Claim> = scanned.claims.read(bucket)?;
        claims.sort_unstable_by_key(|claim| claim.seq);
        let mut seen = Seen::with_capacity(claims.len());
        for claim in claims {
            out.decide(claim, &table, &mut seen)?;
        }
        for offer_id in table.gone(&seen) {
            out.gone.push(&GoneOffer {
                offer_id: offer_id.to_owned(),
            })?;
        }
    }
    let gone_count = out.gone.records();
    Ok(Merged {
        counts: out.counts,
        to_write: Arc::new(out.to_write),
        reports: out.reports.finish()?.0,
        gone: out.gone.finish()?.0,
        gone_count,
    })
}

struct Out {
    counts: ScanCounts,
    to_write: ToWrite,
    reports: SpoolWriter,
    gone: SpoolWriter,
    spool: bool,
}

impl Out {
    fn decide(
        &mut self,
        claim: Claim,
        table: &StoredBucket,
        seen: &mut Seen,
    ) -> Result<(), ImportError> {
        let key = claim.key();
        let rejected = cat::ItemOutcome::Rejected;
        if let Err(first_line) = seen.first_time(key, claim.line) {
            let reason = format!("duplicate offer id: first seen on line {first_line}");
            return self.reject(report(claim.line, Some(claim.offer_id), rejected, reason));
        }
        if let Some(reason) = claim.rejection {
            return self.reject(report(claim.line, Some(claim.offer_id), rejected, reason));
        }
        let unchanged = table.unchanged(key, claim.content());
        if let Some(note) = claim.note {
            self.counts.noted += 1;
            let outcome = if unchanged {
                cat::ItemOutcome::Unchanged
            } else if table.contains(key) {
                cat::ItemOutcome::Updated
            } else {
                cat::ItemOutcome::Created
            };
            if self.spool {
                self.reports
                    .push(&report(claim.line, Some(claim.offer_id), outcome, note))?;
            }
        }
        if unchanged {
            self.counts.unchanged += 1;
        } else {
            self.counts.to_write += 1;
            if self.spool {
                self.to_write.insert(claim.seq);
            }
        }
        Ok(())
    }

    fn reject(&mut self, report: cat::ImportItemReport) -> Result<(), ImportError> {
        self.counts.rejected += 1;
        if self.spool {
            self.reports.push(&report)?;
        }
        Ok(())
    }
}
