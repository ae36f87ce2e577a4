//! The change sequence: what every consumer asks "what changed since N" with.

use async_trait::async_trait;
use uuid::Uuid;

use crate::error::StoreResult;

/// The change sequence itself.
#[async_trait]
pub trait ChangeStore {
    /// The highest change sequence number handed out so far.
    async fn current_seq(&self) -> StoreResult<i64>;
    /// Tombstones of deletions after `since`, oldest first, and the sequence to ask from next.
    async fn list_tombstones(
        &self,
        since: i64,
        limit: u32,
        entity: Option<&str>,
    ) -> StoreResult<Vec<Tombstone>>;
    /// Deletes the tombstones of deletions before `before`; returns how many. Records the highest
    /// pruned sequence number (see [`ChangeStore::pruned_through`]).
    async fn prune_tombstones(&self, before: chrono::DateTime<chrono::Utc>) -> StoreResult<u64>;
    /// The highest sequence number whose tombstone may have been pruned (0: none ever). A
    /// consumer whose last seen sequence is below it has missed deletions and must resynchronize.
    async fn pruned_through(&self) -> StoreResult<i64>;
}

/// A deleted entity, as `ChangeService.ListChanges` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub seq: i64,
    pub entity: String,
    pub entity_id: Uuid,
    pub business_key: String,
    pub deleted_at: chrono::DateTime<chrono::Utc>,
}
