//! Orders (lines, status history) and customers: fixtures here, tests in the submodules.

mod customers;
mod reads;
mod writes;

pub use customers::*;
pub use reads::*;
pub use writes::*;

use carpetti_persist::StoreError;
use carpetti_persist::model::channel::{Channel, ChannelKind};
use carpetti_persist::model::order::{
    Customer, Email, Order, OrderLine, OrderStatus, Phone, StatusAuthor,
};
use carpetti_persist::store::DynStore;
use carpetti_util::{Code, Currency, Money, Quantity};
use uuid::Uuid;

/// Creates a channel and returns its id.
pub async fn channel(store: &DynStore, code: &str) -> anyhow::Result<Uuid> {
    let channel = Channel {
        code: Code::parse(code)?,
        name: format!("Канал {code}"),
        kind: ChannelKind::Ozon,
        locale: "ru_RU".into(),
        currency: Currency::rub(),
        active: true,
        settings: serde_json::json!({}),
    };
    Ok(store.create_channel(channel).await?.meta.id)
}

pub fn customer(name: &str, email: Option<&str>, phone: Option<&str>) -> Customer {
    Customer {
        name: name.to_owned(),
        email: email.map(|e| Email::parse(e).expect("email")),
        phone: phone.map(|p| Phone::parse(p).expect("phone")),
        note: None,
    }
}

pub fn line(name: &str, quantity: i64, price: &str) -> OrderLine {
    OrderLine {
        id: None,
        line_no: 0,
        product_id: None,
        sku: None,
        external_sku: Some(format!("ext-{name}")),
        name: name.to_owned(),
        quantity: Quantity::parse(quantity).expect("quantity"),
        price: Money::parse(price).expect("price"),
    }
}

/// A new order with two unnumbered lines.
pub fn order(channel_id: Uuid, external_id: &str) -> Order {
    Order {
        channel_id,
        external_id: external_id.to_owned(),
        customer_id: None,
        status: OrderStatus::New,
        total: Money::parse("3100.50").expect("total"),
        currency: Currency::rub(),
        placed_at: carpetti_util::now(),
        shipping_address: serde_json::json!({"city": "Казань", "street": "Баумана, 1"}),
        lines: vec![line("Чайник", 1, "2990.50"), line("Фильтр", 2, "55")],
        history: Vec::new(),
    }
}

pub(super) fn by(source: &str, note: Option<&str>) -> StatusAuthor {
    StatusAuthor {
        source: source.to_owned(),
        note: note.map(str::to_owned),
    }
}

pub(super) fn field(err: StoreError) -> String {
    match err {
        StoreError::InvalidArgument { field, .. } => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}
