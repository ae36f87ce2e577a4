//! JSON in and out. Responses carry exactly `Content-Type: application/json` (the JS client
//! parses a body only on that exact string); request bodies are parsed whatever their content
//! type, an empty body counts as `{}`, and a body that does not parse is a 400 JSON error.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::RestError;

pub(crate) const APPLICATION_JSON: &str = "application/json";

/// `status` with `value` as the JSON body.
pub(crate) fn with_status<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => raw(status, body),
        Err(e) => {
            tracing::error!(error = %e, "a REST response did not serialize");
            raw(
                StatusCode::INTERNAL_SERVER_ERROR,
                br#"{"type":"RestException","message":"the response did not serialize","code":0}"#
                    .to_vec(),
            )
        }
    }
}

/// 200 with `value` as the JSON body.
pub(crate) fn ok<T: Serialize + ?Sized>(value: &T) -> Response {
    with_status(StatusCode::OK, value)
}

/// 204 with no body and no content type.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn raw(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(APPLICATION_JSON),
    );
    response
}

/// What a handler returns.
pub(crate) type Reply = Result<Response, RestError>;

/// A JSON request body of type `T`. An empty body parses as `{}` (so optional bodies — start,
/// unlock — need nothing); unknown fields are ignored by the DTOs; parse failures are 400.
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = RestError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            RestError::bad_request(format!("the request body could not be read: {e}"))
        })?;
        parse_body(&bytes).map(JsonBody)
    }
}

/// Parses a request body; empty (or blank) is `{}`.
pub(crate) fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RestError> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(text)
        .map_err(|e| RestError::bad_request(format!("the request body is not valid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Default)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        worker_id: Option<String>,
        #[serde(default)]
        max_tasks: u32,
    }

    #[test]
    fn content_type_is_exactly_application_json() {
        let r = ok(&serde_json::json!({"a": 1}));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers().get(header::CONTENT_TYPE).map(|h| h.as_bytes()),
            Some(&b"application/json"[..])
        );
        let r = no_content();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(r.headers().get(header::CONTENT_TYPE).is_none());
    }

    #[test]
    fn bodies_empty_null_fields_and_unknown_fields() {
        let p: Probe = parse_body(b"").expect("empty");
        assert!(p.worker_id.is_none());
        let p: Probe = parse_body(b"  \n").expect("blank");
        assert_eq!(p.max_tasks, 0);
        let p: Probe =
            parse_body(br#"{"workerId": null, "maxTasks": 3, "extra": [1]}"#).expect("unknown");
        assert_eq!((p.worker_id, p.max_tasks), (None, 3));
        let e = parse_body::<Probe>(b"{not json").expect_err("bad");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.message.contains("not valid"), "{}", e.message);
    }
}
