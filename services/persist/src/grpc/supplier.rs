//! `carpetti.persist.v1.SupplierService`: suppliers, supplier items and the bulk item stream.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::supplier_service_server::SupplierService;
use carpetti_util::{Code, Currency, Money, OfferId};
use tonic::{Request, Response, Status, Streaming};

use super::bulk;
use super::convert::{self, opt_text, required_text};
use super::streams;
use crate::StoreError;
use crate::model::Record;
use crate::model::supplier::{FeedFormat, Param, Supplier, SupplierItem};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Suppliers {
    store: DynStore,
}

impl Suppliers {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn feed_format(raw: i32) -> Result<FeedFormat, StoreError> {
    match pb::FeedFormat::try_from(raw) {
        Ok(pb::FeedFormat::Yml) => Ok(FeedFormat::Yml),
        Ok(pb::FeedFormat::Xml) => Ok(FeedFormat::Xml),
        Ok(pb::FeedFormat::Csv) => Ok(FeedFormat::Csv),
        Ok(pb::FeedFormat::Xlsx) => Ok(FeedFormat::Xlsx),
        Ok(pb::FeedFormat::Json) => Ok(FeedFormat::Json),
        Ok(pb::FeedFormat::Unspecified) | Err(_) => Err(StoreError::invalid(
            "feed_format",
            "must be one of YML, XML, CSV, XLSX, JSON",
        )),
    }
}

fn feed_format_pb(format: FeedFormat) -> pb::FeedFormat {
    match format {
        FeedFormat::Yml => pb::FeedFormat::Yml,
        FeedFormat::Xml => pb::FeedFormat::Xml,
        FeedFormat::Csv => pb::FeedFormat::Csv,
        FeedFormat::Xlsx => pb::FeedFormat::Xlsx,
        FeedFormat::Json => pb::FeedFormat::Json,
    }
}

/// Parses a supplier from the wire.
pub fn supplier_from_pb(p: pb::Supplier) -> Result<Supplier, StoreError> {
    Ok(Supplier {
        code: Code::parse(&p.code).map_err(StoreError::parse("code"))?,
        name: required_text("name", &p.name)?,
        feed_url: opt_text(p.feed_url),
        feed_format: feed_format(p.feed_format)?,
        schedule: opt_text(p.schedule),
        active: p.active,
        settings: convert::struct_to_json(p.settings),
    })
}

/// A stored supplier for the wire.
pub fn supplier_to_pb(r: Record<Supplier>) -> pb::Supplier {
    pb::Supplier {
        meta: Some(convert::meta(&r.meta)),
        code: r.value.code.into_inner(),
        name: r.value.name,
        feed_url: r.value.feed_url,
        feed_format: feed_format_pb(r.value.feed_format).into(),
        schedule: r.value.schedule,
        active: r.value.active,
        settings: Some(convert::json_to_struct(&r.value.settings)),
    }
}

fn non_negative(field: &str, value: Option<i64>) -> Result<Option<i64>, StoreError> {
    match value {
        Some(v) if v < 0 => Err(StoreError::invalid(
            field,
            format!("must not be negative, got {v}"),
        )),
        other => Ok(other),
    }
}

/// Parses a supplier item from the wire. `supplier_id` falls back to the stream's.
pub fn item_from_pb(
    p: pb::SupplierItem,
    default_supplier: Option<uuid::Uuid>,
) -> Result<SupplierItem, StoreError> {
    let Some(supplier_id) =
        convert::opt_id("supplier_id", Some(&p.supplier_id))?.or(default_supplier)
    else {
        return Err(StoreError::invalid("supplier_id", "is required"));
    };
    let pack_quantity = match p.pack_quantity {
        0 => 1,
        n if n < 1 => {
            return Err(StoreError::invalid(
                "pack_quantity",
                format!("must be at least 1, got {n}"),
            ));
        }
        n => i64::from(n),
    };
    let dims = p.dimensions.unwrap_or_default();
    Ok(SupplierItem {
        supplier_id,
        offer_id: OfferId::parse(&p.offer_id).map_err(StoreError::parse("offer_id"))?,
        name: convert::required_owned("name", p.name)?,
        vendor: opt_text(p.vendor),
        vendor_code: opt_text(p.vendor_code),
        barcodes: p
            .barcodes
            .into_iter()
            .map(convert::trimmed)
            .filter(|b| !b.is_empty())
            .collect(),
        description: opt_text(p.description),
        category_name: opt_text(p.category_name),
        url: opt_text(p.url),
        pictures: p
            .pictures
            .into_iter()
            .map(convert::trimmed)
            .filter(|u| !u.is_empty())
            .collect(),
        price: Money::parse(&p.price).map_err(StoreError::parse("price"))?,
        old_price: opt_text(p.old_price)
            .map(|raw| Money::parse(&raw))
            .transpose()
            .map_err(StoreError::parse("old_price"))?,
        currency: Currency::parse(&p.currency).map_err(StoreError::parse("currency"))?,
        stock: non_negative("stock", p.stock)?,
        available: p.available,
        pack_quantity,
        group_id: opt_text(p.group_id),
        params: p
            .params
            .into_iter()
            .map(|param| Param {
                name: param.name,
                value: param.value,
                unit: opt_text(param.unit),
            })
            .collect(),
        weight_g: non_negative("weight_g", p.weight_g.map(i64::from))?,
        length_mm: non_negative("dimensions.length_mm", dims.length_mm.map(i64::from))?,
        width_mm: non_negative("dimensions.width_mm", dims.width_mm.map(i64::from))?,
        height_mm: non_negative("dimensions.height_mm", dims.height_mm.map(i64::from))?,
        last_import_run_id: convert::opt_id("last_import_run_id", p.last_import_run_id.as_deref())?,
    })
}

fn to_i32(value: Option<i64>) -> Option<i32> {
    value.and_then(|v| i32::try_from(v).ok())
}

/// A stored supplier item for the wire.
pub fn item_to_pb(r: Record<SupplierItem>) -> pb::SupplierItem {
    pb::SupplierItem {
        meta: Some(convert::meta(&r.meta)),
        supplier_code: r.refs.get("supplier_code"),
        content_hash: r.value.content_hash().to_string(),
        ..item_content_to_pb(r.value)
    }
}

/// The content of a supplier item for the wire (no metadata, no hash): what a client sends.
pub fn item_content_to_pb(v: SupplierItem) -> pb::SupplierItem {
    pb::SupplierItem {
        meta: None,
        supplier_id: v.supplier_id.to_string(),
        supplier_code: String::new(),
        offer_id: v.offer_id.into_inner(),
        name: v.name,
        vendor: v.vendor,
        vendor_code: v.vendor_code,
        barcodes: v.barcodes,
        description: v.description,
        category_name: v.category_name,
        url: v.url,
        pictures: v.pictures,
        price: v.price.to_string(),
        old_price: v.old_price.map(|p| p.to_string()),
        currency: v.currency.as_str().to_owned(),
        stock: v.stock,
        available: v.available,
        pack_quantity: i32::try_from(v.pack_quantity).unwrap_or(i32::MAX),
        group_id: v.group_id,
        params: v
            .params
            .into_iter()
            .map(|p| pb::Param {
                name: p.name,
                value: p.value,
                unit: p.unit,
            })
            .collect(),
        weight_g: to_i32(v.weight_g),
        dimensions: Some(pb::Dimensions {
            length_mm: to_i32(v.length_mm),
            width_mm: to_i32(v.width_mm),
            height_mm: to_i32(v.height_mm),
        }),
        content_hash: String::new(),
        last_import_run_id: v.last_import_run_id.map(|id| id.to_string()),
    }
}

#[tonic::async_trait]
impl SupplierService for Suppliers {
    async fn create_supplier(
        &self,
        request: Request<pb::Supplier>,
    ) -> Result<Response<pb::Supplier>, Status> {
        let value = supplier_from_pb(request.into_inner())?;
        Ok(Response::new(supplier_to_pb(
            self.store.create_supplier(value).await?,
        )))
    }

    async fn get_supplier(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Supplier>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(supplier_to_pb(
            self.store.get_supplier(&lookup).await?,
        )))
    }

    async fn update_supplier(
        &self,
        request: Request<pb::Supplier>,
    ) -> Result<Response<pb::Supplier>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = supplier_from_pb(p)?;
        Ok(Response::new(supplier_to_pb(
            self.store.update_supplier(target, value).await?,
        )))
    }

    async fn delete_supplier(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_supplier(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_suppliers(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListSuppliersResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_suppliers(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListSuppliersResponse {
            items: page.items.into_iter().map(supplier_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_supplier_item(
        &self,
        request: Request<pb::SupplierItem>,
    ) -> Result<Response<pb::SupplierItem>, Status> {
        let value = item_from_pb(request.into_inner(), None)?;
        Ok(Response::new(item_to_pb(
            self.store.create_supplier_item(value).await?,
        )))
    }

    async fn get_supplier_item(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::SupplierItem>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(item_to_pb(
            self.store.get_supplier_item(&lookup).await?,
        )))
    }

    async fn update_supplier_item(
        &self,
        request: Request<pb::SupplierItem>,
    ) -> Result<Response<pb::SupplierItem>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = item_from_pb(p, None)?;
        Ok(Response::new(item_to_pb(
            self.store.update_supplier_item(target, value).await?,
        )))
    }

    async fn delete_supplier_item(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_supplier_item(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_supplier_items(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListSupplierItemsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_supplier_items(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListSupplierItemsResponse {
            items: page.items.into_iter().map(item_to_pb).collect(),
            next_cursor,
        }))
    }

    type UpsertSupplierItemsStream = bulk::ResponseStream;

    async fn upsert_supplier_items(
        &self,
        request: Request<Streaming<api::UpsertSupplierItemsRequest>>,
    ) -> Result<Response<Self::UpsertSupplierItemsStream>, Status> {
        Ok(Response::new(bulk::supplier_items(
            self.store.clone(),
            request.into_inner(),
        )))
    }

    type ListSupplierItemHashesStream = streams::ChunkStream<api::SupplierItemHashesChunk>;

    async fn list_supplier_item_hashes(
        &self,
        request: Request<api::ListSupplierItemHashesRequest>,
    ) -> Result<Response<Self::ListSupplierItemHashesStream>, Status> {
        let request = request.into_inner();
        let supplier_id = convert::id("supplier_id", &request.supplier_id)?;
        let stream = streams::supplier_item_hashes(
            self.store.clone(),
            supplier_id,
            request.only_available,
            streams::start_key(request.after_offer_id),
        )
        .await?;
        Ok(Response::new(stream))
    }

    async fn mark_supplier_items_gone(
        &self,
        request: Request<api::MarkSupplierItemsGoneRequest>,
    ) -> Result<Response<api::MarkSupplierItemsGoneResponse>, Status> {
        let response =
            super::gone::mark_supplier_items_gone(&self.store, request.into_inner()).await?;
        Ok(Response::new(response))
    }

    type StreamSupplierItemsStream = streams::ChunkStream<api::SupplierItemsChunk>;

    async fn stream_supplier_items(
        &self,
        request: Request<api::StreamSupplierItemsRequest>,
    ) -> Result<Response<Self::StreamSupplierItemsStream>, Status> {
        let request = request.into_inner();
        let supplier_id = convert::id("supplier_id", &request.supplier_id)?;
        let stream = streams::supplier_items(
            self.store.clone(),
            supplier_id,
            request.only_available,
            streams::start_key(request.after_offer_id),
        )
        .await?;
        Ok(Response::new(stream))
    }
}
