//! Products: `/v3/product/import` (tasks, create-or-update by offer_id, at most 100 items, the
//! optional per-minute item quota), `/v1/product/import/info`, `/v3/product/info/list` and
//! `/v3/product/list` (`last_id` cursor).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::seed::SeedWarehouse;
use super::state::{Product, State as SandboxState, Task, TaskItem};
use super::validate::{self, ImportRequestIn};
use super::{OzonSandbox, rpc};
use crate::connector::wire::flex_i64;

pub(crate) async fn import(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: ImportRequestIn = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let raw: Vec<Value> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("items").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    if request.items.is_empty() {
        return rpc::invalid("items: value must contain at least 1 item(s)");
    }
    if request.items.len() > 100 {
        return rpc::invalid("items: value must contain no more than 100 item(s)");
    }
    let now = Instant::now();
    let mut state = sandbox.state();
    state.settle(now);
    if let Some(quota) = sandbox.config.import_items_per_minute {
        let window = Duration::from_secs(60).div_f64(sandbox.config.pace);
        while state
            .import_window
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) >= window)
        {
            state.import_window.pop_front();
        }
        let used: u32 = state.import_window.iter().map(|(_, n)| n).sum();
        let wanted = u32::try_from(request.items.len()).unwrap_or(u32::MAX);
        if used + wanted > quota {
            let retry = state.import_window.front().map_or(window, |(at, _)| {
                window.saturating_sub(now.duration_since(*at))
            });
            return items_limited(retry, quota.saturating_sub(used));
        }
        state.import_window.push_back((now, wanted));
    }
    state.next_task_id += 1;
    let task_id = state.next_task_id;
    let mut items = Vec::with_capacity(request.items.len());
    for (item, raw) in request.items.iter().zip(raw) {
        let (errors, blocking) = validate::check(item, &sandbox.catalog);
        *state.received.entry(item.offer_id.clone()).or_default() += 1;
        *state
            .pending_offers
            .entry(item.offer_id.clone())
            .or_default() += 1;
        items.push(TaskItem {
            offer_id: item.offer_id.clone(),
            item: raw,
            errors,
            blocking,
            outcome: None,
        });
    }
    state.tasks.insert(
        task_id,
        Task {
            due: now + sandbox.config.processing_delay,
            items,
        },
    );
    state.queue.push_back(task_id);
    state.settle(now);
    rpc::ok(json!({"result": {"task_id": task_id}}))
}

/// Ozon's 429 for the per-minute item quota, with its two headers.
fn items_limited(retry: Duration, remaining: u32) -> Response {
    let seconds = retry.as_secs_f64().ceil().max(1.0);
    let message = format!(
        "You have reached operation items limits. Retry after {seconds} seconds. Remaining {remaining} items"
    );
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(rpc::error_body(429, &message)),
    )
        .into_response();
    let minutes = format!("{}", (retry.as_secs_f64() / 60.0 * 1000.0).ceil() / 1000.0);
    if let Ok(value) = HeaderValue::from_str(&minutes) {
        response.headers_mut().insert("item-retry-after", value);
    }
    response
        .headers_mut()
        .insert("item-rate-limit-remaining", HeaderValue::from(remaining));
    response
}

#[derive(Deserialize)]
struct ImportInfoRequest {
    #[serde(deserialize_with = "flex_i64")]
    task_id: i64,
}

pub(crate) async fn import_info(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: ImportInfoRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let mut state = sandbox.state();
    state.settle(Instant::now());
    let Some(task) = state.tasks.get(&request.task_id) else {
        return rpc::error(404, "task not found");
    };
    let items: Vec<Value> = task
        .items
        .iter()
        .map(|item| match &item.outcome {
            None => json!({"offer_id": item.offer_id, "product_id": 0, "status": "pending", "errors": []}),
            Some(outcome) => json!({
                "offer_id": item.offer_id,
                "product_id": outcome.product_id,
                "status": outcome.status,
                "errors": item.errors,
            }),
        })
        .collect();
    let total = items.len();
    rpc::ok(json!({"result": {"items": items, "total": total}}))
}

/// A list of ids given as strings or numbers.
fn ids(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn product_json(
    product: &Product,
    state: &SandboxState,
    warehouses: &[SeedWarehouse],
) -> Value {
    let stocks: Vec<Value> = warehouses
        .iter()
        .filter_map(|w| state.stocks.get(&(product.offer_id.clone(), w.id)))
        .map(|stock| json!({"present": stock.present, "reserved": 0, "sku": product.sku, "source": "fbs"}))
        .collect();
    let timestamp =
        |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({
        "id": product.product_id,
        "offer_id": product.offer_id,
        "sku": product.sku,
        "name": product.name,
        "barcodes": product.barcode.iter().collect::<Vec<_>>(),
        "price": product.price.to_string(),
        "old_price": product.old_price.map(|p| p.to_string()).unwrap_or_default(),
        "min_price": "",
        "vat": product.vat,
        "currency_code": "RUB",
        "images": product.images,
        "primary_image": product.images.first().into_iter().collect::<Vec<_>>(),
        "description_category_id": product.description_category_id,
        "type_id": product.type_id,
        "is_archived": false,
        "is_autoarchived": false,
        "is_discounted": false,
        "errors": [],
        "statuses": {
            "status": "price_sent",
            "status_name": "Готов к продаже",
            "moderate_status": "approved",
            "validation_status": "success",
            "is_created": true,
            "status_failed": "",
        },
        "stocks": {"has_stock": !stocks.is_empty(), "stocks": stocks},
        "created_at": timestamp(product.created_at),
        "updated_at": timestamp(product.updated_at),
    })
}

pub(crate) async fn info_list(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: Value = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let offers = ids(request.get("offer_id"));
    let products = ids(request.get("product_id"));
    let skus = ids(request.get("sku"));
    if offers.len() + products.len() + skus.len() > 1000 {
        return rpc::invalid("at most 1000 offer_id, product_id and sku in total");
    }
    let mut state = sandbox.state();
    state.settle(Instant::now());
    let numbered = |map: &HashMap<i64, String>, id: &String| {
        id.parse::<i64>().ok().and_then(|n| map.get(&n).cloned())
    };
    let offer_ids: Vec<String> = offers
        .into_iter()
        .chain(products.iter().filter_map(|p| {
            p.parse::<i64>()
                .ok()
                .and_then(|n| state.by_product_id.get(&n).cloned())
        }))
        .chain(skus.iter().filter_map(|s| numbered(&state.by_sku, s)))
        .collect();
    let mut seen = HashSet::new();
    let items: Vec<Value> = offer_ids
        .iter()
        .filter(|o| seen.insert(o.as_str()))
        .filter_map(|o| state.products.get(o))
        .map(|p| product_json(p, &state, &sandbox.config.warehouses))
        .collect();
    rpc::ok(json!({ "items": items }))
}

#[derive(Deserialize)]
struct ProductListRequest {
    #[serde(default)]
    filter: Option<Value>,
    #[serde(default)]
    last_id: String,
    #[serde(default, deserialize_with = "flex_i64")]
    limit: i64,
}

fn encode_cursor(product_id: i64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("[{product_id},{product_id}]"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor.trim())
        .ok()?;
    let ids: Vec<i64> = serde_json::from_slice(&bytes).ok()?;
    ids.first().copied()
}

pub(crate) async fn product_list(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: ProductListRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let limit = if request.limit == 0 {
        100
    } else {
        request.limit
    };
    if !(1..=1000).contains(&limit) {
        return rpc::invalid("limit: value must be inside range [1, 1000]");
    }
    let after = if request.last_id.is_empty() {
        None
    } else {
        match decode_cursor(&request.last_id) {
            Some(id) => Some(id),
            None => return rpc::invalid("last_id: invalid cursor"),
        }
    };
    let filter = request.filter.unwrap_or(Value::Null);
    let offers = ids(filter.get("offer_id"));
    let products = ids(filter.get("product_id"));
    let mut state = sandbox.state();
    state.settle(Instant::now());
    let item = |p: &Product| {
        json!({"product_id": p.product_id, "offer_id": p.offer_id, "archived": false,
               "has_fbo_stocks": false, "has_fbs_stocks": false, "is_discounted": false, "quants": []})
    };
    let total = state.products.len();
    let (items, last): (Vec<Value>, Option<i64>) = if !offers.is_empty() || !products.is_empty() {
        let chosen: Vec<&Product> = offers
            .iter()
            .filter_map(|o| state.products.get(o))
            .chain(products.iter().filter_map(|p| {
                p.parse::<i64>()
                    .ok()
                    .and_then(|n| state.by_product_id.get(&n))
                    .and_then(|o| state.products.get(o))
            }))
            .collect();
        (chosen.iter().map(|p| item(p)).collect(), None)
    } else {
        let start = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
        let page: Vec<&Product> = state
            .by_product_id
            .range((start, std::ops::Bound::Unbounded))
            .take(usize::try_from(limit).unwrap_or(1000))
            .filter_map(|(_, offer)| state.products.get(offer))
            .collect();
        let last = page.last().map(|p| p.product_id).or(after);
        (page.iter().map(|p| item(p)).collect(), last)
    };
    let last_id = last.map(encode_cursor).unwrap_or_default();
    rpc::ok(json!({"result": {"items": items, "total": total, "last_id": last_id}}))
}
