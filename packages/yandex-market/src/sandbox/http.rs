//! What every answer of the sandbox shares: the `Api-Key` check (401 missing, 403 wrong), the
//! account's 4 parallel requests and per-method quotas (420, the Market's rate-limit status),
//! the simulated latency, and the Market's error envelope.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use carpetti_marketplace::sandbox::FaultResponse;
use http::{HeaderValue, Method, StatusCode};
use serde::Serialize;

use super::YandexMarketSandbox;
use crate::quotas::{self, op};
use crate::wire::ErrorBody;

/// A JSON answer with a status.
pub(super) fn json(status: StatusCode, body: &impl Serialize) -> Response {
    (status, axum::Json(body)).into_response()
}

pub(super) fn json_ok(body: &impl Serialize) -> Response {
    json(StatusCode::OK, body)
}

/// `{"status":"ERROR","errors":[{code, message}]}` with `status`.
pub(super) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    json(status, &ErrorBody::new(code, message))
}

/// A refused request: the status and the Market's error envelope.
#[derive(Debug)]
pub(super) struct Refusal {
    status: StatusCode,
    body: ErrorBody,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        json(self.status, &self.body)
    }
}

fn refusal(status: StatusCode, code: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        body: ErrorBody::new(code, message),
    }
}

pub(super) fn bad_request(code: &str, message: impl Into<String>) -> Refusal {
    refusal(StatusCode::BAD_REQUEST, code, message)
}

pub(super) fn not_found(message: impl Into<String>) -> Refusal {
    refusal(StatusCode::NOT_FOUND, "NOT_FOUND", message)
}

pub(super) fn forbidden(message: impl Into<String>) -> Refusal {
    refusal(StatusCode::FORBIDDEN, "FORBIDDEN", message)
}

/// The Market's answer to a scripted fault of `status`.
pub(super) fn fault_body(
    campaign_id: i64,
) -> impl Fn(u16) -> FaultResponse + Send + Sync + 'static {
    move |status| {
        let (code, message) = match status {
            420 | 429 => (
                "LIMIT_EXCEEDED",
                format!(
                    "Hit rate limit of {} parallel requests for campaignId {campaign_id}",
                    quotas::PARALLEL
                ),
            ),
            400 => ("BAD_REQUEST", "Bad request".to_owned()),
            401 => ("UNAUTHORIZED", "Api-Key is not specified".to_owned()),
            403 => ("FORBIDDEN", "Access denied".to_owned()),
            404 => ("NOT_FOUND", "Resource not found".to_owned()),
            423 => ("LOCKED", "Method is not applicable now".to_owned()),
            _ => ("INTERNAL_ERROR", "Internal server error".to_owned()),
        };
        FaultResponse {
            headers: Vec::new(),
            body: serde_json::to_value(ErrorBody::new(code, message)).unwrap_or_default(),
        }
    }
}

/// The quota group of a request, if its method has a documented quota.
fn quota_group(method: &Method, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["v2", "businesses", _, "offer-mappings", "update"]) => Some(op::CARDS_UPDATE),
        ("POST", ["v2", "businesses", _, "offer-mappings"]) => Some(op::MAPPINGS),
        ("POST", ["v2", "businesses", _, "offer-prices", "updates"]) => Some(op::PRICES),
        ("PUT", ["v2", "campaigns", _, "offers", "stocks"]) => Some(op::STOCKS),
        _ => None,
    }
}

/// Auth, then a parallel slot, then the quota, then the latency; the slot is held until the
/// answer is ready.
pub(super) async fn guard(
    State(sandbox): State<YandexMarketSandbox>,
    request: Request,
    next: Next,
) -> Response {
    let config = &sandbox.inner.config;
    let key = request
        .headers()
        .get("api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    match key {
        None => {
            return error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "Api-Key or OAuth token is not specified",
            );
        }
        Some(key) if key != config.api_key => {
            return forbidden("Api-Key is invalid or has no access to this resource")
                .into_response();
        }
        Some(_) => {}
    }
    let account = format!("campaign-{}", config.campaign_id);
    let Some(_slot) = sandbox.inner.gate.enter(&account, quotas::PARALLEL) else {
        return error(
            StatusCode::from_u16(420).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
            "LIMIT_EXCEEDED",
            format!(
                "Hit rate limit of {} parallel requests for campaignId {}",
                quotas::PARALLEL,
                config.campaign_id
            ),
        );
    };
    if let Some(group) = quota_group(request.method(), request.uri().path())
        && let Err(wait) = sandbox.inner.gate.check(group, &account)
    {
        let mut response = error(
            StatusCode::from_u16(420).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
            "LIMIT_EXCEEDED",
            format!("Hit resource limit for {group}: too many items per minute"),
        );
        let seconds = format!("{:.3}", wait.as_secs_f64().max(0.001));
        if let Ok(value) = HeaderValue::from_str(&seconds) {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, value);
        }
        return response;
    }
    if !config.latency.is_zero() {
        tokio::time::sleep(config.latency).await;
    }
    next.run(request).await
}
