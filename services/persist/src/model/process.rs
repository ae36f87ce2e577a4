//! Reports of business process (BPMN) instances, shown live in the UI.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::text_enum;
use crate::StoreError;

text_enum!(
    /// Status of a process instance.
    ProcessStatus {
        /// Running.
        Running => "running",
        /// Completed.
        Completed => "completed",
        /// Failed.
        Failed => "failed",
        /// Retries exhausted; an incident awaits an operator.
        Incident => "incident",
    }
);

/// The report of one process instance. `process_key` is the instance's business key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessReport {
    pub process_key: String,
    /// Key of the process definition ("catalog-cycle").
    pub definition_key: String,
    /// The current (or last) step (BPMN activity id).
    pub step: Option<String>,
    pub status: ProcessStatus,
    /// When the instance started. `None` on input: the write time on create, the stored value on
    /// update. Always set on records read back.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished, never before `started_at`.
    pub finished_at: Option<DateTime<Utc>>,
    /// Named counters, stored as a JSON object.
    pub counters: BTreeMap<String, i64>,
    /// Last message (progress or error text).
    pub message: Option<String>,
}

impl ProcessReport {
    /// The normalized text searched by `ListQuery.text` (process key, definition key).
    pub fn search_text(&self) -> String {
        carpetti_util::search_text([self.process_key.as_str(), self.definition_key.as_str()])
    }

    /// Checks the rules the types do not carry (with `started_at` already resolved); errors name
    /// the proto field.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.process_key.trim().is_empty() {
            return Err(StoreError::invalid("process_key", "must not be empty"));
        }
        if self.definition_key.trim().is_empty() {
            return Err(StoreError::invalid("definition_key", "must not be empty"));
        }
        if self.counters.keys().any(|name| name.trim().is_empty()) {
            return Err(StoreError::invalid(
                "counters",
                "counter names must not be empty",
            ));
        }
        if let (Some(started), Some(finished)) = (self.started_at, self.finished_at)
            && finished < started
        {
            return Err(StoreError::invalid(
                "finished_at",
                format!("{finished} is before started_at {started}"),
            ));
        }
        Ok(())
    }
}
