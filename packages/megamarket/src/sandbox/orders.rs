//! Shipments: created by the test (`emit`), found by `order/search` (by creation date and
//! status), read by `order/get` (one unit per lot).

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Offset, SecondsFormat, Utc};
use http::HeaderMap;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::MegamarketSandbox;
use super::reply::{Api, fail, ok};
use super::state::{Lot, ShipmentRecord, Status};
use crate::api::{SHIPMENTS_PER_GET, master};

const API: Api = Api::Merchant;

/// Units of one offer to put in an emitted shipment (`POST /_sandbox/orders` items).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmitLot {
    #[serde(alias = "offer_id")]
    pub offer_id: String,
    #[serde(default = "one")]
    pub quantity: u32,
    /// RUB per unit the buyer pays.
    pub price: Decimal,
}

fn one() -> u32 {
    1
}

impl MegamarketSandbox {
    /// Creates a NEW shipment with one lot per unit; gives its shipmentId.
    pub fn emit_order(&self, lots: &[EmitLot]) -> String {
        let now = Utc::now();
        let mut state = self.state();
        let shipment_id = state.next_shipment.to_string();
        state.next_shipment += 1;
        let mut items = Vec::new();
        for lot in lots {
            let card = state.cards.get(&lot.offer_id);
            let goods_id = card
                .filter(|c| c.ready(now))
                .map(|c| c.goods_id.to_string());
            let name = card
                .and_then(|c| c.master(master::NAME))
                .unwrap_or(&lot.offer_id)
                .to_owned();
            for _ in 0..lot.quantity.max(1) {
                items.push(Lot {
                    item_index: u32::try_from(items.len() + 1).unwrap_or(u32::MAX),
                    offer_id: lot.offer_id.clone(),
                    goods_id: goods_id.clone(),
                    name: name.clone(),
                    price: lot.price,
                    final_price: lot.price,
                    confirmed: false,
                    box_code: None,
                    events: vec![(now, "CREATED")],
                });
            }
        }
        state.shipments.insert(
            shipment_id.clone(),
            ShipmentRecord {
                shipment_id: shipment_id.clone(),
                order_code: None,
                status: Status::New,
                created_at: now,
                customer_name: "Иванова Мария Петровна".to_owned(),
                phone: "79990000000".to_owned(),
                lots: items,
            },
        );
        shipment_id
    }
}

fn moscow(at: DateTime<Utc>) -> String {
    let offset = FixedOffset::east_opt(3 * 3600).unwrap_or_else(|| Utc.fix());
    at.with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn render(s: &ShipmentRecord) -> Value {
    let money = |d: Decimal| json!(d.to_f64().unwrap_or_default());
    let items: Vec<Value> = s
        .lots
        .iter()
        .map(|l| {
            let mut item = json!({
                "itemIndex": l.item_index,
                "offerId": l.offer_id,
                "goodsData": { "name": l.name },
                "price": money(l.price),
                "finalPrice": money(l.final_price),
                "quantity": 1,
                "events": l.events.iter()
                    .map(|(at, name)| json!({ "eventDate": moscow(*at), "eventName": name }))
                    .collect::<Vec<_>>(),
            });
            if let Some(goods) = &l.goods_id {
                item["goodsId"] = json!(goods);
            }
            item
        })
        .collect();
    json!({
        "shipmentId": s.shipment_id,
        "orderCode": s.order_code,
        "status": s.status.word(),
        "creationDate": moscow(s.created_at),
        "deliveryId": format!("D{}", s.shipment_id),
        "shippingPoint": "Склад продавца",
        "customer": { "customerFullName": s.customer_name, "phone": s.phone },
        "items": items,
    })
}

/// A shipment id sent as a string or a number.
pub(crate) fn id_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Search {
    date_from: String,
    date_to: String,
    #[serde(default)]
    statuses: Vec<String>,
}

pub(crate) async fn search(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match sandbox.admit_merchant(&headers, &body) {
        Ok(data) => data,
        Err(refused) => return *refused,
    };
    let Ok(search) = serde_json::from_value::<Search>(data) else {
        return fail(API, "VALIDATION_ERROR", "dateFrom and dateTo are required");
    };
    let (Ok(from), Ok(to)) = (
        DateTime::parse_from_rfc3339(&search.date_from),
        DateTime::parse_from_rfc3339(&search.date_to),
    ) else {
        return fail(
            API,
            "VALIDATION_ERROR",
            "dateFrom and dateTo must be ISO 8601 dates",
        );
    };
    let state = sandbox.state();
    let mut found: Vec<&ShipmentRecord> = state
        .shipments
        .values()
        .filter(|s| s.created_at >= from && s.created_at <= to)
        .filter(|s| {
            search.statuses.is_empty() || search.statuses.iter().any(|w| w == s.status.word())
        })
        .collect();
    found.sort_by(|a, b| (a.created_at, &a.shipment_id).cmp(&(b.created_at, &b.shipment_id)));
    let ids: Vec<&str> = found.iter().map(|s| s.shipment_id.as_str()).collect();
    ok(json!({ "shipments": ids }))
}

#[derive(Deserialize)]
struct Get {
    shipments: Vec<Value>,
}

pub(crate) async fn get(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match sandbox.admit_merchant(&headers, &body) {
        Ok(data) => data,
        Err(refused) => return *refused,
    };
    let Ok(get) = serde_json::from_value::<Get>(data) else {
        return fail(
            API,
            "VALIDATION_ERROR",
            "shipments: a list of ids is required",
        );
    };
    if get.shipments.is_empty() || get.shipments.len() > SHIPMENTS_PER_GET {
        return fail(
            API,
            "VALIDATION_ERROR",
            format!("1..{SHIPMENTS_PER_GET} shipments per call"),
        );
    }
    let state = sandbox.state();
    let shipments: Vec<Value> = get
        .shipments
        .iter()
        .filter_map(|id| state.shipments.get(&id_of(id)))
        .map(render)
        .collect();
    ok(json!({ "shipments": shipments }))
}
