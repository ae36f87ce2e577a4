//! The client's error type: Camunda's own `{type, message, code}` error bodies, and what can go
//! wrong on the way (transport, timeout, an open circuit breaker, an undecodable body).

use std::time::Duration;

use carpetti_util::breaker::BreakerOpen;
use serde::Deserialize;

pub type Result<T, E = CamundaError> = std::result::Result<T, E>;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CamundaError {
    /// The engine answered with an error status and (usually) a `{type, message, code}` body.
    /// `kind` is the exception class (`InvalidRequestException`, `RestException`,
    /// `ProcessEngineException`, `AuthorizationException`…); empty when the body was not JSON.
    #[error("camunda answered {status} {kind}: {message}")]
    Engine {
        status: u16,
        kind: String,
        message: String,
        /// Camunda 7.15+ error code (0 when the engine did not set one); absent before 7.15.
        code: Option<i64>,
    },
    /// 404: the instance, task, definition… does not exist (any more).
    #[error("not found ({kind}): {message}")]
    NotFound { kind: String, message: String },
    /// The request could not be sent or its answer not read.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// No answer within the timeout of the attempt.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The client's circuit breaker is open: the engine failed too often in a row.
    #[error(transparent)]
    CircuitOpen(#[from] BreakerOpen),
    /// A 2xx answer whose body is not the documented shape.
    #[error("cannot decode the answer of {what}: {source}")]
    Decode {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    /// A bad client setting or argument (base URL, request that cannot be built).
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Camunda's error body; every field optional so that a proxy's error page still decodes.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<i64>,
}

impl CamundaError {
    /// The error for a non-2xx answer: 404 becomes [`CamundaError::NotFound`], anything else
    /// [`CamundaError::Engine`]. A body that is not Camunda's JSON is kept (shortened) as the message.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        let (kind, message, code) = match serde_json::from_slice::<ErrorBody>(body) {
            Ok(b) => (
                b.kind.unwrap_or_default(),
                b.message.unwrap_or_default(),
                b.code,
            ),
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text: String = text.trim().chars().take(500).collect();
                (String::new(), text, None)
            }
        };
        if status == 404 {
            CamundaError::NotFound { kind, message }
        } else {
            CamundaError::Engine {
                status,
                kind,
                message,
                code,
            }
        }
    }

    /// The HTTP status of an engine answer (404 included); `None` for local failures.
    pub fn status(&self) -> Option<u16> {
        match self {
            CamundaError::Engine { status, .. } => Some(*status),
            CamundaError::NotFound { .. } => Some(404),
            _ => None,
        }
    }

    /// The engine said the thing does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, CamundaError::NotFound { .. })
    }

    /// The engine's exception class, if it answered with one.
    pub fn kind(&self) -> Option<&str> {
        match self {
            CamundaError::Engine { kind, .. } | CamundaError::NotFound { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// A failure of the engine or of the way to it (transport, timeout, 5xx), as opposed to an
    /// answer about the request itself (4xx). These count against the circuit breaker.
    pub fn is_unavailability(&self) -> bool {
        match self {
            CamundaError::Transport(_) | CamundaError::Timeout(_) => true,
            CamundaError::Engine { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The request never reached the engine (the connection could not be opened), so sending it
    /// again cannot apply it twice.
    pub fn is_not_sent(&self) -> bool {
        matches!(self, CamundaError::Transport(e) if e.is_connect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camunda_error_bodies_are_parsed() {
        let e = CamundaError::from_response(
            400,
            br#"{"type":"RestException","message":"bad worker","code":0}"#,
        );
        match e {
            CamundaError::Engine {
                status,
                kind,
                message,
                code,
            } => {
                assert_eq!(
                    (status, kind.as_str(), message.as_str(), code),
                    (400, "RestException", "bad worker", Some(0))
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        let e = CamundaError::from_response(
            404,
            br#"{"type":"InvalidRequestException","message":"gone"}"#,
        );
        assert!(e.is_not_found());
        assert_eq!(e.kind(), Some("InvalidRequestException"));
        assert_eq!(e.status(), Some(404));
    }

    #[test]
    fn non_json_bodies_are_kept_as_the_message() {
        let e = CamundaError::from_response(502, b"<html>Bad Gateway</html>");
        assert!(e.is_unavailability());
        assert_eq!(e.kind(), Some(""));
        assert!(e.to_string().contains("Bad Gateway"));
        assert!(!CamundaError::from_response(400, b"").is_unavailability());
    }
}
