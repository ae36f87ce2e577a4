//! `carpetti.persist.v1.ProductService`: products with their attribute values, and the bulk
//! product stream (`product_bulk`).

use std::str::FromStr;

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::catalog::v1::attribute_value::Value as PbValue;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::product_service_server::ProductService;
use carpetti_util::{Barcode, Code, Currency, Money, Sku};
use rust_decimal::Decimal;
use tonic::{Request, Response, Status, Streaming};

use super::convert::{self, opt_text, required_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::product::{AttributeValue, Product, ProductStatus, Value, Vat};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Products {
    store: DynStore,
}

impl Products {
    /// The service over `store`.
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn vat(raw: i32) -> Result<Vat, StoreError> {
    match pb::Vat::try_from(raw) {
        Ok(pb::Vat::None) => Ok(Vat::None),
        Ok(pb::Vat::Vat0) => Ok(Vat::Zero),
        Ok(pb::Vat::Vat5) => Ok(Vat::Five),
        Ok(pb::Vat::Vat7) => Ok(Vat::Seven),
        Ok(pb::Vat::Vat10) => Ok(Vat::Ten),
        Ok(pb::Vat::Vat20) => Ok(Vat::Twenty),
        Ok(pb::Vat::Vat22) => Ok(Vat::TwentyTwo),
        Ok(pb::Vat::Unspecified) | Err(_) => Err(StoreError::invalid(
            "vat",
            "must be one of NONE, 0, 5, 7, 10, 20, 22",
        )),
    }
}

fn vat_pb(vat: Vat) -> pb::Vat {
    match vat {
        Vat::None => pb::Vat::None,
        Vat::Zero => pb::Vat::Vat0,
        Vat::Five => pb::Vat::Vat5,
        Vat::Seven => pb::Vat::Vat7,
        Vat::Ten => pb::Vat::Vat10,
        Vat::Twenty => pb::Vat::Vat20,
        Vat::TwentyTwo => pb::Vat::Vat22,
    }
}

fn status(raw: i32) -> Result<ProductStatus, StoreError> {
    match pb::ProductStatus::try_from(raw) {
        Ok(pb::ProductStatus::Draft) => Ok(ProductStatus::Draft),
        Ok(pb::ProductStatus::Active) => Ok(ProductStatus::Active),
        Ok(pb::ProductStatus::Archived) => Ok(ProductStatus::Archived),
        Ok(pb::ProductStatus::Unspecified) | Err(_) => Err(StoreError::invalid(
            "status",
            "must be one of DRAFT, ACTIVE, ARCHIVED",
        )),
    }
}

fn status_pb(status: ProductStatus) -> pb::ProductStatus {
    match status {
        ProductStatus::Draft => pb::ProductStatus::Draft,
        ProductStatus::Active => pb::ProductStatus::Active,
        ProductStatus::Archived => pb::ProductStatus::Archived,
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

fn decimal(field: &str, raw: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str(&raw.trim().replace(',', "."))
        .map_err(|_| StoreError::invalid(field, format!("{raw:?} is not a decimal number")))
}

/// Parses one attribute value; `field` is `values[i]`.
fn value_from_pb(field: &str, p: pb::AttributeValue) -> Result<AttributeValue, StoreError> {
    let attribute_code = Code::parse(&p.attribute_code)
        .map_err(StoreError::parse(format!("{field}.attribute_code")))?;
    let value = match p.value {
        None => {
            return Err(StoreError::invalid(
                field,
                "exactly one value member must be set",
            ));
        }
        Some(PbValue::Text(text)) => Value::Text(text),
        Some(PbValue::Number(raw)) => Value::Number(decimal(&format!("{field}.number"), &raw)?),
        Some(PbValue::Boolean(b)) => Value::Boolean(b),
        Some(PbValue::Options(options)) => Value::Options(
            options
                .codes
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    Code::parse(c).map_err(StoreError::parse(format!("{field}.options.codes[{j}]")))
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(PbValue::Measure(m)) => Value::Measure {
            amount: decimal(&format!("{field}.measure.amount"), &m.amount)?,
            unit: opt_text(Some(m.unit)),
        },
    };
    Ok(AttributeValue {
        attribute_code,
        value,
    })
}

fn value_to_pb(v: AttributeValue) -> pb::AttributeValue {
    let value = match v.value {
        Value::Text(text) => PbValue::Text(text),
        Value::Number(n) => PbValue::Number(n.normalize().to_string()),
        Value::Boolean(b) => PbValue::Boolean(b),
        Value::Options(codes) => PbValue::Options(pb::OptionCodes {
            codes: codes.into_iter().map(Code::into_inner).collect(),
        }),
        Value::Measure { amount, unit } => PbValue::Measure(pb::Measure {
            amount: amount.normalize().to_string(),
            unit: unit.unwrap_or_default(),
        }),
    };
    pb::AttributeValue {
        attribute_code: v.attribute_code.into_inner(),
        value: Some(value),
    }
}

/// Parses a product from the wire (meta, read-only codes and content_hash are ignored).
pub fn product_from_pb(p: pb::Product) -> Result<Product, StoreError> {
    let dims = p.dimensions.unwrap_or_default();
    let currency = match p.currency.trim() {
        "" => Currency::rub(),
        raw => Currency::parse(raw).map_err(StoreError::parse("currency"))?,
    };
    Ok(Product {
        sku: Sku::parse(&p.sku).map_err(StoreError::parse("sku"))?,
        name: required_text("name", &p.name)?,
        vendor: opt_text(p.vendor),
        vendor_code: opt_text(p.vendor_code),
        barcodes: p
            .barcodes
            .iter()
            .enumerate()
            .map(|(i, b)| Barcode::parse(b).map_err(StoreError::parse(format!("barcodes[{i}]"))))
            .collect::<Result<_, _>>()?,
        description: opt_text(p.description),
        pictures: p
            .pictures
            .into_iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect(),
        length_mm: non_negative("dimensions.length_mm", dims.length_mm.map(i64::from))?,
        width_mm: non_negative("dimensions.width_mm", dims.width_mm.map(i64::from))?,
        height_mm: non_negative("dimensions.height_mm", dims.height_mm.map(i64::from))?,
        weight_g: non_negative("weight_g", p.weight_g.map(i64::from))?,
        price: Money::parse(&p.price).map_err(StoreError::parse("price"))?,
        old_price: opt_text(p.old_price)
            .map(|raw| Money::parse(&raw))
            .transpose()
            .map_err(StoreError::parse("old_price"))?,
        currency,
        stock: non_negative("stock", Some(p.stock))?.unwrap_or_default(),
        vat: vat(p.vat)?,
        family_id: convert::opt_id("family_id", p.family_id.as_deref())?,
        category_id: convert::opt_id("category_id", p.category_id.as_deref())?,
        status: status(p.status)?,
        values: p
            .values
            .into_iter()
            .enumerate()
            .map(|(i, v)| value_from_pb(&format!("values[{i}]"), v))
            .collect::<Result<_, _>>()?,
    })
}

fn to_i32(value: Option<i64>) -> Option<i32> {
    value.and_then(|v| i32::try_from(v).ok())
}

/// A stored product for the wire.
pub fn product_to_pb(r: Record<Product>) -> pb::Product {
    let hash = r.value.content_hash().to_string();
    let v = r.value;
    pb::Product {
        meta: Some(convert::meta(&r.meta)),
        sku: v.sku.into_inner(),
        name: v.name,
        vendor: v.vendor,
        vendor_code: v.vendor_code,
        barcodes: v.barcodes.iter().map(|b| b.as_str().to_owned()).collect(),
        description: v.description,
        pictures: v.pictures,
        dimensions: Some(pb::Dimensions {
            length_mm: to_i32(v.length_mm),
            width_mm: to_i32(v.width_mm),
            height_mm: to_i32(v.height_mm),
        }),
        weight_g: to_i32(v.weight_g),
        price: v.price.to_string(),
        old_price: v.old_price.map(|p| p.to_string()),
        currency: v.currency.as_str().to_owned(),
        stock: v.stock,
        vat: vat_pb(v.vat).into(),
        family_id: v.family_id.map(|id| id.to_string()),
        family_code: r.refs.get("family_code"),
        category_id: v.category_id.map(|id| id.to_string()),
        category_code: r.refs.get("category_code"),
        status: status_pb(v.status).into(),
        content_hash: hash,
        values: v.values.into_iter().map(value_to_pb).collect(),
    }
}

#[tonic::async_trait]
impl ProductService for Products {
    async fn create_product(
        &self,
        request: Request<pb::Product>,
    ) -> Result<Response<pb::Product>, Status> {
        let value = product_from_pb(request.into_inner())?;
        Ok(Response::new(product_to_pb(
            self.store.create_product(value).await?,
        )))
    }

    async fn get_product(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Product>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(product_to_pb(
            self.store.get_product(&lookup).await?,
        )))
    }

    async fn update_product(
        &self,
        request: Request<pb::Product>,
    ) -> Result<Response<pb::Product>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = product_from_pb(p)?;
        Ok(Response::new(product_to_pb(
            self.store.update_product(target, value).await?,
        )))
    }

    async fn delete_product(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_product(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_products(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListProductsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_products(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListProductsResponse {
            items: page.items.into_iter().map(product_to_pb).collect(),
            next_cursor,
        }))
    }

    type UpsertProductsStream = super::bulk::ResponseStream;

    async fn upsert_products(
        &self,
        request: Request<Streaming<api::UpsertProductsRequest>>,
    ) -> Result<Response<Self::UpsertProductsStream>, Status> {
        Ok(Response::new(super::product_bulk::products(
            self.store.clone(),
            request.into_inner(),
        )))
    }

    type StreamProductsStream = super::streams::ChunkStream<api::ProductsChunk>;

    async fn stream_products(
        &self,
        request: Request<api::StreamProductsRequest>,
    ) -> Result<Response<Self::StreamProductsStream>, Status> {
        let request = request.into_inner();
        let status = request.status.map(status).transpose()?;
        let start = super::streams::start_key(request.after_sku);
        let stream = super::streams::products(self.store.clone(), status, start).await?;
        Ok(Response::new(stream))
    }
}

#[cfg(test)]
#[path = "product_tests.rs"]
mod tests;
