//! How headers are stored in the queue's tables: the publication time as Unix nanoseconds (the
//! exact header value), the `extra` headers as a JSON object (NULL when empty).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::QueueError;

pub(crate) fn nanos(at: DateTime<Utc>) -> Result<i64, QueueError> {
    at.timestamp_nanos_opt().ok_or_else(|| {
        QueueError::Storage(format!(
            "published_at {at} is outside the storable range (1677..2262)"
        ))
    })
}

pub(crate) fn from_nanos(nanos: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(nanos)
}

pub(crate) fn extra_to_json(
    extra: &BTreeMap<String, String>,
) -> Result<Option<String>, QueueError> {
    if extra.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(extra)
        .map(Some)
        .map_err(|err| QueueError::Storage(format!("encoding extra headers: {err}")))
}

pub(crate) fn extra_from_json(
    stored: Option<String>,
) -> Result<BTreeMap<String, String>, QueueError> {
    match stored {
        None => Ok(BTreeMap::new()),
        Some(json) => serde_json::from_str(&json)
            .map_err(|err| QueueError::Storage(format!("decoding extra headers {json:?}: {err}"))),
    }
}

/// Wraps a database error with what was being done.
pub(crate) fn storage(doing: &'static str) -> impl Fn(sqlx::Error) -> QueueError {
    move |err| QueueError::Storage(format!("{doing}: {err}"))
}

/// Now as Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}
