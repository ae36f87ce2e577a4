//! FBS orders: `GET orders`, `GET orders/{orderId}`, `PUT orders/{orderId}/status`. Dates are
//! `DD-MM-YYYY HH:MM:SS` (Moscow time); fields the spec requires are plain and default to
//! empty when a (real) answer leaves them out.

use serde::{Deserialize, Serialize};

use super::Paging;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OrdersPage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pager: Option<Pager>,
    pub orders: Vec<Order>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pager {
    pub total: i32,
    pub from: i32,
    pub to: i32,
    pub page_size: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OrderAnswer {
    pub order: Order,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Order {
    pub id: i64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub substatus: String,
    #[serde(default)]
    pub creation_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub items_total: f64,
    #[serde(default)]
    pub delivery_total: f64,
    #[serde(default)]
    pub buyer_items_total_before_discount: f64,
    #[serde(default)]
    pub payment_type: String,
    #[serde(default)]
    pub payment_method: String,
    #[serde(default)]
    pub fake: bool,
    #[serde(default)]
    pub items: Vec<OrderItem>,
    #[serde(default)]
    pub delivery: Delivery,
    #[serde(default)]
    pub buyer: Buyer,
    #[serde(default)]
    pub tax_system: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderItem {
    pub id: i64,
    pub offer_id: String,
    #[serde(default)]
    pub offer_name: String,
    #[serde(default)]
    pub price: f64,
    #[serde(default)]
    pub buyer_price: f64,
    #[serde(default)]
    pub buyer_price_before_discount: f64,
    #[serde(default)]
    pub count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_sku: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Delivery {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub service_name: String,
    #[serde(default)]
    pub delivery_partner_type: String,
    #[serde(default)]
    pub dates: DeliveryDates,
    #[serde(default)]
    pub delivery_service_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipments: Option<Vec<Shipment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch_type: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeliveryDates {
    #[serde(default)]
    pub from_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Region {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Shipment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Buyer {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StatusChangeRequest {
    pub order: StatusChange,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StatusChange {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substatus: Option<String>,
}

/// `DD-MM-YYYY HH:MM:SS`.
pub(crate) const DATE_TIME: &str = "%d-%m-%Y %H:%M:%S";
/// `DD-MM-YYYY`.
pub(crate) const DATE: &str = "%d-%m-%Y";
/// The Market's dates are Moscow time (UTC+3, no daylight saving).
pub(crate) const MOSCOW_OFFSET_SECONDS: i32 = 3 * 3600;
