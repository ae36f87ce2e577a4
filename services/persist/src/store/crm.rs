//! The store API of CRM interactions.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::crm::Interaction;
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Interactions with customers.
#[async_trait]
pub trait CrmStore {
    /// The customer must exist; the order and the user, when given, too.
    async fn create_interaction(&self, value: Interaction) -> StoreResult<Record<Interaction>>;
    /// By id only.
    async fn get_interaction(&self, lookup: &Lookup) -> StoreResult<Record<Interaction>>;
    async fn update_interaction(
        &self,
        target: Target,
        value: Interaction,
    ) -> StoreResult<Record<Interaction>>;
    async fn delete_interaction(&self, target: Target) -> StoreResult<i64>;
    /// Filters: customer_id, order_id. Ordered by change_seq like every list (`occurred_at` is
    /// the business time; sort by it for a timeline).
    async fn list_interactions(&self, filter: &ListFilter) -> StoreResult<Page<Interaction>>;
}
