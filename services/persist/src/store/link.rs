//! The store API of association types, product links and supplier item links.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::link::{AssociationType, ProductLink, SupplierItemLink};
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Association types and the two kinds of links.
#[async_trait]
pub trait LinkStore {
    async fn create_association_type(
        &self,
        value: AssociationType,
    ) -> StoreResult<Record<AssociationType>>;
    /// By id, or by `Key(code)`.
    async fn get_association_type(&self, lookup: &Lookup) -> StoreResult<Record<AssociationType>>;
    /// Fails with INVALID_ARGUMENT (`quantified`) when the type stops being quantified while a
    /// link of it has a quantity other than 1, and (`two_way`) when it becomes two-way while a
    /// pair of links in both directions exists.
    async fn update_association_type(
        &self,
        target: Target,
        value: AssociationType,
    ) -> StoreResult<Record<AssociationType>>;
    /// FAILED_PRECONDITION while links of the type exist.
    async fn delete_association_type(&self, target: Target) -> StoreResult<i64>;
    /// Filters: none.
    async fn list_association_types(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<AssociationType>>;

    /// Refs: `association_type_code`, `source_sku`, `target_sku`. The quantity must be 1 unless
    /// the type is quantified. For a two-way type the reverse of an existing link is a duplicate.
    async fn create_product_link(&self, value: ProductLink) -> StoreResult<Record<ProductLink>>;
    /// By id only.
    async fn get_product_link(&self, lookup: &Lookup) -> StoreResult<Record<ProductLink>>;
    async fn update_product_link(
        &self,
        target: Target,
        value: ProductLink,
    ) -> StoreResult<Record<ProductLink>>;
    async fn delete_product_link(&self, target: Target) -> StoreResult<i64>;
    /// Filters: product_id (links whose source OR target is the product, whatever the type).
    async fn list_product_links(&self, filter: &ListFilter) -> StoreResult<Page<ProductLink>>;

    /// Refs: `supplier_id`, `offer_id`, `sku`.
    async fn create_supplier_item_link(
        &self,
        value: SupplierItemLink,
    ) -> StoreResult<Record<SupplierItemLink>>;
    /// By id, or by `Key(supplier_item_id)`.
    async fn get_supplier_item_link(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<SupplierItemLink>>;
    async fn update_supplier_item_link(
        &self,
        target: Target,
        value: SupplierItemLink,
    ) -> StoreResult<Record<SupplierItemLink>>;
    async fn delete_supplier_item_link(&self, target: Target) -> StoreResult<i64>;
    /// Filters: product_id, supplier_id (the supplier of the linked item).
    async fn list_supplier_item_links(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<SupplierItemLink>>;
}
