//! WB's answers in its three shapes: the gateway's error object, the content/prices envelope and
//! the marketplace API's `{code, message}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use serde_json::{Value, json};

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn request_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// The API gateway's error (401, 403, 404, 413, 429 …).
pub(crate) fn gateway_body(code: u16, title: &str, detail: &str) -> Value {
    json!({
        "title": title,
        "detail": detail,
        "code": format!("{}-{}", &request_id()[..8], code),
        "requestId": request_id(),
        "origin": "s2s-api-auth-catalog",
        "status": code,
        "statusText": status(code).canonical_reason().unwrap_or(""),
        "timestamp": Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

pub(crate) fn gateway(code: u16, title: &str, detail: &str) -> Response {
    (status(code), Json(gateway_body(code, title, detail))).into_response()
}

pub(crate) fn unauthorized(detail: &str) -> Response {
    gateway(401, "unauthorized", detail)
}

/// A successful content/prices envelope. `additional` is `null` for most methods; card upload
/// and update answer `{}`.
pub(crate) fn envelope(data: Value, additional: Value) -> Response {
    Json(json!({
        "data": data,
        "error": false,
        "errorText": "",
        "additionalErrors": additional,
    }))
    .into_response()
}

/// A refused content request.
pub(crate) fn content_error(code: u16, text: &str, additional: Value) -> Response {
    (
        status(code),
        Json(json!({
            "data": null,
            "error": true,
            "errorText": text,
            "additionalErrors": additional,
        })),
    )
        .into_response()
}

/// A refused prices request (no `additionalErrors` in this API).
pub(crate) fn prices_error(code: u16, text: &str) -> Response {
    (
        status(code),
        Json(json!({ "data": null, "error": true, "errorText": text })),
    )
        .into_response()
}

/// A refused marketplace request.
pub(crate) fn market_error(code: u16, error: &str, message: &str) -> Response {
    (
        status(code),
        Json(json!({ "code": error, "message": message })),
    )
        .into_response()
}

pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub(crate) fn json(code: u16, body: Value) -> Response {
    (status(code), Json(body)).into_response()
}
