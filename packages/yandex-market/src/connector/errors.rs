//! The Market's error answers as [`MpError`]s: `{"status":"ERROR","errors":[{code, message}]}`
//! with 400 / 401 / 403 / 404 / 420 / 423 / 500, and `status: ERROR` inside a 200.

use carpetti_marketplace::{MpError, Reply};
use serde::de::DeserializeOwned;

use super::MARKETPLACE;
use crate::wire::{ERROR, ErrorBody};

/// The answer as `T` when it is a 2xx, else the refusal.
pub(crate) fn decode<T: DeserializeOwned>(reply: &Reply, operation: &str) -> Result<T, MpError> {
    if !reply.is_success() {
        return Err(refusal(reply, operation));
    }
    reply.json(MARKETPLACE, operation)
}

/// A 2xx whose envelope says `OK`, else the refusal.
pub(crate) fn expect_ok(reply: &Reply, operation: &str) -> Result<(), MpError> {
    if !reply.is_success() {
        return Err(refusal(reply, operation));
    }
    let body: ErrorBody = reply.json(MARKETPLACE, operation)?;
    if body.status == ERROR {
        let (code, message) = first_error(&body, reply);
        return Err(MpError::Rejected {
            marketplace: MARKETPLACE,
            method: operation.to_owned(),
            status: reply.status,
            code,
            message,
        });
    }
    Ok(())
}

/// What a non-2xx answer means for the whole request.
pub(crate) fn refusal(reply: &Reply, operation: &str) -> MpError {
    let body: Option<ErrorBody> = serde_json::from_slice(&reply.body).ok();
    let (code, message) = match &body {
        Some(body) => first_error(body, reply),
        None => (format!("HTTP_{}", reply.status), reply.snippet()),
    };
    let method = operation.to_owned();
    match reply.status {
        401 | 403 => MpError::Auth {
            marketplace: MARKETPLACE,
            method,
            status: reply.status,
            message: format!("{code}: {message}"),
        },
        420 | 429 => MpError::RateLimited {
            marketplace: MARKETPLACE,
            method,
            retry_after: carpetti_marketplace::transport::hint(&reply.headers).unwrap_or_default(),
        },
        status if status >= 500 => MpError::Unavailable {
            marketplace: MARKETPLACE,
            method,
            reason: format!("HTTP {status} {code}: {message}"),
        },
        status => MpError::Rejected {
            marketplace: MARKETPLACE,
            method,
            status,
            code,
            message,
        },
    }
}

/// The first error's code and every error's message, joined.
fn first_error(body: &ErrorBody, reply: &Reply) -> (String, String) {
    let Some(first) = body.errors.first() else {
        return (body.status.clone(), reply.snippet());
    };
    let message = body
        .errors
        .iter()
        .map(|e| match &e.message {
            Some(message) => format!("{}: {message}", e.code),
            None => e.code.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    (first.code.clone(), message)
}

/// A request the connector refuses to send (an id that cannot be the Market's).
pub(crate) fn not_sent(operation: &str, code: &str, message: String) -> MpError {
    MpError::Rejected {
        marketplace: MARKETPLACE,
        method: operation.to_owned(),
        status: 0,
        code: code.to_owned(),
        message,
    }
}
