//! The store API of suppliers and supplier items.

use async_trait::async_trait;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::model::supplier::{Supplier, SupplierItem};
use crate::model::{ListFilter, Lookup, Page, Record, Target};
use crate::store::UpsertOutcome;

/// Suppliers and their items.
#[async_trait]
pub trait SupplierStore {
    async fn create_supplier(&self, value: Supplier) -> StoreResult<Record<Supplier>>;
    async fn get_supplier(&self, lookup: &Lookup) -> StoreResult<Record<Supplier>>;
    async fn update_supplier(
        &self,
        target: Target,
        value: Supplier,
    ) -> StoreResult<Record<Supplier>>;
    async fn delete_supplier(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (code, name).
    async fn list_suppliers(&self, filter: &ListFilter) -> StoreResult<Page<Supplier>>;

    async fn create_supplier_item(&self, value: SupplierItem) -> StoreResult<Record<SupplierItem>>;
    /// By id, or by `ScopedKey(supplier_id, offer_id)`.
    async fn get_supplier_item(&self, lookup: &Lookup) -> StoreResult<Record<SupplierItem>>;
    async fn update_supplier_item(
        &self,
        target: Target,
        value: SupplierItem,
    ) -> StoreResult<Record<SupplierItem>>;
    async fn delete_supplier_item(&self, target: Target) -> StoreResult<i64>;
    /// Filters: supplier_id, text (name, offer id, vendor code, barcode), status
    /// (`available`/`unavailable`), import_run_id.
    async fn list_supplier_items(&self, filter: &ListFilter) -> StoreResult<Page<SupplierItem>>;

    /// Upserts one chunk of one supplier's items by offer id, as one transaction, and answers per
    /// item in input order. An item whose content hash equals the stored one is `Unchanged` and
    /// not written at all; a chunk of unchanged items takes no write lock. Items written get
    /// `last_import_run_id = import_run_id`. Every item must belong to `supplier_id`.
    async fn upsert_supplier_items(
        &self,
        supplier_id: Uuid,
        import_run_id: Option<Uuid>,
        items: Vec<SupplierItem>,
    ) -> StoreResult<Vec<UpsertOutcome>>;

    /// Answers fingerprints `(offer_id, content_hash)` of one supplier's offers, in input order:
    /// `Unchanged` when the stored hash is equal, else `ContentNeeded`. Reads only; takes no lock.
    async fn match_supplier_item_hashes(
        &self,
        supplier_id: Uuid,
        fingerprints: Vec<(String, String)>,
    ) -> StoreResult<Vec<UpsertOutcome>>;
}
