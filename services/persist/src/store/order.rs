//! The store API of orders (with their lines and status history) and customers.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::order::{Customer, Order, StatusAuthor};
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Orders and customers.
#[async_trait]
pub trait OrderStore {
    /// Creates an order with its lines and the first history entry (its status, now, `author`).
    /// Lines numbered 0 are numbered 1..n; the channel, customer and line products must exist.
    async fn create_order(&self, value: Order, author: StatusAuthor) -> StoreResult<Record<Order>>;
    /// By id, or by `ScopedKey(channel_id, external_id)`.
    async fn get_order(&self, lookup: &Lookup) -> StoreResult<Record<Order>>;
    /// Replaces an order and its whole set of lines; appends a history entry (by `author`) when the
    /// status differs from the stored one. `value.history` is ignored.
    async fn update_order(
        &self,
        target: Target,
        value: Order,
        author: StatusAuthor,
    ) -> StoreResult<Record<Order>>;
    /// Deletes an order with its lines and history; interactions that mention it lose the
    /// reference (and get a new change_seq).
    async fn delete_order(&self, target: Target) -> StoreResult<i64>;
    /// Filters: channel_id, customer_id, status, text (external id).
    async fn list_orders(&self, filter: &ListFilter) -> StoreResult<Page<Order>>;

    async fn create_customer(&self, value: Customer) -> StoreResult<Record<Customer>>;
    /// By id, or by `Key` = an e-mail or a phone (normalized like stored ones, matched exactly).
    async fn get_customer(&self, lookup: &Lookup) -> StoreResult<Record<Customer>>;
    async fn update_customer(
        &self,
        target: Target,
        value: Customer,
    ) -> StoreResult<Record<Customer>>;
    /// Fails with FAILED_PRECONDITION while the customer has orders; its interactions are deleted
    /// with it (each leaving a tombstone).
    async fn delete_customer(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (name, email, phone).
    async fn list_customers(&self, filter: &ListFilter) -> StoreResult<Page<Customer>>;
}
