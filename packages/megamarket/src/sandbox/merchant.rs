//! The Merchant API's prices (`manualPrice/save`) and stocks (`stock/update`): whole batches over
//! the maximum are refused, unknown offers come back as warnings.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::MegamarketSandbox;
use super::reply::{Api, fail, ok};
use crate::api::{PRICES_PER_CALL, STOCKS_PER_CALL};

const API: Api = Api::Merchant;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PriceItem {
    offer_id: String,
    price: u64,
    #[serde(default)]
    is_deleted: bool,
}

#[derive(Deserialize)]
struct Prices {
    prices: Vec<PriceItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockItem {
    offer_id: String,
    quantity: u32,
}

#[derive(Deserialize)]
struct Stocks {
    stocks: Vec<StockItem>,
}

fn warning(offer: &str) -> Value {
    json!({
        "offerId": offer,
        "code": "OFFER_NOT_FOUND",
        "message": format!("offer {offer} is not in the assortment"),
    })
}

pub(crate) async fn price_save(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match sandbox.admit_merchant(&headers, &body) {
        Ok(data) => data,
        Err(refused) => return *refused,
    };
    let request = match serde_json::from_value::<Prices>(data) {
        Ok(request) => request,
        Err(e) => return fail(API, "VALIDATION_ERROR", format!("invalid request: {e}")),
    };
    if request.prices.len() > PRICES_PER_CALL {
        return fail(
            API,
            "PRICES_LIMIT_EXCEEDED",
            format!(
                "at most {PRICES_PER_CALL} prices per call, got {}",
                request.prices.len()
            ),
        );
    }
    let mut state = sandbox.state();
    let mut warnings = Vec::new();
    let mut saved = 0u64;
    for item in request.prices {
        if !state.cards.contains_key(&item.offer_id) {
            warnings.push(warning(&item.offer_id));
            continue;
        }
        if item.is_deleted {
            state.prices.remove(&item.offer_id);
        } else {
            state.prices.insert(item.offer_id, item.price);
        }
        saved += 1;
    }
    let mut data = json!({ "savedPrices": saved });
    if !warnings.is_empty() {
        data["warnings"] = Value::Array(warnings);
    }
    ok(data)
}

pub(crate) async fn stock_update(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match sandbox.admit_merchant(&headers, &body) {
        Ok(data) => data,
        Err(refused) => return *refused,
    };
    let request = match serde_json::from_value::<Stocks>(data) {
        Ok(request) => request,
        Err(e) => return fail(API, "VALIDATION_ERROR", format!("invalid request: {e}")),
    };
    if request.stocks.len() > STOCKS_PER_CALL {
        return fail(
            API,
            "STOCKS_LIMIT_EXCEEDED",
            format!(
                "at most {STOCKS_PER_CALL} stocks per call, got {}",
                request.stocks.len()
            ),
        );
    }
    let mut state = sandbox.state();
    let mut warnings = Vec::new();
    for item in request.stocks {
        if state.cards.contains_key(&item.offer_id) {
            state.stocks.insert(item.offer_id, item.quantity);
        } else {
            warnings.push(warning(&item.offer_id));
        }
    }
    let mut data = json!({});
    if !warnings.is_empty() {
        data["warnings"] = Value::Array(warnings);
    }
    ok(data)
}
