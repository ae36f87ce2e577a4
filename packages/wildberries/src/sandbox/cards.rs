//! Cards as `/content/v2/get/cards/list` shows them, and the error list
//! (`/content/v2/cards/error/list`, batches in formation order, cursor `{updatedAt, batchUUID}`).

use std::ops::Bound;

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::WildberriesSandbox;
use super::reply::{content_error, envelope};
use super::state::{SandboxCard, parse_timestamp, timestamp};

pub(crate) fn card_json(card: &SandboxCard) -> Value {
    let mut value = json!({
        "nmID": card.nm_id,
        "imtID": card.imt_id,
        "nmUUID": card.nm_uuid,
        "subjectID": card.subject_id,
        "subjectName": card.subject_name,
        "vendorCode": card.vendor_code,
        "brand": card.brand,
        "title": card.title,
        "description": card.description,
        "needKiz": false,
        "photos": [],
        "characteristics": card.characteristics.iter()
            .map(|(id, name, value)| json!({ "id": id, "name": name, "value": value }))
            .collect::<Vec<_>>(),
        "sizes": card.sizes.iter()
            .map(|s| json!({ "chrtID": s.chrt_id, "techSize": s.tech_size,
                             "wbSize": s.wb_size, "skus": s.skus }))
            .collect::<Vec<_>>(),
        "tags": [],
        "createdAt": timestamp(card.created_at),
        "updatedAt": timestamp(card.updated_at),
    });
    let (length, width, height, weight) = card.dimensions.unwrap_or_default();
    value["dimensions"] = json!({
        "length": length, "width": width, "height": height, "weightBrutto": weight,
        "isValid": length > 0 && width > 0 && height > 0 && weight > 0.0,
    });
    value
}

pub(crate) async fn error_list(State(sb): State<WildberriesSandbox>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(value @ Value::Object(_)) => value,
        _ if body.is_empty() => json!({}),
        _ => return content_error(400, "Invalid request format", Value::Null),
    };
    let limit = request
        .pointer("/cursor/limit")
        .and_then(Value::as_u64)
        .unwrap_or(100);
    if limit == 0 || limit > 100 {
        return content_error(400, "Invalid request parameters: limit", Value::Null);
    }
    let ascending = request
        .pointer("/order/ascending")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let state = sb.lock();
    let after = request
        .pointer("/cursor/batchUUID")
        .and_then(Value::as_str)
        .and_then(|uuid| state.batch_by_uuid.get(uuid).copied())
        .or_else(|| {
            // A batch no longer listed: continue from its time.
            let at = request
                .pointer("/cursor/updatedAt")
                .and_then(Value::as_str)
                .and_then(parse_timestamp)?;
            Some((at, if ascending { u64::MAX } else { 0 }))
        });
    let range = match (after, ascending) {
        (Some(key), true) => state
            .batches
            .range((Bound::Excluded(key), Bound::Unbounded)),
        (Some(key), false) => state
            .batches
            .range((Bound::Unbounded, Bound::Excluded(key))),
        (None, _) => state.batches.range(..),
    };
    let mut page: Vec<_> = if ascending {
        range.take(limit as usize + 1).collect()
    } else {
        range.rev().take(limit as usize + 1).collect()
    };
    let next = page.len() > limit as usize;
    page.truncate(limit as usize);
    let items: Vec<Value> = page
        .iter()
        .map(|(_, batch)| {
            let subjects: Map<String, Value> = batch
                .subjects
                .iter()
                .map(|(code, (id, name))| (code.clone(), json!({ "id": id, "name": name })))
                .collect();
            json!({
                "batchUUID": batch.uuid,
                "subjects": subjects,
                "brands": {},
                "vendorCodes": batch.vendor_codes,
                "errors": batch.errors,
            })
        })
        .collect();
    let (updated_at, batch_uuid) = match page.last() {
        Some(((at, _), batch)) => (timestamp(*at), batch.uuid.clone()),
        None => (
            request
                .pointer("/cursor/updatedAt")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| timestamp(chrono::DateTime::UNIX_EPOCH)),
            request
                .pointer("/cursor/batchUUID")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| uuid::Uuid::nil().to_string()),
        ),
    };
    let data = json!({
        "items": items,
        "cursor": { "next": next, "updatedAt": updated_at, "batchUUID": batch_uuid },
    });
    envelope(data, Value::Null)
}
