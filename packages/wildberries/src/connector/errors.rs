//! The three Wildberries error families mapped to [`MpError`]:
//! - the gateway's `{title, detail, code, requestId, origin, status, statusText, timestamp}`
//!   (401 / 403 / 404 / 413 / 429);
//! - the content and prices envelope `{data, error:true, errorText, additionalErrors}`;
//! - the marketplace API's `{code, message, data}` (stock 409s: an array of them).

use carpetti_marketplace::{Marketplace, MpError, Reply};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::wire::{Envelope, MarketError};

const WB: Marketplace = Marketplace::Wildberries;

/// What a refusal says: a code (WB's own where it gives one) and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: String,
    pub message: String,
}

/// Reads any of the three error families (or a plain-text body).
pub(crate) fn refusal(reply: &Reply) -> Refusal {
    let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    if let Some(error_text) = text(&body, "errorText") {
        let extra = body
            .get("additionalErrors")
            .filter(|v| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()))
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        return Refusal {
            code: error_text.clone(),
            message: format!("{error_text}{extra}"),
        };
    }
    if let (Some(title), true) = (text(&body, "title"), body.get("origin").is_some()) {
        return Refusal {
            code: title.clone(),
            message: text(&body, "detail").unwrap_or(title),
        };
    }
    if let Some(code) = text(&body, "code") {
        return Refusal {
            message: text(&body, "message").unwrap_or_else(|| code.clone()),
            code,
        };
    }
    if let Ok(errors) = serde_json::from_value::<Vec<MarketError>>(body)
        && !errors.is_empty()
    {
        return Refusal {
            code: errors
                .iter()
                .map(|e| e.code.as_str())
                .collect::<Vec<_>>()
                .join(","),
            message: errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        };
    }
    Refusal {
        code: format!("http_{}", reply.status),
        message: reply.snippet(),
    }
}

/// The whole request was refused: 401 / 403 → [`MpError::Auth`], anything else →
/// [`MpError::Rejected`].
pub(crate) fn refused(reply: &Reply, operation: &str) -> MpError {
    let Refusal { code, message } = refusal(reply);
    match reply.status {
        401 | 403 => MpError::Auth {
            marketplace: WB,
            method: operation.to_owned(),
            status: reply.status,
            message,
        },
        status => MpError::Rejected {
            marketplace: WB,
            method: operation.to_owned(),
            status,
            code,
            message,
        },
    }
}

/// A 2xx answer's JSON body, or the refusal of any other status.
pub(crate) fn json_ok<T: DeserializeOwned>(reply: &Reply, operation: &str) -> Result<T, MpError> {
    if !reply.is_success() {
        return Err(refused(reply, operation));
    }
    reply.json(WB, operation)
}

/// A 2xx envelope with `error: false`, its `data` (may be absent), or the refusal.
pub(crate) fn envelope_ok<T: DeserializeOwned + Default>(
    reply: &Reply,
    operation: &str,
) -> Result<Option<T>, MpError> {
    let envelope: Envelope<T> = json_ok(reply, operation)?;
    if envelope.error {
        return Err(MpError::Rejected {
            marketplace: WB,
            method: operation.to_owned(),
            status: reply.status,
            code: envelope.error_text.clone(),
            message: envelope.error_text,
        });
    }
    Ok(envelope.data)
}

pub(crate) fn decode(operation: &str, reason: impl Into<String>) -> MpError {
    MpError::Decode {
        marketplace: WB,
        method: operation.to_owned(),
        reason: reason.into(),
    }
}

pub(crate) fn encode(operation: &str, error: &serde_json::Error) -> MpError {
    MpError::Decode {
        marketplace: WB,
        method: operation.to_owned(),
        reason: format!("encoding the request: {error}"),
    }
}

/// Whether an error text is WB's "vendor code already used" refusal of a card upload.
pub(crate) fn is_vendor_code_used(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("vendor code is used") || lower.contains("артикул продавца используется")
}

/// Whether an error text is WB's "this category does not exist" refusal of a card upload.
pub(crate) fn is_unknown_category(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("category does not exist") || lower.contains("предмета не существует")
}
