//! The packing flow of a shipment: `order/confirm` (lot by lot, with the seller's orderCode),
//! `order/packing` (one unit per lot, box `<merchantId>*<shipmentId>*<n>`, repeatable) and
//! `sticker/print` once packed (HTML, or a base64 PDF with `printAsPdf`).

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::MegamarketSandbox;
use super::orders::id_of;
use super::pdf;
use super::reply::{Api, fail, ok};
use super::state::Status;

const API: Api = Api::Merchant;

#[derive(Deserialize)]
struct Shipments<T> {
    shipments: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfirmShipment {
    shipment_id: Value,
    order_code: String,
    items: Vec<ConfirmItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfirmItem {
    item_index: u32,
    offer_id: String,
}

fn valid_order_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(crate) async fn confirm(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match sandbox.admit_merchant(&headers, &body) {
        Ok(data) => data,
        Err(refused) => return *refused,
    };
    let request = match serde_json::from_value::<Shipments<ConfirmShipment>>(data) {
        Ok(request) => request,
        Err(e) => return fail(API, "VALIDATION_ERROR", format!("invalid request: {e}")),
    };
    let mut state = sandbox.state();
    // Everything is checked before anything changes.
    for shipment in &request.shipments {
        let id = id_of(&shipment.shipment_id);
        let Some(record) = state.shipments.get(&id) else {
            return fail(
                API,
                "SHIPMENT_NOT_FOUND",
                format!("shipment {id} is not known"),
            );
        };
        if !valid_order_code(&shipment.order_code) {
            return fail(
                API,
                "INVALID_ORDER_CODE",
                "orderCode: Latin letters, digits, _ and - only",
            );
        }
        if record.status == Status::Packed {
            return fail(
                API,
                "INVALID_SHIPMENT_STATUS",
                format!("shipment {id} is already packed"),
            );
        }
        for item in &shipment.items {
            if !record
                .lots
                .iter()
                .any(|l| l.item_index == item.item_index && l.offer_id == item.offer_id)
            {
                return fail(
                    API,
                    "ITEM_NOT_FOUND",
                    format!(
                        "shipment {id} has no lot {} of offer {}",
                        item.item_index, item.offer_id
                    ),
                );
            }
        }
    }
    let now = Utc::now();
    for shipment in request.shipments {
        let id = id_of(&shipment.shipment_id);
        if let Some(record) = state.shipments.get_mut(&id) {
            record.order_code = Some(shipment.order_code);
            for item in &shipment.items {
                if let Some(lot) = record
                    .lots
                    .iter_mut()
                    .find(|l| l.item_index == item.item_index && !l.confirmed)
                {
                    lot.confirmed = true;
                    lot.events.push((now, "CONFIRMED"));
                }
            }
            record.status = Status::Confirmed;
        }
    }
    ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackShipment {
    shipment_id: Value,
    order_code: String,
    items: Vec<PackItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackItem {
    item_index: u32,
    quantity: u32,
    boxes: Vec<PackBox>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackBox {
    box_index: u32,
    box_code: String,
}

pub(crate) async fn packing(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match sandbox.admit_merchant(&headers, &body) {
        Ok(data) => data,
        Err(refused) => return *refused,
    };
    let request = match serde_json::from_value::<Shipments<PackShipment>>(data) {
        Ok(request) => request,
        Err(e) => return fail(API, "VALIDATION_ERROR", format!("invalid request: {e}")),
    };
    let merchant = sandbox.config().merchant_id.clone();
    let mut state = sandbox.state();
    for shipment in &request.shipments {
        let id = id_of(&shipment.shipment_id);
        let Some(record) = state.shipments.get(&id) else {
            return fail(
                API,
                "SHIPMENT_NOT_FOUND",
                format!("shipment {id} is not known"),
            );
        };
        if record.status == Status::New {
            return fail(
                API,
                "INVALID_SHIPMENT_STATUS",
                format!("shipment {id} is not confirmed"),
            );
        }
        if record.order_code.as_deref() != Some(shipment.order_code.as_str()) {
            return fail(
                API,
                "INVALID_ORDER_CODE",
                "orderCode differs from the confirmed one",
            );
        }
        for item in &shipment.items {
            let Some(lot) = record.lots.iter().find(|l| l.item_index == item.item_index) else {
                return fail(
                    API,
                    "ITEM_NOT_FOUND",
                    format!("shipment {id} has no lot {}", item.item_index),
                );
            };
            if !lot.confirmed {
                return fail(
                    API,
                    "INVALID_SHIPMENT_STATUS",
                    format!("lot {} is not confirmed", item.item_index),
                );
            }
            if item.quantity != 1 || item.boxes.len() != 1 {
                return fail(API, "VALIDATION_ERROR", "a lot is one unit in one box");
            }
            let expected = format!("{merchant}*{id}*{}", item.boxes[0].box_index);
            if item.boxes[0].box_code != expected {
                return fail(
                    API,
                    "INVALID_BOX_CODE",
                    format!("box code must be {expected}"),
                );
            }
        }
    }
    let now = Utc::now();
    for shipment in request.shipments {
        let id = id_of(&shipment.shipment_id);
        if let Some(record) = state.shipments.get_mut(&id) {
            for item in shipment.items {
                if let (Some(lot), Some(b)) = (
                    record
                        .lots
                        .iter_mut()
                        .find(|l| l.item_index == item.item_index),
                    item.boxes.into_iter().next(),
                ) {
                    if lot.box_code.is_none() {
                        lot.events.push((now, "PACKED"));
                    }
                    lot.box_code = Some(b.box_code);
                }
            }
            if record
                .lots
                .iter()
                .filter(|l| l.confirmed)
                .all(|l| l.box_code.is_some())
            {
                record.status = Status::Packed;
            }
        }
    }
    ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sticker {
    shipment_id: Value,
    box_codes: Vec<String>,
    #[serde(default)]
    print_as_pdf: bool,
}

pub(crate) async fn sticker(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let data = match sandbox.admit_merchant(&headers, &body) {
        Ok(data) => data,
        Err(refused) => return *refused,
    };
    let request = match serde_json::from_value::<Sticker>(data) {
        Ok(request) => request,
        Err(e) => return fail(API, "VALIDATION_ERROR", format!("invalid request: {e}")),
    };
    let id = id_of(&request.shipment_id);
    let state = sandbox.state();
    let Some(record) = state.shipments.get(&id) else {
        return fail(
            API,
            "SHIPMENT_NOT_FOUND",
            format!("shipment {id} is not known"),
        );
    };
    if record.status != Status::Packed {
        return fail(
            API,
            "INVALID_SHIPMENT_STATUS",
            format!("shipment {id} is not packed yet"),
        );
    }
    let known = |code: &String| {
        record
            .lots
            .iter()
            .any(|l| l.box_code.as_ref() == Some(code))
    };
    if request.box_codes.is_empty() || !request.box_codes.iter().all(known) {
        return fail(
            API,
            "INVALID_BOX_CODE",
            "boxCodes must be the shipment's packed boxes",
        );
    }
    let text = format!("Megamarket {id} {}", request.box_codes.join(" "));
    if request.print_as_pdf {
        ok(json!(STANDARD.encode(pdf::document(&text))))
    } else {
        ok(json!(format!(
            "<html><body><h1>Megamarket</h1><p>{}</p></body></html>",
            text.replace('<', "&lt;")
        )))
    }
}
