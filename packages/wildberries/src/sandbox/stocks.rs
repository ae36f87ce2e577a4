//! Seller warehouses and their stocks: `GET /api/v3/warehouses`, `PUT /api/v3/stocks/{id}`
//! (keyed by `chrtId`, or the deprecated barcode `sku`; unknown field names are ignored; any
//! refused item refuses the whole call with a 409 array and nothing changes).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::WildberriesSandbox;
use super::reply::{json as reply_json, market_error, no_content};

const ITEMS_MAX: usize = 1000;
const AMOUNT_MAX: i64 = 100_000;

pub(crate) async fn warehouses(State(sb): State<WildberriesSandbox>) -> Response {
    let list: Vec<Value> = sb
        .seed()
        .warehouses
        .iter()
        .map(|w| {
            json!({ "id": w.id, "name": w.name, "officeId": w.office_id,
                    "cargoType": w.cargo_type, "deliveryType": w.delivery_type,
                    "isDeleting": false, "isProcessing": false })
        })
        .collect();
    reply_json(200, Value::Array(list))
}

fn restriction(warehouse_cargo: i64) -> (&'static str, &'static str) {
    match warehouse_cargo {
        2 => (
            "CargoWarehouseRestrictionMGT",
            "The selected warehouse is not suitable for goods with the type \"LCL (Less than Container Load)\". Upload the balances to the warehouse without the ODC or CD+ mark",
        ),
        _ => (
            "CargoWarehouseRestrictionMGT",
            "The selected warehouse is not suitable for goods with the type \"LCL (Less than Container Load)\"",
        ),
    }
}

pub(crate) async fn put_stocks(
    State(sb): State<WildberriesSandbox>,
    Path(warehouse): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(warehouse) = warehouse.parse::<i64>() else {
        return market_error(400, "IncorrectParameter", "Передан некорректный параметр");
    };
    let Some(cargo) = sb
        .seed()
        .warehouses
        .iter()
        .find(|w| w.id == warehouse)
        .map(|w| w.cargo_type)
    else {
        return market_error(404, "NotFound", "Не найдено");
    };
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(items) = request
        .get("stocks")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty() && s.len() <= ITEMS_MAX)
    else {
        return market_error(400, "IncorrectRequestBody", "Incorrect required body");
    };
    let mut state = sb.lock();
    let mut updates = Vec::with_capacity(items.len());
    // code → (message, data)
    let mut errors: BTreeMap<&str, (&str, Vec<Value>)> = BTreeMap::new();
    for item in items {
        let chrt = match (item.get("chrtId"), item.get("sku")) {
            (Some(chrt), _) => chrt.as_i64(),
            (None, Some(sku)) => sku
                .as_str()
                .and_then(|b| state.by_barcode.get(b))
                .and_then(|nm| state.cards.get(nm))
                .and_then(|card| card.chrt_id()),
            // Unknown field names are not validated: the item changes nothing.
            (None, None) => continue,
        };
        let amount = item.get("amount").and_then(Value::as_i64).unwrap_or(-1);
        let barcode = chrt
            .and_then(|c| state.by_chrt.get(&c))
            .and_then(|nm| state.cards.get(nm))
            .and_then(|card| card.sizes.iter().find(|s| Some(s.chrt_id) == chrt))
            .and_then(|size| size.skus.first().cloned());
        let data = json!({
            "sku": barcode.clone().or_else(|| item.get("sku").and_then(Value::as_str).map(str::to_owned)).unwrap_or_default(),
            "amount": amount,
            "chrtId": chrt,
        });
        let entry = |code: &'static str, message: &'static str| (code, message);
        let failure = match (chrt, barcode.is_some()) {
            (None, _) | (Some(_), false) => Some(entry("NotFound", "Not found")),
            _ if !(0..=AMOUNT_MAX).contains(&amount) => {
                Some(entry("UploadDataLimit", "Upload limit exceeded."))
            }
            // Every sandbox card is a small good (МГТ).
            _ if cargo != 1 => Some(restriction(cargo)),
            _ => None,
        };
        match (failure, chrt) {
            (Some((code, message)), _) => {
                errors
                    .entry(code)
                    .or_insert((message, Vec::new()))
                    .1
                    .push(data);
            }
            (None, Some(chrt)) => updates.push((chrt, amount as u32)),
            (None, None) => {}
        }
    }
    if !errors.is_empty() {
        let body: Vec<Value> = errors
            .into_iter()
            .map(
                |(code, (message, data))| json!({ "code": code, "message": message, "data": data }),
            )
            .collect();
        return reply_json(409, Value::Array(body));
    }
    if !updates.is_empty() {
        let stocks = state.stocks.entry(warehouse).or_default();
        for (chrt, amount) in updates {
            stocks.insert(chrt, amount);
        }
    }
    no_content()
}
