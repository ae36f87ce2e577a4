//! The store API of products (with their attribute values) and the bulk product upsert.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::product::{Product, ProductStatus};
use crate::model::{ListFilter, Lookup, Page, Record, Target};
use crate::store::UpsertOutcome;

/// Products of our catalog.
///
/// Writes validate the attribute values against the attributes (kind, options, unit; unknown
/// attribute or option → INVALID_ARGUMENT naming `values[i]…`), check `family_id`/`category_id`,
/// store the values with the product (an update replaces the whole set) and recompute the
/// products' completeness in the same transaction. Records come back with their values ordered
/// by attribute code and `family_code`/`category_code` in `refs`.
#[async_trait]
pub trait ProductStore {
    async fn create_product(&self, value: Product) -> StoreResult<Record<Product>>;
    /// By id, or by `Key(sku)`.
    async fn get_product(&self, lookup: &Lookup) -> StoreResult<Record<Product>>;
    async fn update_product(&self, target: Target, value: Product) -> StoreResult<Record<Product>>;
    /// Deletes the product with its values and links (cascade), leaving a tombstone with the SKU.
    async fn delete_product(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (name, sku, vendor code, barcodes), category_id, status (draft, active,
    /// archived).
    async fn list_products(&self, filter: &ListFilter) -> StoreResult<Page<Product>>;

    /// Upserts one chunk of products by SKU, as one transaction, and answers per item in input
    /// order. An item whose content hash (fields and values) equals the stored one is `Unchanged`
    /// and not written; a rejected item does not stop the others; of two items with the same SKU
    /// the later wins and the earlier is rejected.
    async fn upsert_products(&self, items: Vec<Product>) -> StoreResult<Vec<UpsertOutcome>>;

    /// One keyset page of products with their values: SKUs after `after` (from the start when
    /// `None`), in ascending SKU order, at most `limit`, only of `status` when given. Reads only.
    async fn list_products_by_sku(
        &self,
        status: Option<ProductStatus>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Record<Product>>>;
}
