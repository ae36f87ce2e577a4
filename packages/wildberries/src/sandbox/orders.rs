//! FBS orders: new ones, the history (window ≤ 30 days, `next` paging), statuses, supplies
//! (create; add orders → `confirm`; one warehouse and one cargo type per supply) and stickers
//! (PNG/SVG, base64, only for `confirm` and `complete`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::WildberriesSandbox;
use super::png;
use super::reply::{json as reply_json, market_error, no_content};
use super::state::{SandboxOrder, SandboxSupply};

const WINDOW_SECS: i64 = 30 * 24 * 3600;

fn bad_parameter() -> Response {
    market_error(400, "IncorrectParameter", "Передан некорректный параметр")
}

fn bad_body() -> Response {
    market_error(400, "IncorrectRequestBody", "Некорректное тело запроса")
}

/// An order in the shape of `/api/v3/orders/new` (`fresh`) or `/api/v3/orders`.
fn order_json(order: &SandboxOrder, fresh: bool) -> Value {
    let mut value = json!({
        "id": order.id,
        "rid": order.rid,
        "orderUid": order.order_uid,
        "createdAt": order.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "article": order.article,
        "colorCode": "",
        "nmId": order.nm_id,
        "chrtId": order.chrt_id,
        "skus": order.skus,
        "warehouseId": order.warehouse_id,
        "officeId": order.office_id,
        "offices": ["Подольск"],
        "price": order.price,
        "convertedPrice": order.price,
        "currencyCode": 643,
        "convertedCurrencyCode": 643,
        "cargoType": order.cargo_type,
        "deliveryType": "fbs",
        "comment": "",
        "isZeroOrder": false,
        "options": { "isB2b": false },
    });
    if fresh {
        value["finalPrice"] = json!(order.price);
        value["convertedFinalPrice"] = json!(order.price);
        value["salePrice"] = json!(order.price);
        value["requiredMeta"] = json!([]);
        value["optionalMeta"] = json!([]);
        value["scanPrice"] = Value::Null;
    } else if let Some(supply) = &order.supply_id {
        value["supplyId"] = json!(supply);
    }
    value
}

pub(crate) async fn new_orders(State(sb): State<WildberriesSandbox>) -> Response {
    let state = sb.lock();
    let orders: Vec<Value> = state
        .orders
        .values()
        .filter(|o| o.supplier_status == "new" && o.wb_status == "waiting")
        .map(|o| order_json(o, true))
        .collect();
    reply_json(200, json!({ "orders": orders }))
}

pub(crate) async fn orders(
    State(sb): State<WildberriesSandbox>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let number = |key: &str| query.get(key).map(|v| v.parse::<i64>().ok());
    let (Some(Some(limit)), Some(Some(next))) = (number("limit"), number("next")) else {
        return bad_parameter();
    };
    if !(1..=1000).contains(&limit) || next < 0 {
        return bad_parameter();
    }
    let now = Utc::now().timestamp();
    let to = match number("dateTo") {
        None => now,
        Some(Some(to)) => to,
        Some(None) => return bad_parameter(),
    };
    let from = match number("dateFrom") {
        None => to - WINDOW_SECS,
        Some(Some(from)) => from,
        Some(None) => return bad_parameter(),
    };
    if from > to || to - from > WINDOW_SECS {
        return bad_parameter();
    }
    let (Some(from), Some(to)) = (
        DateTime::<Utc>::from_timestamp(from, 0),
        DateTime::<Utc>::from_timestamp(to + 1, 0),
    ) else {
        return bad_parameter();
    };
    let state = sb.lock();
    let page: Vec<&SandboxOrder> = state
        .orders
        .range(next + 1..)
        .map(|(_, o)| o)
        .filter(|o| o.created_at >= from && o.created_at < to)
        .take(limit as usize)
        .collect();
    let next = page.last().map_or(next, |o| o.id);
    let orders: Vec<Value> = page.into_iter().map(|o| order_json(o, false)).collect();
    reply_json(200, json!({ "next": next, "orders": orders }))
}

fn order_ids(body: &[u8], max: usize) -> Option<Vec<i64>> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let ids = request.get("orders")?.as_array()?;
    if ids.is_empty() || ids.len() > max {
        return None;
    }
    ids.iter().map(Value::as_i64).collect()
}

pub(crate) async fn statuses(State(sb): State<WildberriesSandbox>, body: Bytes) -> Response {
    let Some(ids) = order_ids(&body, 1000) else {
        return bad_body();
    };
    let state = sb.lock();
    let orders: Vec<Value> = ids
        .iter()
        .filter_map(|id| state.orders.get(id))
        .map(
            |o| json!({ "id": o.id, "supplierStatus": o.supplier_status, "wbStatus": o.wb_status }),
        )
        .collect();
    reply_json(200, json!({ "orders": orders }))
}

pub(crate) async fn create_supply(State(sb): State<WildberriesSandbox>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(name) = request
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| (1..=128).contains(&n.chars().count()))
    else {
        return bad_body();
    };
    let mut state = sb.lock();
    let id = format!("WB-GI-{}", state.next_supply);
    state.next_supply += 1;
    state.supplies.insert(
        id.clone(),
        SandboxSupply {
            id: id.clone(),
            name: name.to_owned(),
            created_at: Utc::now(),
            done: false,
            warehouse_id: None,
            cargo_type: None,
            orders: Vec::new(),
        },
    );
    reply_json(201, json!({ "id": id }))
}

pub(crate) async fn add_to_supply(
    State(sb): State<WildberriesSandbox>,
    Path(supply_id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(ids) = order_ids(&body, 100) else {
        return bad_parameter();
    };
    let mut state = sb.lock();
    let Some(supply) = state.supplies.get(&supply_id).cloned() else {
        return market_error(404, "NotFound", "Не найдено");
    };
    let refused = || {
        market_error(
            409,
            "FailedToAddSupplyOrder",
            "Не удалось закрепить сборочное задание за поставкой. Убедитесь, что сборочное задание и поставка удовлетворяют всем необходимым требованиям.",
        )
    };
    if supply.done {
        return refused();
    }
    let (mut warehouse, mut cargo) = (supply.warehouse_id, supply.cargo_type);
    for id in &ids {
        let Some(order) = state.orders.get(id) else {
            return refused();
        };
        let movable = matches!(order.supplier_status.as_str(), "new" | "confirm");
        if !movable
            || warehouse.is_some_and(|w| w != order.warehouse_id)
            || cargo.is_some_and(|c| c != order.cargo_type)
        {
            return refused();
        }
        warehouse = Some(order.warehouse_id);
        cargo = Some(order.cargo_type);
    }
    for id in &ids {
        let previous = state.orders.get(id).and_then(|o| o.supply_id.clone());
        if let Some(previous) = previous.filter(|p| *p != supply_id)
            && let Some(old) = state.supplies.get_mut(&previous)
        {
            old.orders.retain(|o| o != id);
        }
        if let Some(order) = state.orders.get_mut(id) {
            order.supplier_status = "confirm".to_owned();
            order.supply_id = Some(supply_id.clone());
        }
    }
    if let Some(supply) = state.supplies.get_mut(&supply_id) {
        supply.warehouse_id = warehouse;
        supply.cargo_type = cargo;
        for id in ids {
            if !supply.orders.contains(&id) {
                supply.orders.push(id);
            }
        }
    }
    no_content()
}

pub(crate) async fn stickers(
    State(sb): State<WildberriesSandbox>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let kind = query.get("type").map(String::as_str);
    let size = (
        query.get("width").and_then(|w| w.parse::<u32>().ok()),
        query.get("height").and_then(|h| h.parse::<u32>().ok()),
    );
    let (width, height) = match size {
        (Some(58), Some(40)) => (58, 40),
        (Some(40), Some(30)) => (40, 30),
        _ => return bad_parameter(),
    };
    if !matches!(kind, Some("png" | "svg" | "zplv" | "zplh")) {
        return bad_parameter();
    }
    let Some(ids) = order_ids(&body, 100) else {
        return bad_body();
    };
    let state = sb.lock();
    let engine = base64::engine::general_purpose::STANDARD;
    let stickers: Vec<Value> = ids
        .iter()
        .filter_map(|id| state.orders.get(id))
        .filter(|o| matches!(o.supplier_status.as_str(), "confirm" | "complete"))
        .map(|o| {
            let part_a = format!("{:06}", o.id / 10_000 % 1_000_000);
            let part_b = format!("{:04}", o.id % 10_000);
            let file = match kind {
                Some("png") => png::sticker(o.id, width * 10, height * 10),
                Some("svg") => format!(
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\"><text x=\"10\" y=\"40\">{part_a} {part_b}</text></svg>",
                    width * 10,
                    height * 10
                )
                .into_bytes(),
                _ => format!("^XA^FO50,50^FD{part_a} {part_b}^FS^XZ").into_bytes(),
            };
            json!({
                "orderId": o.id, "partA": part_a, "partB": part_b,
                "barcode": format!("*{}", o.id), "file": engine.encode(file),
            })
        })
        .collect();
    reply_json(200, json!({ "stickers": stickers }))
}
