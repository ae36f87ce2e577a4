//! The store API of the catalog structure: categories, attribute groups, attributes, attribute
//! options, families, and the completeness projection.

use async_trait::async_trait;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::model::structure::{
    Attribute, AttributeGroup, AttributeOption, Category, Completeness, Family,
};
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// The catalog structure.
#[async_trait]
pub trait StructureStore {
    /// Fails with INVALID_ARGUMENT on `parent_id` when the parent does not exist.
    async fn create_category(&self, value: Category) -> StoreResult<Record<Category>>;
    /// By id, or by `Key(code)`.
    async fn get_category(&self, lookup: &Lookup) -> StoreResult<Record<Category>>;
    /// Fails with INVALID_ARGUMENT on `parent_id` when the parent does not exist or would make
    /// the category its own ancestor.
    async fn update_category(
        &self,
        target: Target,
        value: Category,
    ) -> StoreResult<Record<Category>>;
    /// FAILED_PRECONDITION while it has children or products.
    async fn delete_category(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (code, name), parent_id (direct children).
    async fn list_categories(&self, filter: &ListFilter) -> StoreResult<Page<Category>>;

    async fn create_attribute_group(
        &self,
        value: AttributeGroup,
    ) -> StoreResult<Record<AttributeGroup>>;
    /// By id, or by `Key(code)`.
    async fn get_attribute_group(&self, lookup: &Lookup) -> StoreResult<Record<AttributeGroup>>;
    async fn update_attribute_group(
        &self,
        target: Target,
        value: AttributeGroup,
    ) -> StoreResult<Record<AttributeGroup>>;
    /// Its attributes become ungrouped (and get a new change seq).
    async fn delete_attribute_group(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (code, name).
    async fn list_attribute_groups(&self, filter: &ListFilter)
    -> StoreResult<Page<AttributeGroup>>;

    async fn create_attribute(&self, value: Attribute) -> StoreResult<Record<Attribute>>;
    /// By id, or by `Key(code)`.
    async fn get_attribute(&self, lookup: &Lookup) -> StoreResult<Record<Attribute>>;
    /// The kind cannot change while the attribute has options or product values.
    async fn update_attribute(
        &self,
        target: Target,
        value: Attribute,
    ) -> StoreResult<Record<Attribute>>;
    /// Deletes its options too (each with a tombstone); FAILED_PRECONDITION while a family or a
    /// product value uses it.
    async fn delete_attribute(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (code, name).
    async fn list_attributes(&self, filter: &ListFilter) -> StoreResult<Page<Attribute>>;

    /// The attribute must be of kind option.
    async fn create_attribute_option(
        &self,
        value: AttributeOption,
    ) -> StoreResult<Record<AttributeOption>>;
    /// By id, or by `ScopedKey(attribute_id, code)`.
    async fn get_attribute_option(&self, lookup: &Lookup) -> StoreResult<Record<AttributeOption>>;
    async fn update_attribute_option(
        &self,
        target: Target,
        value: AttributeOption,
    ) -> StoreResult<Record<AttributeOption>>;
    async fn delete_attribute_option(&self, target: Target) -> StoreResult<i64>;
    /// Filters: attribute_id, text (code, label).
    async fn list_attribute_options(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<AttributeOption>>;

    /// Resolves attribute and channel codes; recomputes the completeness of the family's products.
    async fn create_family(&self, value: Family) -> StoreResult<Record<Family>>;
    /// By id, or by `Key(code)`.
    async fn get_family(&self, lookup: &Lookup) -> StoreResult<Record<Family>>;
    /// Replaces members and requirements; recomputes the completeness of the family's products.
    async fn update_family(&self, target: Target, value: Family) -> StoreResult<Record<Family>>;
    /// FAILED_PRECONDITION while products use it.
    async fn delete_family(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (code, name).
    async fn list_families(&self, filter: &ListFilter) -> StoreResult<Page<Family>>;

    /// Filters: product_id, channel_id.
    async fn list_completeness(&self, filter: &ListFilter) -> StoreResult<Page<Completeness>>;
    /// Recomputes the completeness of these products in one transaction (unknown ids are
    /// ignored).
    async fn recompute_completeness(&self, product_ids: &[Uuid]) -> StoreResult<()>;
}
