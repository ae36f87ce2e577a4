//! The store API of process reports.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::process::ProcessReport;
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Reports of business process instances.
#[async_trait]
pub trait ProcessReportStore {
    /// `started_at: None` means now.
    async fn create_process_report(
        &self,
        value: ProcessReport,
    ) -> StoreResult<Record<ProcessReport>>;
    /// By id, or by `Key(process_key)`: the schema lets an instance have several reports, so the
    /// key names the most recently written one.
    async fn get_process_report(&self, lookup: &Lookup) -> StoreResult<Record<ProcessReport>>;
    /// `started_at: None` keeps the stored start time.
    async fn update_process_report(
        &self,
        target: Target,
        value: ProcessReport,
    ) -> StoreResult<Record<ProcessReport>>;
    /// Leaves a tombstone with business key `process_key`.
    async fn delete_process_report(&self, target: Target) -> StoreResult<i64>;
    /// Filters: status (running, completed, failed, incident), text (process key, definition key).
    async fn list_process_reports(&self, filter: &ListFilter) -> StoreResult<Page<ProcessReport>>;
}
