//! `carpetti.persist.v1.StructureService`: categories, attribute groups, attributes, attribute
//! options, families and the completeness list. Proto <-> domain conversions live in
//! `structure/convert.rs`.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::structure_service_server::StructureService;
use tonic::{Request, Response, Status};

use super::convert;
use crate::store::DynStore;

mod pbconv;
pub use pbconv::*;

/// The service over a store.
#[derive(Clone)]
pub struct Structure {
    store: DynStore,
}

impl Structure {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

#[tonic::async_trait]
impl StructureService for Structure {
    async fn create_category(
        &self,
        request: Request<pb::Category>,
    ) -> Result<Response<pb::Category>, Status> {
        let value = category_from_pb(request.into_inner())?;
        Ok(Response::new(category_to_pb(
            self.store.create_category(value).await?,
        )))
    }

    async fn get_category(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Category>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(category_to_pb(
            self.store.get_category(&lookup).await?,
        )))
    }

    async fn update_category(
        &self,
        request: Request<pb::Category>,
    ) -> Result<Response<pb::Category>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = category_from_pb(p)?;
        Ok(Response::new(category_to_pb(
            self.store.update_category(target, value).await?,
        )))
    }

    async fn delete_category(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_category(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_categories(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListCategoriesResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_categories(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListCategoriesResponse {
            items: page.items.into_iter().map(category_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_attribute_group(
        &self,
        request: Request<pb::AttributeGroup>,
    ) -> Result<Response<pb::AttributeGroup>, Status> {
        let value = group_from_pb(request.into_inner())?;
        Ok(Response::new(group_to_pb(
            self.store.create_attribute_group(value).await?,
        )))
    }

    async fn get_attribute_group(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::AttributeGroup>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(group_to_pb(
            self.store.get_attribute_group(&lookup).await?,
        )))
    }

    async fn update_attribute_group(
        &self,
        request: Request<pb::AttributeGroup>,
    ) -> Result<Response<pb::AttributeGroup>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = group_from_pb(p)?;
        Ok(Response::new(group_to_pb(
            self.store.update_attribute_group(target, value).await?,
        )))
    }

    async fn delete_attribute_group(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_attribute_group(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_attribute_groups(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListAttributeGroupsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_attribute_groups(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListAttributeGroupsResponse {
            items: page.items.into_iter().map(group_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_attribute(
        &self,
        request: Request<pb::Attribute>,
    ) -> Result<Response<pb::Attribute>, Status> {
        let value = attribute_from_pb(request.into_inner())?;
        Ok(Response::new(attribute_to_pb(
            self.store.create_attribute(value).await?,
        )))
    }

    async fn get_attribute(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Attribute>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(attribute_to_pb(
            self.store.get_attribute(&lookup).await?,
        )))
    }

    async fn update_attribute(
        &self,
        request: Request<pb::Attribute>,
    ) -> Result<Response<pb::Attribute>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = attribute_from_pb(p)?;
        Ok(Response::new(attribute_to_pb(
            self.store.update_attribute(target, value).await?,
        )))
    }

    async fn delete_attribute(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_attribute(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_attributes(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListAttributesResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_attributes(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListAttributesResponse {
            items: page.items.into_iter().map(attribute_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_attribute_option(
        &self,
        request: Request<pb::AttributeOption>,
    ) -> Result<Response<pb::AttributeOption>, Status> {
        let value = option_from_pb(request.into_inner())?;
        Ok(Response::new(option_to_pb(
            self.store.create_attribute_option(value).await?,
        )))
    }

    async fn get_attribute_option(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::AttributeOption>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(option_to_pb(
            self.store.get_attribute_option(&lookup).await?,
        )))
    }

    async fn update_attribute_option(
        &self,
        request: Request<pb::AttributeOption>,
    ) -> Result<Response<pb::AttributeOption>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = option_from_pb(p)?;
        Ok(Response::new(option_to_pb(
            self.store.update_attribute_option(target, value).await?,
        )))
    }

    async fn delete_attribute_option(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_attribute_option(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_attribute_options(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListAttributeOptionsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_attribute_options(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListAttributeOptionsResponse {
            items: page.items.into_iter().map(option_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_family(
        &self,
        request: Request<pb::Family>,
    ) -> Result<Response<pb::Family>, Status> {
        let value = family_from_pb(request.into_inner())?;
        Ok(Response::new(family_to_pb(
            self.store.create_family(value).await?,
        )))
    }

    async fn get_family(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Family>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(family_to_pb(
            self.store.get_family(&lookup).await?,
        )))
    }

    async fn update_family(
        &self,
        request: Request<pb::Family>,
    ) -> Result<Response<pb::Family>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = family_from_pb(p)?;
        Ok(Response::new(family_to_pb(
            self.store.update_family(target, value).await?,
        )))
    }

    async fn delete_family(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_family(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_families(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListFamiliesResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_families(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListFamiliesResponse {
            items: page.items.into_iter().map(family_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn list_completeness(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListCompletenessResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_completeness(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListCompletenessResponse {
            items: page.items.into_iter().map(completeness_to_pb).collect(),
            next_cursor,
        }))
    }
}
