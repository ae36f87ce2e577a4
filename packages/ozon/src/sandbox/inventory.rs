//! Prices (`/v1/product/import/prices`, ≤1000, 10 changes per product an hour), FBS stocks
//! (`/v2/products/stocks`, ≤100 pairs, once per pair every 30 s, only for created products) and
//! the warehouse list (`/v2/warehouse/list`).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::state::{State as SandboxState, Stock};
use super::{OzonSandbox, rpc};
use crate::connector::wire::flex_i64;

/// An item error of a price or stock result.
fn item_error(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}

/// The product an item names: offer_id wins over product_id. Unknown → `NOT_FOUND`; known only
/// from an import still processing → `PRODUCT_IS_NOT_CREATED`.
fn resolve(state: &SandboxState, offer_id: &str, product_id: i64) -> Result<(String, i64), Value> {
    let offer = if offer_id.is_empty() {
        state.by_product_id.get(&product_id).cloned()
    } else {
        Some(offer_id.to_owned())
    };
    match offer.as_ref().and_then(|o| state.products.get(o)) {
        Some(product) => Ok((product.offer_id.clone(), product.product_id)),
        None if offer
            .as_ref()
            .is_some_and(|o| state.pending_offers.contains_key(o)) =>
        {
            Err(item_error(
                "PRODUCT_IS_NOT_CREATED",
                "product is not created yet",
            ))
        }
        None => Err(item_error("NOT_FOUND", "product not found")),
    }
}

#[derive(Deserialize)]
struct PricesRequest {
    prices: Vec<PriceIn>,
}

#[derive(Deserialize)]
struct PriceIn {
    #[serde(default)]
    offer_id: String,
    #[serde(default, deserialize_with = "flex_i64")]
    product_id: i64,
    #[serde(default)]
    price: String,
    #[serde(default)]
    old_price: Option<String>,
    #[serde(default)]
    currency_code: Option<String>,
}

pub(crate) async fn prices(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: PricesRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if request.prices.is_empty() || request.prices.len() > 1000 {
        return rpc::invalid("prices: value must contain 1 to 1000 item(s)");
    }
    let now = Instant::now();
    let hour = Duration::from_secs(3600).div_f64(sandbox.config.pace);
    let mut state = sandbox.state();
    state.settle(now);
    let mut result = Vec::with_capacity(request.prices.len());
    for item in &request.prices {
        let outcome = resolve(&state, &item.offer_id, item.product_id).and_then(|(offer, id)| {
            let price: Decimal = item
                .price
                .trim()
                .parse()
                .ok()
                .filter(|p: &Decimal| *p > Decimal::ZERO)
                .ok_or_else(|| item_error("INVALID_PRICE", "price must be a positive amount"))?;
            let old_price = match item.old_price.as_deref().map(str::trim) {
                None | Some("" | "0") => None,
                Some(old) => match old.parse::<Decimal>() {
                    Ok(old) if old > price => Some(old),
                    _ => {
                        return Err(item_error(
                            "INVALID_OLD_PRICE",
                            "old_price must be greater than price",
                        ));
                    }
                },
            };
            if item
                .currency_code
                .as_deref()
                .is_some_and(|c| !c.is_empty() && c != "RUB")
            {
                return Err(item_error(
                    "CURRENCY_DIFFERS_FROM_CONTRACT",
                    "currency differs from the contract currency RUB",
                ));
            }
            let changes = state
                .price_changes
                .entry(offer.clone())
                .or_insert_with(VecDeque::new);
            while changes
                .front()
                .is_some_and(|at| now.duration_since(*at) >= hour)
            {
                changes.pop_front();
            }
            if changes.len() >= 10 {
                return Err(item_error(
                    "TOO_MANY_REQUESTS",
                    "the price of a product can change at most 10 times an hour",
                ));
            }
            changes.push_back(now);
            if let Some(product) = state.products.get_mut(&offer) {
                product.price = price;
                product.old_price = old_price;
            }
            Ok((offer, id))
        });
        result.push(match outcome {
            Ok((offer, id)) => json!({"product_id": id, "offer_id": offer, "updated": true, "errors": []}),
            Err(error) => json!({"product_id": item.product_id, "offer_id": item.offer_id, "updated": false, "errors": [error]}),
        });
    }
    rpc::ok(json!({ "result": result }))
}

#[derive(Deserialize)]
struct StocksRequest {
    stocks: Vec<StockIn>,
}

#[derive(Deserialize)]
struct StockIn {
    #[serde(default)]
    offer_id: String,
    #[serde(deserialize_with = "flex_i64")]
    product_id: i64,
    #[serde(deserialize_with = "flex_i64")]
    stock: i64,
    #[serde(deserialize_with = "flex_i64")]
    warehouse_id: i64,
    /// Products sold in quants only; 0/absent/1 for the others (the sandbox has no quants).
    #[serde(default, deserialize_with = "flex_i64")]
    quant_size: i64,
}

pub(crate) async fn stocks(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: StocksRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if request.stocks.is_empty() || request.stocks.len() > 100 {
        return rpc::invalid("stocks: value must contain 1 to 100 item(s)");
    }
    let now = Instant::now();
    let interval = Duration::from_secs(30).div_f64(sandbox.config.pace);
    let mut state = sandbox.state();
    state.settle(now);
    let mut result = Vec::with_capacity(request.stocks.len());
    for item in &request.stocks {
        let outcome = if !sandbox
            .config
            .warehouses
            .iter()
            .any(|w| w.id == item.warehouse_id)
        {
            Err(item_error("WAREHOUSE_NOT_FOUND", "warehouse not found"))
        } else {
            resolve(&state, &item.offer_id, item.product_id).and_then(|(offer, id)| {
                if item.quant_size > 1 {
                    return Err(item_error(
                        "QUANT_NOT_FOUND",
                        "the product is not sold in quants",
                    ));
                }
                let present = u32::try_from(item.stock)
                    .map_err(|_| item_error("INVALID_STOCK_VALUE", "stock must be 0 or more"))?;
                let key = (offer.clone(), item.warehouse_id);
                if state
                    .stocks
                    .get(&key)
                    .is_some_and(|s| now.duration_since(s.updated) < interval)
                {
                    return Err(item_error(
                        "TOO_MANY_REQUESTS",
                        "stock of a product at a warehouse can be updated once in 30 seconds",
                    ));
                }
                state.stocks.insert(
                    key,
                    Stock {
                        present,
                        updated: now,
                    },
                );
                Ok((offer, id))
            })
        };
        result.push(match outcome {
            Ok((offer, id)) => json!({"warehouse_id": item.warehouse_id, "product_id": id, "offer_id": offer, "updated": true, "errors": []}),
            Err(error) => json!({"warehouse_id": item.warehouse_id, "product_id": item.product_id, "offer_id": item.offer_id, "updated": false, "errors": [error]}),
        });
    }
    rpc::ok(json!({ "result": result }))
}

#[derive(Deserialize)]
struct WarehousesRequest {
    #[serde(deserialize_with = "flex_i64")]
    limit: i64,
    #[serde(default)]
    cursor: String,
}

pub(crate) async fn warehouses(State(sandbox): State<OzonSandbox>, body: Bytes) -> Response {
    let request: WarehousesRequest = match rpc::parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if !(1..=200).contains(&request.limit) {
        return rpc::invalid("limit: value must be inside range [1, 200]");
    }
    let offset: usize = if request.cursor.is_empty() {
        0
    } else {
        match request.cursor.parse() {
            Ok(offset) => offset,
            Err(_) => return rpc::invalid("cursor: invalid value"),
        }
    };
    let limit = usize::try_from(request.limit).unwrap_or(200);
    let all = &sandbox.config.warehouses;
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|w| {
            json!({
                "warehouse_id": w.id,
                "name": w.name,
                "status": "created",
                "is_rfbs": false,
                "is_express": false,
                "is_kgt": false,
                "has_entrusted_acceptance": false,
                "has_postings_limit": false,
                "postings_limit": -1,
                "min_postings_limit": 0,
                "warehouse_type": "FBS",
                "working_days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
            })
        })
        .collect();
    let next = offset + page.len();
    let has_next = next < all.len();
    let cursor = if has_next {
        next.to_string()
    } else {
        String::new()
    };
    rpc::ok(json!({"warehouses": page, "cursor": cursor, "has_next": has_next}))
}
