//! `carpetti.persist.v1.LinkService`: association types, product links (packages, variants,
//! related goods) and supplier item links.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::link_service_server::LinkService;
use carpetti_util::{Code, Quantity};
use tonic::{Request, Response, Status};

use super::convert::{self, required_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::link::{AssociationType, ProductLink, SupplierItemLink};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Links {
    store: DynStore,
}

impl Links {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

/// Parses an association type from the wire.
pub fn association_type_from_pb(p: pb::AssociationType) -> Result<AssociationType, StoreError> {
    Ok(AssociationType {
        code: Code::parse(&p.code).map_err(StoreError::parse("code"))?,
        name: required_text("name", &p.name)?,
        quantified: p.quantified,
        two_way: p.two_way,
    })
}

/// A stored association type for the wire.
pub fn association_type_to_pb(r: Record<AssociationType>) -> pb::AssociationType {
    pb::AssociationType {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        quantified: r.value.quantified,
        two_way: r.value.two_way,
    }
}

/// Parses a product link from the wire: quantity 0 means 1; source ≠ target.
pub fn product_link_from_pb(p: pb::ProductLink) -> Result<ProductLink, StoreError> {
    let quantity = match p.quantity {
        0 => Quantity::ONE,
        n => Quantity::parse(i64::from(n)).map_err(StoreError::parse("quantity"))?,
    };
    let link = ProductLink {
        association_type_id: convert::id("association_type_id", &p.association_type_id)?,
        source_product_id: convert::id("source_product_id", &p.source_product_id)?,
        target_product_id: convert::id("target_product_id", &p.target_product_id)?,
        quantity,
    };
    link.validate()?;
    Ok(link)
}

/// A stored product link for the wire.
pub fn product_link_to_pb(r: Record<ProductLink>) -> pb::ProductLink {
    pb::ProductLink {
        meta: Some(convert::meta(&r.meta)),
        association_type_id: r.value.association_type_id.to_string(),
        association_type_code: r.refs.get("association_type_code"),
        source_product_id: r.value.source_product_id.to_string(),
        source_sku: r.refs.get("source_sku"),
        target_product_id: r.value.target_product_id.to_string(),
        target_sku: r.refs.get("target_sku"),
        quantity: i32::try_from(r.value.quantity.get()).unwrap_or(i32::MAX),
    }
}

/// Parses a supplier item link from the wire (read-only fields ignored).
pub fn supplier_item_link_from_pb(p: pb::SupplierItemLink) -> Result<SupplierItemLink, StoreError> {
    let link = SupplierItemLink {
        supplier_item_id: convert::id("supplier_item_id", &p.supplier_item_id)?,
        product_id: convert::id("product_id", &p.product_id)?,
        priority: i64::from(p.priority),
    };
    link.validate()?;
    Ok(link)
}

/// A stored supplier item link for the wire.
pub fn supplier_item_link_to_pb(r: Record<SupplierItemLink>) -> pb::SupplierItemLink {
    pb::SupplierItemLink {
        meta: Some(convert::meta(&r.meta)),
        supplier_item_id: r.value.supplier_item_id.to_string(),
        supplier_id: r.refs.get("supplier_id"),
        offer_id: r.refs.get("offer_id"),
        product_id: r.value.product_id.to_string(),
        sku: r.refs.get("sku"),
        priority: i32::try_from(r.value.priority).unwrap_or(i32::MAX),
    }
}

fn deleted(change_seq: i64) -> Response<api::DeleteResponse> {
    Response::new(api::DeleteResponse { change_seq })
}

#[tonic::async_trait]
impl LinkService for Links {
    async fn create_association_type(
        &self,
        request: Request<pb::AssociationType>,
    ) -> Result<Response<pb::AssociationType>, Status> {
        let value = association_type_from_pb(request.into_inner())?;
        Ok(Response::new(association_type_to_pb(
            self.store.create_association_type(value).await?,
        )))
    }

    async fn get_association_type(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::AssociationType>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(association_type_to_pb(
            self.store.get_association_type(&lookup).await?,
        )))
    }

    async fn update_association_type(
        &self,
        request: Request<pb::AssociationType>,
    ) -> Result<Response<pb::AssociationType>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = association_type_from_pb(p)?;
        Ok(Response::new(association_type_to_pb(
            self.store.update_association_type(target, value).await?,
        )))
    }

    async fn delete_association_type(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(self.store.delete_association_type(target).await?))
    }

    async fn list_association_types(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListAssociationTypesResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_association_types(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListAssociationTypesResponse {
            items: page.items.into_iter().map(association_type_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_product_link(
        &self,
        request: Request<pb::ProductLink>,
    ) -> Result<Response<pb::ProductLink>, Status> {
        let value = product_link_from_pb(request.into_inner())?;
        Ok(Response::new(product_link_to_pb(
            self.store.create_product_link(value).await?,
        )))
    }

    async fn get_product_link(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::ProductLink>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(product_link_to_pb(
            self.store.get_product_link(&lookup).await?,
        )))
    }

    async fn update_product_link(
        &self,
        request: Request<pb::ProductLink>,
    ) -> Result<Response<pb::ProductLink>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = product_link_from_pb(p)?;
        Ok(Response::new(product_link_to_pb(
            self.store.update_product_link(target, value).await?,
        )))
    }

    async fn delete_product_link(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(self.store.delete_product_link(target).await?))
    }

    async fn list_product_links(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListProductLinksResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_product_links(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListProductLinksResponse {
            items: page.items.into_iter().map(product_link_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_supplier_item_link(
        &self,
        request: Request<pb::SupplierItemLink>,
    ) -> Result<Response<pb::SupplierItemLink>, Status> {
        let value = supplier_item_link_from_pb(request.into_inner())?;
        Ok(Response::new(supplier_item_link_to_pb(
            self.store.create_supplier_item_link(value).await?,
        )))
    }

    async fn get_supplier_item_link(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::SupplierItemLink>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(supplier_item_link_to_pb(
            self.store.get_supplier_item_link(&lookup).await?,
        )))
    }

    async fn update_supplier_item_link(
        &self,
        request: Request<pb::SupplierItemLink>,
    ) -> Result<Response<pb::SupplierItemLink>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = supplier_item_link_from_pb(p)?;
        let stored = self.store.update_supplier_item_link(target, value).await?;
        Ok(Response::new(supplier_item_link_to_pb(stored)))
    }

    async fn delete_supplier_item_link(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(self.store.delete_supplier_item_link(target).await?))
    }

    async fn list_supplier_item_links(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListSupplierItemLinksResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_supplier_item_links(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListSupplierItemLinksResponse {
            items: page
                .items
                .into_iter()
                .map(supplier_item_link_to_pb)
                .collect(),
            next_cursor,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: StoreError) -> String {
        match err {
            StoreError::InvalidArgument { field, .. } => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    fn link(quantity: i32) -> pb::ProductLink {
        pb::ProductLink {
            association_type_id: crate::model::link::builtin::PACKAGE.to_string(),
            source_product_id: uuid::Uuid::now_v7().to_string(),
            target_product_id: uuid::Uuid::now_v7().to_string(),
            quantity,
            ..Default::default()
        }
    }

    #[test]
    fn quantity_zero_means_one_and_negative_is_rejected() {
        assert_eq!(
            product_link_from_pb(link(0)).expect("ok").quantity,
            Quantity::ONE
        );
        assert_eq!(product_link_from_pb(link(6)).expect("ok").quantity.get(), 6);
        assert_eq!(
            field_of(product_link_from_pb(link(-1)).expect_err("negative")),
            "quantity"
        );
    }

    #[test]
    fn product_link_fields_are_named() {
        let mut same = link(1);
        same.target_product_id = same.source_product_id.clone();
        assert_eq!(
            field_of(product_link_from_pb(same).expect_err("self")),
            "target_product_id"
        );
        let mut bad = link(1);
        bad.association_type_id = "PACKAGE".into();
        assert_eq!(
            field_of(product_link_from_pb(bad).expect_err("not a uuid")),
            "association_type_id"
        );
        let mut missing = link(1);
        missing.source_product_id.clear();
        assert_eq!(
            field_of(product_link_from_pb(missing).expect_err("missing")),
            "source_product_id"
        );
    }

    #[test]
    fn supplier_item_link_and_type_fields_are_named() {
        let p = pb::SupplierItemLink {
            supplier_item_id: uuid::Uuid::now_v7().to_string(),
            product_id: uuid::Uuid::now_v7().to_string(),
            priority: -1,
            ..Default::default()
        };
        assert_eq!(
            field_of(supplier_item_link_from_pb(p).expect_err("priority")),
            "priority"
        );
        let t = pb::AssociationType {
            code: " ".into(),
            name: "X".into(),
            ..Default::default()
        };
        assert_eq!(
            field_of(association_type_from_pb(t).expect_err("code")),
            "code"
        );
        let t = pb::AssociationType {
            code: "X".into(),
            name: "".into(),
            ..Default::default()
        };
        assert_eq!(
            field_of(association_type_from_pb(t).expect_err("name")),
            "name"
        );
    }
}
