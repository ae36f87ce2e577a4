//! FBS postings: `/v4/posting/fbs/list` (period ≤ 1 year, cursor pages ≤ 100),
//! `/v3/posting/fbs/get`, `/v4/posting/fbs/ship` (awaiting_packaging → awaiting_deliver, one
//! posting per package) and `/v2/posting/fbs/package-label` (raw PDF, awaiting_deliver only).

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use http::{StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};

use super::state::Posting;
use super::{OzonSandbox, pdf, rpc};
use crate::connector::wire::flex_i64;

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn delivery_method(posting: &Posting) -> Value {
    json!({
        "id": 1_020_000_089_903_000_i64,
        "name": "Доставка Ozon самостоятельно",
        "warehouse_id": posting.warehouse_id,
        "warehouse": posting.warehouse_name,
        "tpl_provider_id": 24,
        "tpl_provider": "Доставка Ozon",
    })
}

/// A posting as `/v4/posting/fbs/list` gives it.
fn v4_json(posting: &Posting) -> Value {
    let products: Vec<Value> = posting
        .lines
        .iter()
        .map(|l| {
            json!({
                "sku": l.sku, "offer_id": l.offer_id, "name": l.name, "quantity": l.quantity,
                "price": {"amount": l.price.to_string(), "currency": "RUB"},
                "imei": [], "is_marketplace_buyout": false, "is_blr_traceable": false,
            })
        })
        .collect();
    json!({
        "posting_number": posting.posting_number,
        "order_id": posting.order_id,
        "order_number": posting.order_number,
        "parent_posting_number": posting.parent_posting_number,
        "status": posting.status,
        "substatus": posting.substatus,
        "in_process_at": timestamp(posting.in_process_at),
        "shipment_date": timestamp(posting.shipment_date),
        "delivery_method": delivery_method(posting),
        "tracking_number": "",
        "tpl_integration_type": "ozon",
        "products": products,
        "addressee": {"name": posting.customer_name},
        "barcodes": {"upper_barcode": format!("%{}%", posting.order_id), "lower_barcode": format!("{}", posting.order_id)},
        "available_actions": available_actions(posting),
        "is_express": false,
        "is_multibox": false,
        "multi_box_qty": 1,
    })
}

fn available_actions(posting: &Posting) -> Vec<&'static str> {
    match posting.status.as_str() {
        "awaiting_packaging" => vec!["ship", "cancel"],
        "awaiting_deliver" => vec!["package_label", "cancel"],
        _ => Vec::new(),
    }
}

/// A posting as `/v3/posting/fbs/get` gives it.
fn v3_json(posting: &Posting) -> Value {
    let products: Vec<Value> = posting
        .lines
        .iter()
        .map(|l| {
            json!({
                "sku": l.sku, "offer_id": l.offer_id, "name": l.name, "quantity": l.quantity,
                "price": l.price.to_string(), "currency_code": "RUB",
            })
        })
        .collect();
    json!({
        "posting_number": posting.posting_number,
        "order_id": posting.order_id,
        "order_number": posting.order_number,
        "parent_posting_number": posting.parent_posting_number,
        "status": posting.status,
        "substatus": posting.substatus,
        "in_process_at": timestamp(posting.in_process_at),
        "shipment_date": timestamp(posting.shipment_date),
        "delivery_method": delivery_method(posting),
        "tracking_number": "",
        "tpl_integration_type": "ozon",
        "products": products,
        "is_express": false,
        "is_multibox": false,
        "multi_box_qty": 1,
    })
}

#[derive(Deserialize)]
struct ListRequest {
    filter: ListFilter,
    #[serde(deserialize_with = "flex_i64")]
    limit: i64,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    sort_dir: Option<String>,
}

#[derive(Deserialize)]
struct ListFilter {
    since: DateTime<Utc>,
    to: DateTime<Utc>,
    #[serde(default)]
    statuses: Vec<String>,
    #[serde(default)]
    warehouse_ids: Vec<Value>,
    #[serde(default)]
    last_changed_status_date: Option<Period>,
}

#[derive(Deserialize)]
struct Period {
    #[serde(default)]
    from: Option<DateTime<Utc>>,
    #[serde(default)]
    to: Option<DateTime<Utc>>,
}

fn decode_offset(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

pub(crate) async fn list(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: ListRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if !(1..=100).contains(&request.limit) {
        return rpc::invalid("limit: value must be inside range [1, 100]");
    }
    let filter = &request.filter;
    if filter.to < filter.since || filter.to - filter.since > chrono::Duration::days(366) {
        return rpc::invalid("filter: the period must not be longer than one year");
    }
    let offset = if request.cursor.is_empty() {
        0
    } else {
        match decode_offset(&request.cursor) {
            Some(offset) => offset,
            None => return rpc::invalid("cursor: invalid value"),
        }
    };
    let warehouses: Vec<i64> = filter
        .warehouse_ids
        .iter()
        .filter_map(|w| {
            w.as_i64()
                .or_else(|| w.as_str().and_then(|s| s.parse().ok()))
        })
        .collect();
    let state = sandbox.state();
    let mut matching: Vec<&Posting> = state
        .posting_order
        .iter()
        .filter_map(|n| state.postings.get(n))
        .filter(|p| p.in_process_at >= filter.since && p.in_process_at <= filter.to)
        .filter(|p| filter.statuses.is_empty() || filter.statuses.contains(&p.status))
        .filter(|p| warehouses.is_empty() || warehouses.contains(&p.warehouse_id))
        .filter(|p| {
            filter
                .last_changed_status_date
                .as_ref()
                .is_none_or(|period| {
                    period.from.is_none_or(|from| p.status_changed_at >= from)
                        && period.to.is_none_or(|to| p.status_changed_at <= to)
                })
        })
        .collect();
    matching.sort_by_key(|p| p.in_process_at);
    if request
        .sort_dir
        .as_deref()
        .is_some_and(|d| d.eq_ignore_ascii_case("desc"))
    {
        matching.reverse();
    }
    let limit = usize::try_from(request.limit).unwrap_or(100);
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| v4_json(p))
        .collect();
    let next = offset + page.len();
    let has_next = next < matching.len();
    let cursor = if has_next {
        base64::engine::general_purpose::STANDARD.encode(format!("offset:{next}"))
    } else {
        String::new()
    };
    rpc::ok(json!({"postings": page, "cursor": cursor, "has_next": has_next}))
}

#[derive(Deserialize)]
struct GetRequest {
    posting_number: String,
}

pub(crate) async fn get(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: GetRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let state = sandbox.state();
    match state.postings.get(&request.posting_number) {
        Some(posting) => rpc::ok(json!({ "result": v3_json(posting) })),
        None => rpc::error(404, "POSTING_NOT_FOUND"),
    }
}

#[derive(Deserialize)]
struct ShipRequest {
    posting_number: String,
    packages: Vec<PackageIn>,
    #[serde(default)]
    with: Option<ShipWith>,
}

#[derive(Deserialize)]
struct PackageIn {
    products: Vec<PackedIn>,
}

#[derive(Deserialize)]
struct PackedIn {
    #[serde(deserialize_with = "flex_i64")]
    product_id: i64,
    quantity: u32,
}

#[derive(Deserialize)]
struct ShipWith {
    #[serde(default)]
    additional_data: bool,
}

pub(crate) async fn ship(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: ShipRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut state = sandbox.state();
    let Some(posting) = state.postings.get(&request.posting_number).cloned() else {
        return rpc::error(404, "POSTING_NOT_FOUND");
    };
    match posting.status.as_str() {
        "awaiting_packaging" => {}
        "awaiting_deliver" | "delivering" | "delivered" | "driver_pickup" => {
            return rpc::invalid("POSTING_ALREADY_SHIPPED");
        }
        _ => return rpc::invalid("INVALID_POSTING_STATUS"),
    }
    if request.packages.is_empty() || request.packages.iter().any(|p| p.products.is_empty()) {
        return rpc::invalid("packages: every package must hold products");
    }
    let mut ordered: BTreeMap<i64, u32> = BTreeMap::new();
    for line in &posting.lines {
        *ordered.entry(line.sku).or_default() += line.quantity;
    }
    let mut packed: BTreeMap<i64, u32> = BTreeMap::new();
    for product in request.packages.iter().flat_map(|p| &p.products) {
        *packed.entry(product.product_id).or_default() += product.quantity;
    }
    if packed != ordered {
        return rpc::invalid("PRODUCTS_DO_NOT_MATCH_POSTING");
    }
    let now = Utc::now();
    let mut numbers = Vec::with_capacity(request.packages.len());
    for (index, package) in request.packages.iter().enumerate() {
        let mut split = posting.clone();
        if index > 0 {
            split.posting_number = format!("{}-{}", posting.order_number, index + 1);
            split.parent_posting_number = posting.posting_number.clone();
        }
        split.lines = package
            .products
            .iter()
            .filter_map(|p| {
                let line = posting.lines.iter().find(|l| l.sku == p.product_id)?;
                Some(super::state::PostingLine {
                    quantity: p.quantity,
                    ..line.clone()
                })
            })
            .collect();
        split.status = "awaiting_deliver".to_owned();
        split.substatus = "posting_registered".to_owned();
        split.status_changed_at = now;
        split.shipped = Some(Instant::now());
        if index > 0 {
            state.posting_order.push(split.posting_number.clone());
        }
        numbers.push(split.posting_number.clone());
        state.postings.insert(split.posting_number.clone(), split);
    }
    let mut answer = json!({ "result": numbers });
    if request.with.is_some_and(|w| w.additional_data) {
        let data: Vec<Value> = numbers
            .iter()
            .filter_map(|n| state.postings.get(n))
            .map(|p| {
                let products: Vec<Value> = p.lines.iter().map(|l| json!({
                    "sku": l.sku, "offer_id": l.offer_id, "name": l.name, "quantity": l.quantity,
                    "price": l.price.to_string(), "currency_code": "RUB", "mandatory_mark": [],
                })).collect();
                json!({"posting_number": p.posting_number, "products": products})
            })
            .collect();
        answer["additional_data"] = Value::Array(data);
    }
    rpc::ok(answer)
}

#[derive(Deserialize)]
struct LabelRequest {
    posting_number: Vec<String>,
}

pub(crate) async fn label(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: LabelRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if request.posting_number.is_empty() || request.posting_number.len() > 20 {
        return rpc::invalid("posting_number: value must contain 1 to 20 item(s)");
    }
    let state = sandbox.state();
    for number in &request.posting_number {
        let Some(posting) = state.postings.get(number) else {
            return rpc::error(404, "POSTING_NOT_FOUND");
        };
        let ready = posting.status == "awaiting_deliver"
            && posting
                .shipped
                .is_some_and(|at| at.elapsed() >= sandbox.config.label_delay);
        if !ready {
            return rpc::invalid("The next postings aren't ready");
        }
    }
    let bytes = pdf::labels(&request.posting_number);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/pdf")],
        bytes,
    )
        .into_response()
}
