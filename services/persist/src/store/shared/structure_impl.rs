// The `StructureStore` impl, compiled once per backend (see store/mod.rs): a thin delegation to
// `structure_category.rs`, `structure_attribute.rs` and `structure_family.rs`.

use async_trait::async_trait;
use uuid::Uuid;

use super::structure_attribute as attr;
use super::structure_category as cat;
use super::structure_family as fam;
use crate::error::StoreResult;
use crate::model::structure::{
    Attribute, AttributeGroup, AttributeOption, Category, Completeness, Family,
};
use crate::model::{ListFilter, Lookup, Page, Record, Target};
use crate::store::StructureStore;

#[async_trait]
impl StructureStore for Backend {
    async fn create_category(&self, value: Category) -> StoreResult<Record<Category>> {
        cat::create_category(self, value).await
    }
    async fn get_category(&self, lookup: &Lookup) -> StoreResult<Record<Category>> {
        cat::get_category(self, lookup).await
    }
    async fn update_category(
        &self,
        target: Target,
        value: Category,
    ) -> StoreResult<Record<Category>> {
        cat::update_category(self, target, value).await
    }
    async fn delete_category(&self, target: Target) -> StoreResult<i64> {
        cat::delete_category(self, target).await
    }
    async fn list_categories(&self, filter: &ListFilter) -> StoreResult<Page<Category>> {
        cat::list_categories(self, filter).await
    }

    async fn create_attribute_group(
        &self,
        value: AttributeGroup,
    ) -> StoreResult<Record<AttributeGroup>> {
        cat::create_attribute_group(self, value).await
    }
    async fn get_attribute_group(&self, lookup: &Lookup) -> StoreResult<Record<AttributeGroup>> {
        cat::get_attribute_group(self, lookup).await
    }
    async fn update_attribute_group(
        &self,
        target: Target,
        value: AttributeGroup,
    ) -> StoreResult<Record<AttributeGroup>> {
        cat::update_attribute_group(self, target, value).await
    }
    async fn delete_attribute_group(&self, target: Target) -> StoreResult<i64> {
        cat::delete_attribute_group(self, target).await
    }
    async fn list_attribute_groups(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<AttributeGroup>> {
        cat::list_attribute_groups(self, filter).await
    }

    async fn create_attribute(&self, value: Attribute) -> StoreResult<Record<Attribute>> {
        attr::create_attribute(self, value).await
    }
    async fn get_attribute(&self, lookup: &Lookup) -> StoreResult<Record<Attribute>> {
        attr::get_attribute(self, lookup).await
    }
    async fn update_attribute(
        &self,
        target: Target,
        value: Attribute,
    ) -> StoreResult<Record<Attribute>> {
        attr::update_attribute(self, target, value).await
    }
    async fn delete_attribute(&self, target: Target) -> StoreResult<i64> {
        attr::delete_attribute(self, target).await
    }
    async fn list_attributes(&self, filter: &ListFilter) -> StoreResult<Page<Attribute>> {
        attr::list_attributes(self, filter).await
    }

    async fn create_attribute_option(
        &self,
        value: AttributeOption,
    ) -> StoreResult<Record<AttributeOption>> {
        attr::create_attribute_option(self, value).await
    }
    async fn get_attribute_option(&self, lookup: &Lookup) -> StoreResult<Record<AttributeOption>> {
        attr::get_attribute_option(self, lookup).await
    }
    async fn update_attribute_option(
        &self,
        target: Target,
        value: AttributeOption,
    ) -> StoreResult<Record<AttributeOption>> {
        attr::update_attribute_option(self, target, value).await
    }
    async fn delete_attribute_option(&self, target: Target) -> StoreResult<i64> {
        attr::delete_attribute_option(self, target).await
    }
    async fn list_attribute_options(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<AttributeOption>> {
        attr::list_attribute_options(self, filter).await
    }

    async fn create_family(&self, value: Family) -> StoreResult<Record<Family>> {
        fam::create_family(self, value).await
    }
    async fn get_family(&self, lookup: &Lookup) -> StoreResult<Record<Family>> {
        fam::get_family(self, lookup).await
    }
    async fn update_family(&self, target: Target, value: Family) -> StoreResult<Record<Family>> {
        fam::update_family(self, target, value).await
    }
    async fn delete_family(&self, target: Target) -> StoreResult<i64> {
        fam::delete_family(self, target).await
    }
    async fn list_families(&self, filter: &ListFilter) -> StoreResult<Page<Family>> {
        fam::list_families(self, filter).await
    }

    async fn list_completeness(&self, filter: &ListFilter) -> StoreResult<Page<Completeness>> {
        fam::list_completeness(self, filter).await
    }
    async fn recompute_completeness(&self, product_ids: &[Uuid]) -> StoreResult<()> {
        fam::recompute_completeness(self, product_ids).await
    }
}
