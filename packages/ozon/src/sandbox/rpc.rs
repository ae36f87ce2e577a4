//! Ozon's answer shapes: JSON bodies, and errors as `rpcStatus` `{code, message, details}` with
//! the gRPC code of the HTTP status.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The gRPC status code Ozon puts in `code` for an HTTP status.
pub(crate) fn grpc_code(status: u16) -> i32 {
    match status {
        400 => 3,  // INVALID_ARGUMENT
        401 => 16, // UNAUTHENTICATED
        403 => 7,  // PERMISSION_DENIED
        404 => 5,  // NOT_FOUND
        409 => 10, // ABORTED
        429 => 8,  // RESOURCE_EXHAUSTED
        501 => 12, // UNIMPLEMENTED
        503 => 14, // UNAVAILABLE
        504 => 4,  // DEADLINE_EXCEEDED
        _ => 13,   // INTERNAL
    }
}

/// The error body for `status`.
pub(crate) fn error_body(status: u16, message: &str) -> Value {
    json!({"code": grpc_code(status), "message": message, "details": []})
}

/// An error answer.
pub(crate) fn error(status: u16, message: impl AsRef<str>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, axum::Json(error_body(status, message.as_ref()))).into_response()
}

/// A 400 INVALID_ARGUMENT.
pub(crate) fn invalid(message: impl AsRef<str>) -> Response {
    error(400, message)
}

/// A 200 JSON answer.
pub(crate) fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// The request body as `T`, or Ozon's 400 for a body it cannot read.
#[allow(clippy::result_large_err)]
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| invalid(format!("invalid request payload: {e}")))
}

/// Message of the per-second throttle.
pub(crate) const RATE_LIMITED: &str = "You have reached request rate limit per second";
