//! FBS orders: created by [`super::YandexMarketSandbox::emit_order`] in `PROCESSING` /
//! `STARTED`, listed by `GET /v2/campaigns/{campaignId}/orders` (`updatedAtFrom` / `updatedAtTo`
//! within 30 days, `limit` ≤ 50, `pageToken`), read by `GET …/orders/{orderId}`, moved by
//! `PUT …/orders/{orderId}/status` (`STARTED` → `READY_TO_SHIP`, or cancelled by the shop), and
//! labelled by `GET …/orders/{orderId}/delivery/labels` once ready to ship.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use http::StatusCode;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::YandexMarketSandbox;
use super::http::{Refusal, bad_request, json_ok, not_found};
use super::pdf;
use super::reads::{limit, position, query_map, token};
use super::state::{OrderRecord, State as SandboxState};
use crate::quotas;
use crate::wire::orders::{
    Buyer, DATE, DATE_TIME, Delivery, DeliveryDates, MOSCOW_OFFSET_SECONDS, Order, OrderAnswer,
    OrderItem, OrdersPage, Pager, Region, Shipment, StatusChangeRequest,
};

/// One line of an order to emit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub offer_id: String,
    pub quantity: u32,
    /// Unit price the buyer pays, in roubles.
    pub price: Decimal,
}

/// `time` in the Market's format and time zone (Moscow).
fn moscow(time: DateTime<Utc>, format: &str) -> String {
    match FixedOffset::east_opt(MOSCOW_OFFSET_SECONDS) {
        Some(offset) => time.with_timezone(&offset).format(format).to_string(),
        None => time.format(format).to_string(),
    }
}

/// Builds an order in the Market's shape and keeps it.
pub(super) fn emit(state: &mut SandboxState, lines: &[OrderLine], now: DateTime<Utc>) -> i64 {
    let id = state.new_order_id();
    let mut items = Vec::with_capacity(lines.len());
    let mut total = Decimal::ZERO;
    for line in lines {
        let name = state
            .offers
            .get(&line.offer_id)
            .and_then(|o| o.offer.name.clone())
            .unwrap_or_else(|| line.offer_id.clone());
        let price = line.price.round_dp(2).to_f64().unwrap_or_default();
        total += line.price * Decimal::from(line.quantity);
        items.push(OrderItem {
            id: state.next_item,
            offer_id: line.offer_id.clone(),
            offer_name: name,
            price,
            buyer_price: price,
            buyer_price_before_discount: price,
            count: i64::from(line.quantity),
            vat: Some("VAT_20".to_owned()),
            shop_sku: None,
        });
        state.next_item += 1;
    }
    let total = total.round_dp(2).to_f64().unwrap_or_default();
    let order = Order {
        id,
        status: "PROCESSING".to_owned(),
        substatus: "STARTED".to_owned(),
        creation_date: moscow(now, DATE_TIME),
        updated_at: Some(moscow(now, DATE_TIME)),
        currency: "RUR".to_owned(),
        items_total: total,
        delivery_total: 0.0,
        buyer_items_total_before_discount: total,
        payment_type: "PREPAID".to_owned(),
        payment_method: "YANDEX".to_owned(),
        fake: false,
        items,
        delivery: Delivery {
            kind: "DELIVERY".to_owned(),
            service_name: "Доставка Маркета".to_owned(),
            delivery_partner_type: "YANDEX_MARKET".to_owned(),
            dates: DeliveryDates {
                from_date: moscow(now + Duration::days(3), DATE),
                to_date: Some(moscow(now + Duration::days(3), DATE)),
            },
            delivery_service_id: 1_006_360,
            region: Some(Region {
                id: 213,
                name: "Москва".to_owned(),
                kind: "CITY".to_owned(),
            }),
            shipments: Some(vec![Shipment {
                shipment_date: Some(moscow(now + Duration::days(1), DATE)),
            }]),
            dispatch_type: None,
        },
        buyer: Buyer {
            kind: "PERSON".to_owned(),
            first_name: None,
            last_name: None,
        },
        tax_system: "OSN".to_owned(),
        expiry_date: Some(moscow(now + Duration::days(1), DATE_TIME)),
    };
    state.orders.insert(
        id,
        OrderRecord {
            order,
            updated: now,
        },
    );
    id
}

pub(super) async fn list(
    State(sandbox): State<YandexMarketSandbox>,
    Path(campaign): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    sandbox.check_campaign(&campaign)?;
    let query = query_map(query);
    let limit = limit(&query, quotas::ORDERS_PER_PAGE, quotas::ORDERS_PER_PAGE)?;
    let from = time_param(&query, "updatedAtFrom")?;
    let to = time_param(&query, "updatedAtTo")?;
    if let (Some(from), Some(to)) = (from, to)
        && (to < from || to - from > Duration::days(30))
    {
        return Err(bad_request(
            "BAD_REQUEST",
            "updatedAtFrom–updatedAtTo must be an interval of at most 30 days",
        ));
    }
    let start = position(&query)?;
    let state = sandbox.state();
    let selected: Vec<&OrderRecord> = state
        .orders
        .values()
        .filter(|o| from.is_none_or(|f| o.updated >= f) && to.is_none_or(|t| o.updated < t))
        .collect();
    let page: Vec<Order> = selected
        .iter()
        .skip(start)
        .take(limit)
        .map(|o| o.order.clone())
        .collect();
    let end = start + page.len();
    let next = (end < selected.len()).then(|| token(end));
    let as_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    Ok(json_ok(&OrdersPage {
        pager: Some(Pager {
            total: as_i32(selected.len()),
            from: as_i32(start + 1),
            to: as_i32(end),
            page_size: as_i32(limit),
        }),
        orders: page,
        paging: Some(crate::wire::Paging {
            next_page_token: next,
        }),
    }))
}

fn time_param(
    query: &std::collections::HashMap<String, String>,
    name: &str,
) -> Result<Option<DateTime<Utc>>, Refusal> {
    query
        .get(name)
        .map(|text| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    bad_request(
                        "BAD_REQUEST",
                        format!("{name} «{text}» is not ISO 8601 with an offset"),
                    )
                })
        })
        .transpose()
}

fn order_id(text: &str) -> Result<i64, Refusal> {
    text.parse::<i64>()
        .map_err(|_| bad_request("BAD_REQUEST", format!("orderId «{text}» is not a number")))
}

pub(super) async fn one(
    State(sandbox): State<YandexMarketSandbox>,
    Path((campaign, order)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    sandbox.check_campaign(&campaign)?;
    let id = order_id(&order)?;
    let state = sandbox.state();
    let record = state
        .orders
        .get(&id)
        .ok_or_else(|| not_found(format!("Order {id} not found")))?;
    Ok(json_ok(&OrderAnswer {
        order: record.order.clone(),
    }))
}

pub(super) async fn status(
    State(sandbox): State<YandexMarketSandbox>,
    Path((campaign, order)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Refusal> {
    sandbox.check_campaign(&campaign)?;
    let id = order_id(&order)?;
    let request: StatusChangeRequest = serde_json::from_slice(&body)
        .map_err(|e| bad_request("BAD_REQUEST", format!("Invalid request body: {e}")))?;
    let now = Utc::now();
    let mut state = sandbox.state();
    let record = state
        .orders
        .get_mut(&id)
        .ok_or_else(|| not_found(format!("Order {id} not found")))?;
    let to = (
        request.order.status.as_str(),
        request.order.substatus.as_deref().unwrap_or(""),
    );
    let from = (
        record.order.status.as_str(),
        record.order.substatus.as_str(),
    );
    let allowed = matches!(
        (from, to),
        (("PROCESSING", "STARTED"), ("PROCESSING", "READY_TO_SHIP"))
            | (
                ("PROCESSING", "STARTED" | "READY_TO_SHIP"),
                ("CANCELLED", "SHOP_FAILED")
            )
    );
    if !allowed {
        return Err(bad_request(
            "STATUS_NOT_ALLOWED",
            format!(
                "Order {id} cannot go from {}/{} to {}/{}",
                from.0, from.1, to.0, to.1
            ),
        ));
    }
    record.order.status = to.0.to_owned();
    record.order.substatus = to.1.to_owned();
    record.order.updated_at = Some(moscow(now, DATE_TIME));
    record.updated = now;
    Ok(json_ok(&OrderAnswer {
        order: record.order.clone(),
    }))
}

pub(super) async fn labels(
    State(sandbox): State<YandexMarketSandbox>,
    Path((campaign, order)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    sandbox.check_campaign(&campaign)?;
    let id = order_id(&order)?;
    let state = sandbox.state();
    let record = state
        .orders
        .get(&id)
        .ok_or_else(|| not_found(format!("Order {id} not found")))?;
    let order = &record.order;
    if !(order.status == "PROCESSING"
        && matches!(order.substatus.as_str(), "READY_TO_SHIP" | "SHIPPED"))
    {
        return Err(bad_request(
            "STATUS_NOT_ALLOWED",
            format!(
                "Order {id} is {}/{}: labels are available once it is PROCESSING/READY_TO_SHIP",
                order.status, order.substatus
            ),
        ));
    }
    let lines: Vec<String> = order
        .items
        .iter()
        .map(|i| format!("{} x {}", i.offer_id, i.count))
        .collect();
    let bytes = pdf::label(id, &lines);
    Ok((
        StatusCode::OK,
        [(http::header::CONTENT_TYPE, "application/pdf")],
        bytes,
    )
        .into_response())
}
