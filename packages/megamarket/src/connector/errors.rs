//! Megamarket's error shapes mapped to ours: HTTP 401/403 and token failures → `Auth`; a
//! `success: 0` answer (HTTP 200) → a refusal the caller turns into per-item problems or
//! `Rejected`; any other 4xx → `Rejected`. 429 and 5xx are the transport's (retried, then
//! `RateLimited` / `Unavailable`).

use carpetti_marketplace::{Marketplace, MpError, Reply};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::wire::{Answer, ApiError};

const MP: Marketplace = Marketplace::Megamarket;

/// What a call answered: its data, or the marketplace's refusal of the request.
pub(crate) enum Answered<T> {
    Done(T),
    Refused(Vec<ApiError>),
}

impl<T> Answered<T> {
    /// The data, a refusal becoming [`MpError::Rejected`].
    pub fn done(self, operation: &str) -> Result<T, MpError> {
        match self {
            Answered::Done(data) => Ok(data),
            Answered::Refused(errors) => Err(refused(operation, &errors)),
        }
    }
}

/// Reads an answer envelope.
pub(crate) fn read<T: DeserializeOwned>(
    reply: &Reply,
    operation: &str,
) -> Result<Answered<T>, MpError> {
    let answer: Option<Answer> = serde_json::from_slice(&reply.body).ok();
    let errors = answer.as_ref().map(Answer::errors).unwrap_or_default();
    if reply.status == 401 || reply.status == 403 {
        return Err(auth(operation, reply.status, &errors, reply));
    }
    if !reply.is_success() {
        let first = errors.first();
        return Err(MpError::Rejected {
            marketplace: MP,
            method: operation.to_owned(),
            status: reply.status,
            code: first.map(|e| e.code.clone()).unwrap_or_default(),
            message: first
                .map(|e| e.message.clone())
                .unwrap_or_else(|| reply.snippet()),
        });
    }
    let Some(answer) = answer else {
        return Err(MpError::Decode {
            marketplace: MP,
            method: operation.to_owned(),
            reason: format!("not an answer envelope: {}", reply.snippet()),
        });
    };
    if !answer.succeeded() {
        if errors.iter().any(is_auth_error) {
            return Err(auth(operation, reply.status, &errors, reply));
        }
        return Ok(Answered::Refused(errors));
    }
    let data = answer.data.unwrap_or(Value::Null);
    let data = if data.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        data
    };
    serde_json::from_value(data)
        .map(Answered::Done)
        .map_err(|e| MpError::Decode {
            marketplace: MP,
            method: operation.to_owned(),
            reason: e.to_string(),
        })
}

/// A whole-request refusal.
pub(crate) fn refused(operation: &str, errors: &[ApiError]) -> MpError {
    let code = errors.first().map(|e| e.code.clone()).unwrap_or_default();
    let message = if errors.is_empty() {
        "success: 0 without an error".to_owned()
    } else {
        errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    MpError::Rejected {
        marketplace: MP,
        method: operation.to_owned(),
        status: 200,
        code,
        message,
    }
}

/// Whether an error code says the token was refused (the codes are not documented; these are
/// the words such codes use).
fn is_auth_error(error: &ApiError) -> bool {
    let code = error.code.to_ascii_uppercase();
    [
        "UNAUTHORIZED",
        "AUTH",
        "TOKEN",
        "FORBIDDEN",
        "ACCESS_DENIED",
    ]
    .iter()
    .any(|word| code.contains(word))
}

fn auth(operation: &str, status: u16, errors: &[ApiError], reply: &Reply) -> MpError {
    MpError::Auth {
        marketplace: MP,
        method: operation.to_owned(),
        status,
        message: errors
            .first()
            .map(|e| format!("{}: {}", e.code, e.message))
            .unwrap_or_else(|| reply.snippet()),
    }
}
