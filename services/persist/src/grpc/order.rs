//! `carpetti.persist.v1.OrderService`: orders (with lines and status history) and customers.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::order_service_server::OrderService;
use carpetti_util::{Currency, Money, Quantity};
use tonic::{Request, Response, Status};

use super::convert::{self, opt_text, required_text};
use crate::StoreError;
use crate::model::Record;
use crate::model::order::{
    Customer, Email, Order, OrderLine, OrderStatus, Phone, StatusAuthor, StatusChange,
};
use crate::store::DynStore;

/// The service over a store.
#[derive(Clone)]
pub struct Orders {
    store: DynStore,
}

impl Orders {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn status(field: &str, raw: i32) -> Result<OrderStatus, StoreError> {
    match pb::OrderStatus::try_from(raw) {
        Ok(pb::OrderStatus::New) => Ok(OrderStatus::New),
        Ok(pb::OrderStatus::Confirmed) => Ok(OrderStatus::Confirmed),
        Ok(pb::OrderStatus::Packed) => Ok(OrderStatus::Packed),
        Ok(pb::OrderStatus::Shipped) => Ok(OrderStatus::Shipped),
        Ok(pb::OrderStatus::Delivered) => Ok(OrderStatus::Delivered),
        Ok(pb::OrderStatus::Cancelled) => Ok(OrderStatus::Cancelled),
        Ok(pb::OrderStatus::Returned) => Ok(OrderStatus::Returned),
        Ok(pb::OrderStatus::Unspecified) | Err(_) => Err(StoreError::invalid(
            field,
            "must be one of NEW, CONFIRMED, PACKED, SHIPPED, DELIVERED, CANCELLED, RETURNED",
        )),
    }
}

fn status_pb(status: OrderStatus) -> pb::OrderStatus {
    match status {
        OrderStatus::New => pb::OrderStatus::New,
        OrderStatus::Confirmed => pb::OrderStatus::Confirmed,
        OrderStatus::Packed => pb::OrderStatus::Packed,
        OrderStatus::Shipped => pb::OrderStatus::Shipped,
        OrderStatus::Delivered => pb::OrderStatus::Delivered,
        OrderStatus::Cancelled => pb::OrderStatus::Cancelled,
        OrderStatus::Returned => pb::OrderStatus::Returned,
    }
}

fn line_from_pb(i: usize, p: pb::OrderLine) -> Result<OrderLine, StoreError> {
    let field = |name: &str| format!("lines[{i}].{name}");
    let line_no = u32::try_from(p.line_no).map_err(|_| {
        StoreError::invalid(
            field("line_no"),
            format!("must be at least 1, got {}", p.line_no),
        )
    })?;
    Ok(OrderLine {
        id: None,
        line_no,
        product_id: convert::opt_id(&field("product_id"), p.product_id.as_deref())?,
        sku: opt_text(p.sku),
        external_sku: opt_text(p.external_sku),
        name: required_text(&field("name"), &p.name)?,
        quantity: Quantity::parse(i64::from(p.quantity))
            .map_err(StoreError::parse(field("quantity")))?,
        price: Money::parse(&p.price).map_err(StoreError::parse(field("price")))?,
    })
}

/// Parses an order from the wire, with the author of a status change it may make.
pub fn order_from_pb(p: pb::Order) -> Result<(Order, StatusAuthor), StoreError> {
    let placed_at = p
        .placed_at
        .as_ref()
        .ok_or_else(|| StoreError::invalid("placed_at", "is required"))?;
    let author = StatusAuthor {
        source: opt_text(Some(p.status_source)).unwrap_or_else(|| StatusAuthor::default().source),
        note: opt_text(p.status_note),
    };
    let order = Order {
        channel_id: convert::id("channel_id", &p.channel_id)?,
        external_id: required_text("external_id", &p.external_id)?,
        customer_id: convert::opt_id("customer_id", p.customer_id.as_deref())?,
        status: status("status", p.status)?,
        total: Money::parse(&p.total).map_err(StoreError::parse("total"))?,
        currency: Currency::parse(&p.currency).map_err(StoreError::parse("currency"))?,
        placed_at: convert::from_timestamp("placed_at", placed_at)?,
        shipping_address: convert::struct_to_json(p.shipping_address),
        lines: p
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| line_from_pb(i, l))
            .collect::<Result<_, _>>()?,
        history: Vec::new(),
    };
    Ok((order, author))
}

fn history_to_pb(change: StatusChange) -> pb::OrderStatusChange {
    pb::OrderStatusChange {
        status: status_pb(change.status).into(),
        changed_at: Some(convert::timestamp(change.changed_at)),
        source: change.source,
        note: change.note,
    }
}

/// A stored order for the wire.
pub fn order_to_pb(r: Record<Order>) -> pb::Order {
    let v = r.value;
    pb::Order {
        meta: Some(convert::meta(&r.meta)),
        channel_id: v.channel_id.to_string(),
        channel_code: r.refs.get("channel_code"),
        external_id: v.external_id,
        customer_id: v.customer_id.map(|id| id.to_string()),
        status: status_pb(v.status).into(),
        total: v.total.to_string(),
        currency: v.currency.as_str().to_owned(),
        placed_at: Some(convert::timestamp(v.placed_at)),
        shipping_address: Some(convert::json_to_struct(&v.shipping_address)),
        lines: v
            .lines
            .into_iter()
            .map(|l| pb::OrderLine {
                id: l.id.map(|id| id.to_string()).unwrap_or_default(),
                line_no: i32::try_from(l.line_no).unwrap_or(i32::MAX),
                product_id: l.product_id.map(|id| id.to_string()),
                sku: l.sku,
                external_sku: l.external_sku,
                name: l.name,
                quantity: i32::try_from(l.quantity.get()).unwrap_or(i32::MAX),
                price: l.price.to_string(),
            })
            .collect(),
        history: v.history.into_iter().map(history_to_pb).collect(),
        status_source: String::new(),
        status_note: None,
    }
}

/// Parses a customer from the wire (e-mail and phone normalized).
pub fn customer_from_pb(p: pb::Customer) -> Result<Customer, StoreError> {
    Ok(Customer {
        name: required_text("name", &p.name)?,
        email: opt_text(p.email)
            .map(|e| Email::parse(&e))
            .transpose()
            .map_err(StoreError::parse("email"))?,
        phone: opt_text(p.phone)
            .map(|n| Phone::parse(&n))
            .transpose()
            .map_err(StoreError::parse("phone"))?,
        note: opt_text(p.note),
    })
}

/// A stored customer for the wire.
pub fn customer_to_pb(r: Record<Customer>) -> pb::Customer {
    pb::Customer {
        meta: Some(convert::meta(&r.meta)),
        name: r.value.name,
        email: r.value.email.map(|e| e.as_str().to_owned()),
        phone: r.value.phone.map(|p| p.as_str().to_owned()),
        note: r.value.note,
    }
}

#[tonic::async_trait]
impl OrderService for Orders {
    async fn create_order(
        &self,
        request: Request<pb::Order>,
    ) -> Result<Response<pb::Order>, Status> {
        let (value, author) = order_from_pb(request.into_inner())?;
        Ok(Response::new(order_to_pb(
            self.store.create_order(value, author).await?,
        )))
    }

    async fn get_order(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Order>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(order_to_pb(
            self.store.get_order(&lookup).await?,
        )))
    }

    async fn update_order(
        &self,
        request: Request<pb::Order>,
    ) -> Result<Response<pb::Order>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let (value, author) = order_from_pb(p)?;
        Ok(Response::new(order_to_pb(
            self.store.update_order(target, value, author).await?,
        )))
    }

    async fn delete_order(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_order(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_orders(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListOrdersResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_orders(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListOrdersResponse {
            items: page.items.into_iter().map(order_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_customer(
        &self,
        request: Request<pb::Customer>,
    ) -> Result<Response<pb::Customer>, Status> {
        let value = customer_from_pb(request.into_inner())?;
        Ok(Response::new(customer_to_pb(
            self.store.create_customer(value).await?,
        )))
    }

    async fn get_customer(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Customer>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(customer_to_pb(
            self.store.get_customer(&lookup).await?,
        )))
    }

    async fn update_customer(
        &self,
        request: Request<pb::Customer>,
    ) -> Result<Response<pb::Customer>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = customer_from_pb(p)?;
        Ok(Response::new(customer_to_pb(
            self.store.update_customer(target, value).await?,
        )))
    }

    async fn delete_customer(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        let change_seq = self.store.delete_customer(target).await?;
        Ok(Response::new(api::DeleteResponse { change_seq }))
    }

    async fn list_customers(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListCustomersResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_customers(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListCustomersResponse {
            items: page.items.into_iter().map(customer_to_pb).collect(),
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

    fn order() -> pb::Order {
        pb::Order {
            channel_id: uuid::Uuid::now_v7().to_string(),
            external_id: "A-1".into(),
            status: pb::OrderStatus::New.into(),
            total: "100".into(),
            placed_at: Some(prost_types::Timestamp {
                seconds: 1_700_000_000,
                nanos: 0,
            }),
            lines: vec![pb::OrderLine {
                name: "Чайник".into(),
                quantity: 1,
                price: "100".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn order_parsing_names_fields() {
        let (parsed, author) = order_from_pb(order()).expect("valid");
        assert_eq!(author, StatusAuthor::default());
        assert_eq!(parsed.lines[0].line_no, 0);
        let bad = |f: fn(&mut pb::Order)| {
            let mut p = order();
            f(&mut p);
            field_of(order_from_pb(p).expect_err("invalid"))
        };
        assert_eq!(bad(|p| p.lines[0].quantity = 0), "lines[0].quantity");
        assert_eq!(bad(|p| p.lines[0].price = "-1".into()), "lines[0].price");
        assert_eq!(bad(|p| p.lines[0].line_no = -2), "lines[0].line_no");
        assert_eq!(
            bad(|p| p.lines[0].product_id = Some("x".into())),
            "lines[0].product_id"
        );
        assert_eq!(bad(|p| p.status = 0), "status");
        assert_eq!(bad(|p| p.placed_at = None), "placed_at");
        assert_eq!(bad(|p| p.channel_id = String::new()), "channel_id");
        assert_eq!(bad(|p| p.total = "abc".into()), "total");
    }

    #[test]
    fn customer_parsing_normalizes() {
        let p = pb::Customer {
            name: "Анна".into(),
            email: Some(" Anna@Mail.RU ".into()),
            phone: Some("+7 (912) 345-67-89".into()),
            ..Default::default()
        };
        let c = customer_from_pb(p.clone()).expect("valid");
        assert_eq!(c.email.as_ref().map(Email::as_str), Some("anna@mail.ru"));
        assert_eq!(c.phone.as_ref().map(Phone::as_str), Some("+79123456789"));
        let bad = pb::Customer {
            phone: Some("нет".into()),
            ..p.clone()
        };
        assert_eq!(field_of(customer_from_pb(bad).expect_err("phone")), "phone");
        let bad = pb::Customer {
            email: Some("nope".into()),
            ..p
        };
        assert_eq!(field_of(customer_from_pb(bad).expect_err("email")), "email");
    }
}
