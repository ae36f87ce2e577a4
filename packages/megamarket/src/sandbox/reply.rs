//! Answers in Megamarket's envelope, and the checks every call passes first: the User-Agent, the
//! token (header on the content API, body on the Merchant API) and the 5 requests/s limit.

use axum::response::{IntoResponse, Response};
use carpetti_marketplace::sandbox::FaultResponse;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::MegamarketSandbox;

/// Which API a call belongs to: they carry the token differently and, in the sandbox, give
/// their errors as an object (content) or an array (Merchant API) — NOTES has seen both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Content,
    Merchant,
}

/// `{success:1, meta:{}, data}`.
pub(crate) fn ok(data: Value) -> Response {
    axum::Json(json!({ "success": 1, "meta": {}, "data": data })).into_response()
}

/// The failure body `{success:0, meta:{}, data:null, error}`.
pub(crate) fn failure_body(api: Api, code: &str, message: &str) -> Value {
    let error = json!({ "code": code, "message": message });
    let error = match api {
        Api::Content => error,
        Api::Merchant => json!([error]),
    };
    json!({ "success": 0, "meta": {}, "data": null, "error": error })
}

/// A logical failure: HTTP 200 with `success: 0`.
pub(crate) fn fail(api: Api, code: &str, message: impl AsRef<str>) -> Response {
    axum::Json(failure_body(api, code, message.as_ref())).into_response()
}

fn status(status: StatusCode, api: Api, code: &str, message: &str) -> Response {
    (status, axum::Json(failure_body(api, code, message))).into_response()
}

/// The Toolkit's scripted faults, in the same envelope.
pub(crate) fn fault(status: u16) -> FaultResponse {
    let (code, message) = match status {
        401 => ("UNAUTHORIZED", "Unauthorized"),
        403 => ("FORBIDDEN", "Forbidden"),
        429 => (
            "TOO_MANY_REQUESTS",
            "Too many requests: at most 5 per second",
        ),
        s if s >= 500 => (
            "INTERNAL_ERROR",
            "Service temporarily unavailable, try again later",
        ),
        _ => ("VALIDATION_ERROR", "Request refused"),
    };
    FaultResponse {
        headers: Vec::new(),
        body: failure_body(Api::Merchant, code, message),
    }
}

impl MegamarketSandbox {
    /// The content API's checks: User-Agent, `X-Merchant-Token`, rate.
    pub(crate) fn admit_content(&self, headers: &HeaderMap) -> Result<(), Box<Response>> {
        blocked_agent(headers, Api::Content)?;
        let token = headers
            .get("x-merchant-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if token != self.config().token {
            return Err(Box::new(status(
                StatusCode::UNAUTHORIZED,
                Api::Content,
                "UNAUTHORIZED",
                "X-Merchant-Token is missing or unknown",
            )));
        }
        self.rate(token, Api::Content)
    }

    /// The Merchant API's checks: User-Agent, a JSON envelope with `data.token`, rate. Gives the
    /// `data` object.
    pub(crate) fn admit_merchant(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Value, Box<Response>> {
        blocked_agent(headers, Api::Merchant)?;
        let Ok(Value::Object(mut envelope)) = serde_json::from_slice::<Value>(body) else {
            return Err(Box::new(fail(
                Api::Merchant,
                "VALIDATION_ERROR",
                "the body is not a JSON object",
            )));
        };
        let Some(Value::Object(data)) = envelope.remove("data") else {
            return Err(Box::new(fail(
                Api::Merchant,
                "VALIDATION_ERROR",
                "`data` is missing",
            )));
        };
        let token = data.get("token").and_then(Value::as_str).unwrap_or("");
        if token != self.config().token {
            return Err(Box::new(fail(
                Api::Merchant,
                "UNAUTHORIZED",
                "Invalid token",
            )));
        }
        self.rate(token, Api::Merchant)?;
        Ok(Value::Object(data))
    }

    fn rate(&self, token: &str, api: Api) -> Result<(), Box<Response>> {
        self.gate().check("all", token).map_err(|wait| {
            let mut response = status(
                StatusCode::TOO_MANY_REQUESTS,
                api,
                "TOO_MANY_REQUESTS",
                "Too many requests: at most 5 per second",
            );
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
            Box::new(response)
        })
    }
}

/// `python-requests/…` is blocked as a bot (NOTES); the 403 answer is the sandbox's guess.
fn blocked_agent(headers: &HeaderMap, api: Api) -> Result<(), Box<Response>> {
    let agent = headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if agent.to_ascii_lowercase().starts_with("python-requests") {
        return Err(Box::new(status(
            StatusCode::FORBIDDEN,
            api,
            "FORBIDDEN",
            "Automated requests are not allowed",
        )));
    }
    Ok(())
}
