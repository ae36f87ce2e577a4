//! The prices API: upload tasks (checked as a whole, then processed at once: quarantine for a
//! price at least three times lower), the task's state and its goods.

use std::collections::{HashMap, HashSet};

use axum::extract::{Query, State};
use axum::response::Response;
use bytes::Bytes;
use chrono::Utc;
use serde_json::{Value, json};

use super::WildberriesSandbox;
use super::reply::{json as reply_json, prices_error};
use super::state::{PriceTask, SandboxPrice, TaskGood, timestamp};

const ITEMS_MAX: usize = 1000;
const QUARANTINE: &str = "The new price is several times lower than the current price. Item has been moved to Price Quarantine";

fn discounted(price: i64, discount: i64) -> i64 {
    price * (100 - discount) / 100
}

pub(crate) async fn upload_task(State(sb): State<WildberriesSandbox>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return prices_error(400, "Invalid data format");
    };
    let Some(items) = request.get("data").and_then(Value::as_array) else {
        return prices_error(400, "Invalid data format");
    };
    if items.is_empty() {
        return prices_error(400, "Empty data");
    }
    if items.len() > ITEMS_MAX {
        return prices_error(
            400,
            "Upload limit exceeded: You can upload a maximum of 10 000 items",
        );
    }
    let mut parsed = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    for item in items {
        let Some(nm) = item.get("nmID").and_then(Value::as_i64) else {
            return prices_error(400, "Invalid item No.");
        };
        if !seen.insert(nm) {
            return prices_error(400, "Duplicate item Nos.");
        }
        let price = item.get("price").filter(|p| !p.is_null());
        let discount = item.get("discount").filter(|d| !d.is_null());
        if price.is_none() && discount.is_none() {
            return prices_error(400, "Price and discount not specified");
        }
        let price = match price {
            None => None,
            Some(p) if p.is_i64() => match p.as_i64() {
                Some(value) if value > 0 => Some(value),
                _ => return prices_error(400, "Invalid price value"),
            },
            Some(p) if p.is_number() => return prices_error(400, "Price should be a whole number"),
            Some(_) => return prices_error(400, "Invalid price value"),
        };
        let discount = match discount.map(Value::as_i64) {
            None => None,
            Some(Some(d)) if (0..100).contains(&d) => Some(d),
            Some(_) => return prices_error(400, "Invalid discount value"),
        };
        parsed.push((nm, price, discount));
    }
    let canonical = serde_json::to_string(items).unwrap_or_default();
    let mut state = sb.lock();
    if let Some((last, id)) = &state.last_task
        && *last == canonical
    {
        return reply_json(
            208,
            json!({ "data": { "id": id, "alreadyExists": true },
                    "error": false, "errorText": "This task already exists" }),
        );
    }
    let mut unknown = 0;
    let mut unchanged = 0;
    for (nm, price, discount) in &parsed {
        match state.prices.get(nm) {
            _ if !state.cards.contains_key(nm) => unknown += 1,
            Some(current)
                if price.is_none_or(|p| p == current.price)
                    && discount.is_none_or(|d| d == current.discount) =>
            {
                unchanged += 1;
            }
            _ => {}
        }
    }
    if unchanged == parsed.len() {
        return prices_error(400, "The specified prices and discounts are already set");
    }
    if unknown + unchanged == parsed.len() {
        return prices_error(
            400,
            "All item Nos. are specified incorrectly, or the specified prices and discounts are already set",
        );
    }
    let id = state.next_task;
    state.next_task += 1;
    let mut goods = Vec::with_capacity(parsed.len());
    for (nm, price, discount) in parsed {
        let Some(card) = state.cards.get(&nm) else {
            goods.push(TaskGood {
                nm_id: nm,
                vendor_code: String::new(),
                chrt_id: 0,
                price: price.unwrap_or(0),
                discount: discount.unwrap_or(0),
                status: 3,
                error: "Invalid item No.".to_owned(),
            });
            continue;
        };
        let (vendor_code, chrt_id) = (card.vendor_code.clone(), card.chrt_id().unwrap_or(0));
        let current = state.prices.get(&nm).copied();
        let new = SandboxPrice {
            price: price.or(current.map(|c| c.price)).unwrap_or(0),
            discount: discount.or(current.map(|c| c.discount)).unwrap_or(0),
        };
        let quarantined = current.is_some_and(|c| {
            discounted(new.price, new.discount) * 3 <= discounted(c.price, c.discount)
        });
        if !quarantined {
            state.prices.insert(nm, new);
        }
        goods.push(TaskGood {
            nm_id: nm,
            vendor_code,
            chrt_id,
            price: new.price,
            discount: new.discount,
            status: if quarantined { 3 } else { 2 },
            error: if quarantined {
                QUARANTINE.to_owned()
            } else {
                String::new()
            },
        });
    }
    let failed = goods.iter().filter(|g| g.status == 3).count();
    let status = match failed {
        0 => 3,
        n if n == goods.len() => 6,
        _ => 5,
    };
    state.price_tasks.insert(
        id,
        PriceTask {
            id,
            status,
            uploaded_at: Utc::now(),
            goods,
        },
    );
    state.last_task = Some((canonical, id));
    reply_json(
        200,
        json!({ "data": { "id": id, "alreadyExists": false }, "error": false, "errorText": "" }),
    )
}

fn upload_id(query: &HashMap<String, String>) -> Option<i64> {
    query.get("uploadID")?.parse().ok()
}

pub(crate) async fn task(
    State(sb): State<WildberriesSandbox>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(id) = upload_id(&query) else {
        return prices_error(400, "Invalid request parameters");
    };
    let state = sb.lock();
    let data = state.price_tasks.get(&id).map(|task: &PriceTask| {
        json!({
            "uploadID": task.id,
            "status": task.status,
            "uploadDate": timestamp(task.uploaded_at),
            "activationDate": timestamp(task.uploaded_at),
            "overAllGoodsNumber": task.goods.len(),
            "successGoodsNumber": task.goods.iter().filter(|g| g.status == 2).count(),
        })
    });
    reply_json(
        200,
        json!({ "data": data, "error": false, "errorText": "" }),
    )
}

pub(crate) async fn task_goods(
    State(sb): State<WildberriesSandbox>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let limit = query.get("limit").and_then(|l| l.parse::<usize>().ok());
    let offset = query
        .get("offset")
        .map(|o| o.parse::<usize>().ok())
        .unwrap_or(Some(0));
    let (Some(id), Some(limit), Some(offset)) = (upload_id(&query), limit, offset) else {
        return prices_error(400, "Invalid request parameters");
    };
    if limit == 0 || limit > 1000 {
        return prices_error(400, "Invalid request parameters");
    }
    let state = sb.lock();
    let Some(task) = state.price_tasks.get(&id) else {
        return reply_json(
            200,
            json!({ "data": { "uploadID": id, "historyGoods": [] }, "error": false, "errorText": "" }),
        );
    };
    let goods: Vec<Value> = task
        .goods
        .iter()
        .skip(offset)
        .take(limit)
        .map(|g| {
            json!({
                "nmID": g.nm_id, "vendorCode": g.vendor_code, "sizeID": g.chrt_id,
                "techSizeName": "0", "price": g.price, "currencyIsoCode4217": "RUB",
                "discount": g.discount, "status": g.status, "errorText": g.error,
            })
        })
        .collect();
    reply_json(
        200,
        json!({ "data": { "uploadID": id, "historyGoods": goods }, "error": false, "errorText": "" }),
    )
}
