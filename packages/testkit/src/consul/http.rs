//! The HTTP side: exactly the three endpoints, with Consul's documented shapes, ACL token check
//! and blocking queries.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};

use super::catalog::Catalog;
use super::definition::ServiceDefinition;
use super::duration;

/// Consul's default and maximum blocking wait.
const DEFAULT_WAIT: Duration = Duration::from_secs(300);
const MAX_WAIT: Duration = Duration::from_secs(600);

#[derive(Clone)]
pub(super) struct Shared {
    pub catalog: Arc<Catalog>,
    pub token: Option<String>,
    /// How many `health/service` queries were blocking ones (non-zero `index`).
    pub blocking_queries: Arc<AtomicU64>,
}

pub(super) fn router(shared: Shared) -> Router {
    Router::new()
        .route("/v1/agent/service/register", put(register))
        .route("/v1/agent/service/deregister/{id}", put(deregister))
        .route("/v1/health/service/{service}", get(health))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "loopback Consul: endpoint not served\n",
            )
        })
        .with_state(shared)
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, body.into()).into_response()
}

/// The ACL check: with a token configured, `X-Consul-Token` (or the legacy `?token=`) must
/// match; the refusal if not.
fn refused(
    shared: &Shared,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Option<Response> {
    let expected = shared.token.as_ref()?;
    let given = headers
        .get("x-consul-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| query.get("token").map(String::as_str));
    match given {
        Some(token) if token == expected => None,
        Some(_) => Some(text(StatusCode::FORBIDDEN, "ACL not found")),
        None => Some(text(
            StatusCode::FORBIDDEN,
            "Permission denied: anonymous token lacks permission",
        )),
    }
}

async fn register(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    if let Some(denied) = refused(&shared, &headers, &query) {
        return denied;
    }
    let definition: ServiceDefinition = match serde_json::from_slice(&body) {
        Ok(definition) => definition,
        Err(error) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("Request decode failed: {error}"),
            );
        }
    };
    match shared.catalog.register(definition) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(reason) => text(
            StatusCode::BAD_REQUEST,
            format!("Invalid service: {reason}"),
        ),
    }
}

async fn deregister(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    Path(id): Path<String>,
) -> Response {
    if let Some(denied) = refused(&shared, &headers, &query) {
        return denied;
    }
    if shared.catalog.deregister(&id) {
        StatusCode::OK.into_response()
    } else {
        text(
            StatusCode::NOT_FOUND,
            format!(
                "Unknown service ID {id:?}. Ensure that the service ID is passed, not the service name."
            ),
        )
    }
}

async fn health(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    Path(service): Path<String>,
) -> Response {
    if let Some(denied) = refused(&shared, &headers, &query) {
        return denied;
    }
    let passing = query
        .get("passing")
        .is_some_and(|v| !matches!(v.as_str(), "false" | "0"));
    let index = match query.get("index").map(|i| i.parse::<u64>()) {
        None => 0,
        Some(Ok(index)) => index,
        Some(Err(_)) => return text(StatusCode::BAD_REQUEST, "Invalid index"),
    };
    let wait = match query.get("wait").map(|w| duration::parse(w)) {
        None => DEFAULT_WAIT,
        Some(Ok(wait)) => wait.min(MAX_WAIT),
        Some(Err(_)) => return text(StatusCode::BAD_REQUEST, "Invalid wait time"),
    };
    if index > 0 {
        shared.blocking_queries.fetch_add(1, Ordering::Relaxed);
        // A blocking query: hold until this service's index passes `index`, or `wait` elapses.
        let mut changes = shared.catalog.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        while shared.catalog.index_of(&service) <= index {
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => break,
            }
        }
    }
    let (index, entries) = shared.catalog.health(&service, passing);
    let mut response = axum::Json(entries).into_response();
    let headers = response.headers_mut();
    headers.insert("x-consul-index", HeaderValue::from(index));
    headers.insert("x-consul-knownleader", HeaderValue::from_static("true"));
    headers.insert("x-consul-lastcontact", HeaderValue::from_static("0"));
    response
}
