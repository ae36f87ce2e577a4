//! The store API of file metadata.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::file::FileMeta;
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Metadata of stored files.
#[async_trait]
pub trait FileStore {
    async fn create_file_meta(&self, value: FileMeta) -> StoreResult<Record<FileMeta>>;
    /// By id, or by `Key(storage_key)`.
    async fn get_file_meta(&self, lookup: &Lookup) -> StoreResult<Record<FileMeta>>;
    async fn update_file_meta(
        &self,
        target: Target,
        value: FileMeta,
    ) -> StoreResult<Record<FileMeta>>;
    /// Leaves a tombstone with business key `storage_key`.
    async fn delete_file_meta(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (storage key, name).
    async fn list_file_metas(&self, filter: &ListFilter) -> StoreResult<Page<FileMeta>>;
}
