//! The binary content of a `Bytes` or `File` variable, as the official clients download it:
//! `GET /process-instance/{id}/variables/{name}/data` (the Python client's
//! `EngineClient.get_process_instance_variable`) and `GET /execution/{id}/localVariables/{name}/data`
//! (the JS client's `File.load`, which passes the process instance id as the execution id; the
//! process instance's own variables are its root execution's locals).
//!
//! As in Camunda: the decoded bytes as `application/octet-stream` (a File: its `mimetype`, with
//! its `filename` in `Content-Disposition`); 400 when the variable is not binary; 404 when it or
//! the instance does not exist.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use crate::variables::{TypedValue, ValueType};

use super::AppState;
use super::error::RestError;
use super::json::Reply;
use super::query::PathParams;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/process-instance/{id}/variables/{name}/data", get(data))
        .route("/execution/{id}/localVariables/{name}/data", get(data))
}

#[derive(Debug, Deserialize)]
struct VariablePath {
    id: String,
    name: String,
}

async fn data(State(state): State<AppState>, PathParams(p): PathParams<VariablePath>) -> Reply {
    let vars = state.api.instance_variables(&p.id).await?;
    let value = vars.get(&p.name).ok_or_else(|| {
        RestError::not_found(format!(
            "variable with name {} does not exist in {}",
            p.name, p.id
        ))
    })?;
    binary_response(&p.name, value)
}

/// The response carrying a binary variable's content.
fn binary_response(name: &str, value: &TypedValue) -> Reply {
    if !matches!(value.kind, ValueType::Bytes | ValueType::File) {
        return Err(RestError::bad_request(format!(
            "Value of variable with id {name} is not a binary value."
        )));
    }
    let bytes = match &value.value {
        Value::String(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|e| {
                RestError::bad_request(format!("the value of variable {name} is not base64: {e}"))
            })?,
        _ => Vec::new(),
    };
    let info = |key: &str| value.info.get(key).and_then(Value::as_str);
    let content_type = match value.kind {
        ValueType::File => info("mimetype").unwrap_or("application/octet-stream"),
        _ => "application/octet-stream",
    };
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Some(file) = info("filename").filter(|_| value.kind == ValueType::File) {
        let file = file.replace(['"', '\r', '\n'], "_");
        if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
        {
            headers.insert(header::CONTENT_DISPOSITION, disposition);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::{Map, json};

    fn typed(kind: &str, value: Value, info: Value) -> TypedValue {
        let info: Map<String, Value> = info.as_object().cloned().unwrap_or_default();
        TypedValue::from_rest("v", value, Some(kind), info).expect("typed")
    }

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body")
            .to_vec()
    }

    #[tokio::test]
    async fn bytes_and_files_come_back_decoded() {
        let bytes =
            binary_response("b", &typed("Bytes", json!("aGVsbG8="), json!({}))).expect("bytes");
        assert_eq!(
            bytes
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|h| h.as_bytes()),
            Some(&b"application/octet-stream"[..])
        );
        assert_eq!(body(bytes).await, b"hello");

        let file = binary_response(
            "f",
            &typed(
                "File",
                json!("eyJhIjoxfQ=="),
                json!({"filename": "order.json", "mimetype": "application/json", "encoding": "utf-8"}),
            ),
        )
        .expect("file");
        assert_eq!(
            file.headers()
                .get(header::CONTENT_TYPE)
                .map(|h| h.as_bytes()),
            Some(&b"application/json"[..])
        );
        assert_eq!(
            file.headers()
                .get(header::CONTENT_DISPOSITION)
                .map(|h| h.as_bytes()),
            Some(&b"attachment; filename=\"order.json\""[..])
        );
        assert_eq!(body(file).await, br#"{"a":1}"#);
    }

    #[test]
    fn other_values_are_not_binary() {
        let e = binary_response("s", &typed("String", json!("x"), json!({}))).expect_err("400");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            e.message,
            "Value of variable with id s is not a binary value."
        );
    }
}
