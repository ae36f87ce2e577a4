//! The one mapping of failures to Camunda's error responses: a status and
//! `{type, message, code}` (plus `details` for a `ParseException`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api::EngineError;

use super::json;

/// An error answer of the REST API.
#[derive(Debug, Clone, PartialEq)]
pub struct RestError {
    pub status: StatusCode,
    /// Camunda's exception class name: `InvalidRequestException`, `ParseException`,
    /// `ProcessEngineException`, `AuthenticationException`, `RestException`.
    pub kind: &'static str,
    pub message: String,
    /// Extra fields of the body (`details` of a `ParseException`).
    pub details: Option<Value>,
}

impl RestError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            details: None,
        }
    }

    /// 400 `InvalidRequestException`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidRequestException", message)
    }

    /// 404 `InvalidRequestException`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "InvalidRequestException", message)
    }

    /// The response body.
    pub fn body(&self) -> Value {
        let mut body = json!({ "type": self.kind, "message": self.message, "code": 0 });
        if let (Some(details), Some(map)) = (&self.details, body.as_object_mut()) {
            map.insert("details".into(), details.clone());
        }
        body
    }
}

impl From<EngineError> for RestError {
    fn from(error: EngineError) -> Self {
        let message = error.to_string();
        match error {
            EngineError::NotFound(_) => Self::not_found(message),
            EngineError::BadRequest(_) | EngineError::Variable(_) => Self::bad_request(message),
            EngineError::Parse { resource, error } => {
                let element = error.element.clone();
                Self {
                    details: Some(json!({
                        resource: {
                            "errors": [{
                                "message": error.message,
                                "line": error.line,
                                "column": 0,
                                "mainElementId": element,
                                "elementIds": element.iter().collect::<Vec<_>>(),
                            }],
                            "warnings": [],
                        }
                    })),
                    ..Self::new(StatusCode::BAD_REQUEST, "ParseException", message)
                }
            }
            EngineError::Internal(_) => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "ProcessEngineException",
                message,
            ),
            EngineError::Store(ref e) => {
                tracing::error!(error = %e, "engine storage failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "ProcessEngineException",
                    message,
                )
            }
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        json::with_status(self.status, &self.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelError;
    use crate::variables::VariableError;

    #[test]
    fn engine_errors_map_to_camunda_statuses_and_types() {
        let cases = [
            (
                EngineError::NotFound("gone".into()),
                404,
                "InvalidRequestException",
            ),
            (
                EngineError::BadRequest("wrong worker".into()),
                400,
                "InvalidRequestException",
            ),
            (
                EngineError::Variable(VariableError {
                    name: "a".into(),
                    reason: "bad".into(),
                }),
                400,
                "InvalidRequestException",
            ),
            (
                EngineError::Internal("boom".into()),
                500,
                "ProcessEngineException",
            ),
            (
                EngineError::Store(sqlx::Error::PoolTimedOut),
                500,
                "ProcessEngineException",
            ),
        ];
        for (error, status, kind) in cases {
            let rest = RestError::from(error);
            assert_eq!(
                (rest.status.as_u16(), rest.kind),
                (status, kind),
                "{rest:?}"
            );
            let body = rest.body();
            assert_eq!(body["type"], kind);
            assert_eq!(body["code"], 0);
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert!(body.get("details").is_none());
        }
    }

    #[test]
    fn parse_errors_carry_details_per_resource() {
        let rest = RestError::from(EngineError::Parse {
            resource: "a.bpmn".into(),
            error: ModelError {
                element: Some("Task_1".into()),
                line: 7,
                message: "unsupported element".into(),
            },
        });
        assert_eq!(rest.status, StatusCode::BAD_REQUEST);
        let body = rest.body();
        assert_eq!(body["type"], "ParseException");
        assert_eq!(body["details"]["a.bpmn"]["errors"][0]["line"], 7);
        assert_eq!(
            body["details"]["a.bpmn"]["errors"][0]["mainElementId"],
            "Task_1"
        );
        let response = rest.into_response();
        assert_eq!(
            response.headers()[axum::http::header::CONTENT_TYPE],
            "application/json"
        );
    }
}
