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

    /// One keyset page of one supplier's offer fingerprints: the offers with an offer id after
    /// `after` (from the start when `None`), in ascending offer-id order, at most `limit`, only
    /// available ones when `only_available`. `content_hash` is the stored hash, the one
    /// [`SupplierStore::upsert_supplier_items`] compares with. Reads only. An unknown supplier is
    /// INVALID_ARGUMENT naming `supplier_id` (checked when a page comes back empty: a row proves
    /// the supplier exists).
    async fn list_supplier_item_hashes(
        &self,
        supplier_id: Uuid,
        only_available: bool,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<OfferState>>;

    /// One keyset page of one supplier's items in full, like
    /// [`SupplierStore::list_supplier_item_hashes`] (offer-id order, after `after`, at most
    /// `limit`). Reads only; an unknown supplier is INVALID_ARGUMENT naming `supplier_id`.
    async fn list_supplier_items_by_offer_id(
        &self,
        supplier_id: Uuid,
        only_available: bool,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Record<SupplierItem>>>;

    /// Marks offers missing from a feed as gone, in one transaction, answering per offer id in
    /// input order: `Updated` — it was available and now is not (content hash recomputed as an
    /// upsert of it with `available = false` would store it, new change_seq,
    /// `last_import_run_id = import_run_id`, a GONE report for the run); `Updated` with the stored
    /// sequence and nothing written — the same run marked it already (a retried call);
    /// `Unchanged` — already unavailable, nothing written; `Rejected` naming `offer_ids[i]` — no
    /// such offer ("unknown offer"), an invalid offer id, or a repeat of an earlier id in the
    /// request. At most [`MAX_GONE_PER_CALL`] ids. The supplier and the run must exist and the run
    /// must belong to the supplier (INVALID_ARGUMENT naming `supplier_id` / `import_run_id`).
    async fn mark_supplier_items_gone(
        &self,
        supplier_id: Uuid,
        import_run_id: Uuid,
        offer_ids: Vec<String>,
    ) -> StoreResult<Vec<UpsertOutcome>>;
}

/// Most offer ids one [`SupplierStore::mark_supplier_items_gone`] call takes.
pub const MAX_GONE_PER_CALL: usize = 10_000;

/// What [`SupplierStore::list_supplier_item_hashes`] says about one offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferState {
    /// The supplier's offer id.
    pub offer_id: String,
    /// The stored content hash (32 lower-case hex characters).
    pub content_hash: String,
    /// Whether the offer is available.
    pub available: bool,
}
