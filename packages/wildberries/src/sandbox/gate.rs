//! What WB's gateway does before a method runs: the token (`Authorization`, 401 otherwise), the
//! per-account rate limits (429 with `X-Ratelimit-*` headers; a marketplace 409 counts as 10
//! calls), and the processing of cards whose delay has passed.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use carpetti_marketplace::sandbox::{FaultResponse, RateGate};
use carpetti_marketplace::transport::Quota;
use http::{HeaderValue, StatusCode};

use super::WildberriesSandbox;
use super::reply::{gateway, gateway_body, unauthorized};

/// The rate-limit group of a path.
pub(crate) fn group(path: &str) -> &'static str {
    match path {
        "/content/v2/cards/upload" | "/content/v2/cards/upload/add" => "cards_upload",
        "/content/v2/cards/update" => "cards_update",
        "/content/v2/cards/error/list" => "cards_errors",
        p if p.starts_with("/content/") => "content",
        p if p.starts_with("/api/v2/") => "prices",
        _ => "marketplace",
    }
}

/// WB's documented quotas per group.
pub(crate) fn quotas() -> Vec<(&'static str, Quota)> {
    vec![
        ("content", Quota::per_minute(100, 5)),
        ("cards_upload", Quota::per_minute(10, 5)),
        ("cards_update", Quota::per_minute(10, 5)),
        ("cards_errors", Quota::per_minute(10, 5)),
        (
            "prices",
            Quota {
                calls: 10,
                period: Duration::from_secs(6),
                burst: 5,
            },
        ),
        ("marketplace", Quota::per_minute(300, 20)),
    ]
}

fn seconds(wait: Duration) -> String {
    format!("{:.3}", wait.as_secs_f64())
}

/// The 429 answer with WB's headers.
pub(crate) fn too_many(group: &str, wait: Duration, burst: u32) -> Response {
    let mut response = gateway(429, "too many requests", &format!("limited by {group}"));
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-retry", seconds(wait)),
        ("x-ratelimit-remaining", "0".to_owned()),
        ("x-ratelimit-limit", burst.to_string()),
        ("x-ratelimit-reset", seconds(wait)),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// The answer to a scripted fault: the gateway shape, with `X-Ratelimit-*` on a 429.
pub(crate) fn fault_body(status: u16, pace: f64) -> FaultResponse {
    let title = match status {
        429 => "too many requests",
        401 => "unauthorized",
        s if s >= 500 => "internal server error",
        _ => "request failed",
    };
    let mut headers = Vec::new();
    if status == 429 {
        let wait = seconds(Duration::from_secs(1).div_f64(pace.max(0.001)));
        headers.push(("X-Ratelimit-Retry".to_owned(), wait.clone()));
        headers.push(("X-Ratelimit-Remaining".to_owned(), "0".to_owned()));
        headers.push(("X-Ratelimit-Limit".to_owned(), "5".to_owned()));
        headers.push(("X-Ratelimit-Reset".to_owned(), wait));
    }
    FaultResponse {
        headers,
        body: gateway_body(status, title, "scripted sandbox fault"),
    }
}

fn token_of(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    Some(value.strip_prefix("Bearer ").unwrap_or(value).trim())
}

pub(crate) async fn gate(
    State(sb): State<WildberriesSandbox>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    match token_of(&request) {
        None => return unauthorized("empty Authorization header"),
        Some(token) if token != sb.config().token => {
            return unauthorized("token problem; token is malformed or unknown");
        }
        Some(_) => {}
    }
    let group = group(&path);
    let gate: &RateGate = sb.rate_gate();
    let token = sb.config().token.clone();
    if let Err(wait) = gate.check(group, &token) {
        let burst = quotas()
            .iter()
            .find(|(g, _)| *g == group)
            .map_or(1, |(_, q)| q.burst);
        return too_many(group, wait, burst);
    }
    sb.lock().process_due(sb.seed());
    let response = next.run(request).await;
    if response.status() == StatusCode::CONFLICT && group == "marketplace" {
        // "One request answered 409 counts as 10 requests."
        for _ in 0..9 {
            let _ = gate.check(group, &token);
        }
    }
    response
}

/// The gateway's answer to a path no method serves.
pub(crate) async fn not_found() -> Response {
    gateway(404, "not found", "no such method")
}
