//! The Partner API's JSON shapes (camelCase, as the official OpenAPI names them), shared by the
//! connector (which sends requests and reads answers) and the sandbox (which reads requests and
//! sends answers). Fields the spec requires are plain; the rest are `Option` and omitted when
//! absent. Money is a JSON number (`f64` on the wire, `Decimal` on both sides of it).

pub(crate) mod dictionary;
pub(crate) mod offers;
pub(crate) mod orders;
pub(crate) mod prices;

use serde::{Deserialize, Serialize};

/// `status` of every envelope.
pub(crate) const OK: &str = "OK";
pub(crate) const ERROR: &str = "ERROR";

/// `{"status": "OK", "result": …}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Envelope<T> {
    pub status: String,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub result: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

impl<T> Envelope<T> {
    pub fn ok(result: T) -> Self {
        Self {
            status: OK.to_owned(),
            result: Some(result),
        }
    }
}

/// `{"status": "OK"}`: the answer of updates without a result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Empty {
    pub status: String,
}

impl Empty {
    pub fn ok() -> Self {
        Self {
            status: OK.to_owned(),
        }
    }
}

/// One error of an error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ApiError {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `{"status": "ERROR", "errors": [{code, message}]}`: every 4xx/5xx answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ErrorBody {
    pub status: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ApiError>,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            status: ERROR.to_owned(),
            errors: vec![ApiError {
                code: code.to_owned(),
                message: Some(message.into()),
            }],
        }
    }
}

/// Forward paging: the token of the next page, absent on the last one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Paging {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}
