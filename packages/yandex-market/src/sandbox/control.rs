//! The sandbox's own endpoints (not the Market's; no key, not logged): `POST /_sandbox/orders`
//! creates an order, `GET /_sandbox/state` shows everything the sandbox holds.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::YandexMarketSandbox;
use super::http::{Refusal, bad_request, json_ok};
use super::orders::{OrderLine, emit as emit_order};

/// `{"lines": [{offer_id, quantity, price}]}`, a list of lines, or one line.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum EmitRequest {
    Lines { lines: Vec<OrderLine> },
    Many(Vec<OrderLine>),
    One(OrderLine),
}

pub(super) async fn emit(
    State(sandbox): State<YandexMarketSandbox>,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    let lines = match serde_json::from_slice::<EmitRequest>(&body) {
        Ok(EmitRequest::Lines { lines } | EmitRequest::Many(lines)) => lines,
        Ok(EmitRequest::One(line)) => vec![line],
        Err(e) => {
            return Err(bad_request(
                "BAD_REQUEST",
                format!("expected {{\"lines\": [{{\"offer_id\", \"quantity\", \"price\"}}]}}: {e}"),
            ));
        }
    };
    if lines.is_empty() || lines.iter().any(|l| l.quantity == 0) {
        return Err(bad_request(
            "BAD_REQUEST",
            "an order needs lines with a positive quantity",
        ));
    }
    let id = emit_order(&mut sandbox.state(), &lines, Utc::now());
    Ok(json_ok(&json!({"id": id, "order_id": id.to_string()})))
}

pub(super) async fn state(State(sandbox): State<YandexMarketSandbox>) -> Json<serde_json::Value> {
    Json(sandbox.state_json())
}
