//! The store API of import runs and their item reports.

use async_trait::async_trait;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::model::import::{ImportItemReport, ImportRun};
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Import runs and their per-item reports.
#[async_trait]
pub trait ImportStore {
    /// `started_at: None` means now.
    async fn create_import_run(&self, value: ImportRun) -> StoreResult<Record<ImportRun>>;
    /// By id only.
    async fn get_import_run(&self, lookup: &Lookup) -> StoreResult<Record<ImportRun>>;
    /// Replaces the run (this is also how a run is finished: status, counters, `finished_at`,
    /// error). `started_at: None` keeps the stored start time.
    async fn update_import_run(
        &self,
        target: Target,
        value: ImportRun,
    ) -> StoreResult<Record<ImportRun>>;
    /// Deletes the run and, by cascade, its item reports (those leave no tombstones). The run has
    /// no business key of its own: the tombstone carries the supplier's code.
    async fn delete_import_run(&self, target: Target) -> StoreResult<i64>;
    /// Filters: supplier_id, status (running, succeeded, failed).
    async fn list_import_runs(&self, filter: &ListFilter) -> StoreResult<Page<ImportRun>>;

    async fn create_import_item_report(
        &self,
        value: ImportItemReport,
    ) -> StoreResult<Record<ImportItemReport>>;
    /// By id only.
    async fn get_import_item_report(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<ImportItemReport>>;
    async fn update_import_item_report(
        &self,
        target: Target,
        value: ImportItemReport,
    ) -> StoreResult<Record<ImportItemReport>>;
    /// Leaves a tombstone with business key `offer_id` (empty when the report had none).
    async fn delete_import_item_report(&self, target: Target) -> StoreResult<i64>;
    /// Filters: import_run_id, status (the outcome: created, updated, unchanged, rejected, gone).
    async fn list_import_item_reports(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<ImportItemReport>>;

    /// Inserts many reports of one run in one transaction (PostgreSQL: one statement), each with
    /// its own change sequence number, in input order; returns how many were written. Every
    /// report must belong to `run_id`; one invalid report rejects the whole call.
    async fn add_import_item_reports(
        &self,
        run_id: Uuid,
        reports: Vec<ImportItemReport>,
    ) -> StoreResult<u64>;
}
