//! The Camunda 7 compatible REST API over any [`EngineApi`]: `/engine-rest/...` (and the same
//! under `/engine-rest/engine/default/...`), with Camunda's JSON shapes, status codes and error
//! bodies, so the official JS/Python external-task clients and Camunda tooling work unchanged.
//!
//! Every JSON response carries exactly `Content-Type: application/json` ([`json`]); every failure
//! is `{type, message, code}` ([`error`]); request bodies, query strings and path parameters go
//! through extractors that answer 400 JSON instead of axum's plain-text rejections.

mod auth;
mod definition;
mod deployment;
mod error;
mod external_task;
mod fetch;
mod history;
mod incident;
mod instance;
mod job;
mod json;
mod message;
mod query;
mod task;
mod variable_data;
mod variables_dto;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::api::EngineApi;

pub use auth::RestAuth;
pub use error::RestError;

/// Deployments (BPMN files) may be larger than axum's 2 MiB default body limit.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// What every handler gets.
#[derive(Clone)]
pub(crate) struct AppState {
    pub api: Arc<dyn EngineApi>,
}

/// The REST API for `api`: everything under `/engine-rest`, guarded by `auth`.
pub fn router(api: Arc<dyn EngineApi>, auth: RestAuth) -> Router {
    let state = AppState { api };
    let engine: Router<AppState> = Router::new()
        .merge(deployment::routes())
        .merge(definition::routes())
        .merge(instance::routes())
        .merge(variable_data::routes())
        .merge(message::routes())
        .merge(external_task::routes())
        .merge(task::routes())
        .merge(incident::routes())
        .merge(job::routes())
        .merge(history::routes());
    let named = engine
        .clone()
        .layer(middleware::from_fn(only_default_engine));
    Router::new()
        .route("/engine-rest/engine", get(engines))
        .nest("/engine-rest/engine/{engine_name}", named)
        .nest("/engine-rest", engine)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            Arc::new(auth),
            auth::require,
        ))
        .with_state(state)
}

/// `GET /engine`: the one engine, `default`.
async fn engines() -> Response {
    json::ok(&serde_json::json!([{ "name": "default" }]))
}

async fn not_found(request: Request) -> Response {
    RestError::not_found(format!(
        "no resource at {} {}",
        request.method(),
        request.uri().path()
    ))
    .into_response()
}

async fn method_not_allowed(request: Request) -> Response {
    RestError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "RestException",
        format!(
            "method {} is not allowed on {}",
            request.method(),
            request.uri().path()
        ),
    )
    .into_response()
}

/// `/engine-rest/engine/{name}/...` serves only the engine named `default`.
async fn only_default_engine(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let params = axum::extract::RawPathParams::from_request_parts(&mut parts, &()).await;
    let name = params.ok().and_then(|p| {
        p.iter()
            .find(|(k, _)| *k == "engine_name")
            .map(|(_, v)| v.to_owned())
    });
    match name.as_deref() {
        Some("default") => next.run(Request::from_parts(parts, body)).await,
        other => RestError::not_found(format!(
            "No process engine available with name '{}'",
            other.unwrap_or_default()
        ))
        .into_response(),
    }
}

/// The absolute base of the links in responses: `http://{Host}/engine-rest`.
pub(crate) struct Base(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Base {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost");
        Ok(Base(format!("http://{host}/engine-rest")))
    }
}

impl Base {
    /// `[{method: "GET", href: "{base}{path}", rel: "self"}]`.
    pub fn self_link(&self, path: &str) -> serde_json::Value {
        serde_json::json!([{ "method": "GET", "href": format!("{}{path}", self.0), "rel": "self" }])
    }
}
