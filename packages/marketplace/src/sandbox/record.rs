//! The middleware that answers scripted faults and logs every exchange with its JSON bodies.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};

use super::Toolkit;

/// Largest body the log keeps (bigger ones are logged without it).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// One request and its answer, as the sandbox saw them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub method: String,
    /// The path without the query.
    pub path: String,
    pub query: Option<String>,
    /// Request headers (names in lower case).
    pub request_headers: Vec<(String, String)>,
    /// The request body when it was JSON.
    pub request: Option<serde_json::Value>,
    pub status: u16,
    pub response_content_type: Option<String>,
    /// The response body when it was JSON.
    pub response: Option<serde_json::Value>,
    /// Whether the answer was a scripted fault.
    pub faulted: bool,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The marketplace's own answer to a scripted fault.
#[derive(Debug, Clone)]
pub struct FaultResponse {
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

pub(super) async fn record(State(kit): State<Toolkit>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        request_headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        request: serde_json::from_slice(&bytes).ok(),
        status: 0,
        response_content_type: None,
        response: None,
        faulted: false,
    };
    let response = match kit.take_fault(&exchange.path) {
        Some(fault) => {
            exchange.faulted = true;
            fault_response(&kit, fault.status, fault.retry_after_secs)
        }
        None => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    };
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    exchange.status = parts.status.as_u16();
    exchange.response_content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if exchange
        .response_content_type
        .as_deref()
        .is_some_and(|t| t.contains("json"))
    {
        exchange.response = serde_json::from_slice(&bytes).ok();
    }
    kit.record(exchange);
    Response::from_parts(parts, Body::from(bytes))
}

fn fault_response(kit: &Toolkit, status: u16, retry_after: Option<u32>) -> Response {
    let answer = (kit.fault_body)(status);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(answer.body)).into_response();
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    }
    if let Some(seconds) = retry_after {
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
