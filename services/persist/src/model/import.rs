//! Supplier import runs and their per-item reports.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::text_enum;
use crate::StoreError;

text_enum!(
    /// Status of an import run.
    ImportRunStatus {
        /// In progress.
        Running => "running",
        /// Finished (possibly with rejected items).
        Succeeded => "succeeded",
        /// Aborted; the previous catalog is left as it was.
        Failed => "failed",
    }
);

text_enum!(
    /// What happened to one item of an import.
    ItemOutcome {
        /// A new supplier item was created.
        Created => "created",
        /// An existing supplier item was changed.
        Updated => "updated",
        /// The supplier item was already up to date.
        Unchanged => "unchanged",
        /// The item was invalid and skipped.
        Rejected => "rejected",
        /// The supplier item was no longer in the feed.
        Gone => "gone",
    }
);

/// The counters of an import run, each ≥ 0. `gone` is counted apart from what was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounters {
    pub read: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub gone: i64,
}

impl ImportCounters {
    /// The counters by proto field name.
    pub fn named(&self) -> [(&'static str, i64); 6] {
        [
            ("read", self.read),
            ("created", self.created),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
            ("rejected", self.rejected),
            ("gone", self.gone),
        ]
    }
}

/// One import of a supplier's feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRun {
    pub supplier_id: Uuid,
    /// Where the feed came from (URL, file name, "upload").
    pub source: String,
    pub status: ImportRunStatus,
    /// When the run started. `None` on input: the write time on create, the stored value on
    /// update. Always set on records read back.
    pub started_at: Option<DateTime<Utc>>,
    /// When the run finished; required once it succeeded or failed, never before `started_at`.
    pub finished_at: Option<DateTime<Utc>>,
    pub counters: ImportCounters,
    /// Why the run failed.
    pub error: Option<String>,
}

impl ImportRun {
    /// Checks the rules the types do not carry (with `started_at` already resolved); errors name
    /// the proto field.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.source.trim().is_empty() {
            return Err(StoreError::invalid("source", "must not be empty"));
        }
        if let Some((name, value)) = self.counters.named().into_iter().find(|(_, v)| *v < 0) {
            return Err(StoreError::invalid(
                name,
                format!("must not be negative, got {value}"),
            ));
        }
        match (self.started_at, self.finished_at) {
            (Some(started), Some(finished)) if finished < started => {
                return Err(StoreError::invalid(
                    "finished_at",
                    format!("{finished} is before started_at {started}"),
                ));
            }
            (_, None) if self.status != ImportRunStatus::Running => {
                return Err(StoreError::invalid(
                    "finished_at",
                    format!("is required for a {} run", self.status.as_str()),
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

/// The report of one item of an import run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportItemReport {
    pub import_run_id: Uuid,
    /// Line (or record number) in the feed, ≥ 1, when known.
    pub line: Option<i64>,
    /// The item's offer id as the feed had it (possibly invalid, hence plain text).
    pub offer_id: Option<String>,
    pub outcome: ItemOutcome,
    /// Why it was rejected, or other detail.
    pub reason: Option<String>,
}

impl ImportItemReport {
    /// Checks the rules the types do not carry; errors name the proto field.
    pub fn validate(&self) -> Result<(), StoreError> {
        match self.line {
            Some(line) if line < 1 => Err(StoreError::invalid(
                "line",
                format!("must be at least 1, got {line}"),
            )),
            _ => Ok(()),
        }
    }
}
