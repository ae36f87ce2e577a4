//! The content API: subjects, characteristics, directories, card upload and update (accepted,
//! then processed after the delay), the card list and the error list.

use std::collections::HashSet;
use std::ops::Bound;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::WildberriesSandbox;
use super::reply::{content_error, envelope};
use super::seed::Directory;
use super::state::{Job, Pending, parse_timestamp, timestamp};

/// Merged cards per upload, variants per merged card, cards per update (documented maxima).
const UPLOAD_MAX: usize = 100;
const VARIANTS_MAX: usize = 30;
const UPDATE_MAX: usize = 3000;

type Params = Query<std::collections::HashMap<String, String>>;

pub(crate) async fn subjects(State(sb): State<WildberriesSandbox>, Query(q): Params) -> Response {
    let limit = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(30usize)
        .min(1000);
    let offset = q
        .get("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0usize);
    let name = q.get("name").map(|n| n.to_lowercase());
    let parent = q.get("parentID").and_then(|p| p.parse::<i64>().ok());
    let data: Vec<Value> = sb
        .seed()
        .subjects
        .iter()
        .filter(|s| {
            name.as_ref()
                .is_none_or(|n| s.name.to_lowercase().contains(n))
        })
        .filter(|s| parent.is_none_or(|p| s.parent_id == p))
        .skip(offset)
        .take(limit)
        .map(|s| {
            json!({ "subjectID": s.id, "parentID": s.parent_id,
                    "subjectName": s.name, "parentName": s.parent_name })
        })
        .collect();
    envelope(Value::Array(data), Value::Null)
}

pub(crate) async fn charcs(
    State(sb): State<WildberriesSandbox>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return content_error(400, "Invalid request parameters", Value::Null);
    };
    let data: Vec<Value> = sb
        .seed()
        .subject(id)
        .map(|s| {
            s.charcs
                .iter()
                .map(|c| {
                    json!({ "charcID": c.id, "subjectName": s.name, "subjectID": s.id,
                            "name": c.name, "required": c.required, "unitName": c.unit,
                            "maxCount": c.max_count, "popular": false, "charcType": c.charc_type })
                })
                .collect()
        })
        .unwrap_or_default();
    envelope(Value::Array(data), Value::Null)
}

pub(crate) async fn directory(sb: WildberriesSandbox, directory: Directory) -> Response {
    let seed = sb.seed();
    let data: Vec<Value> = match directory {
        Directory::Colors => seed
            .colors
            .iter()
            .map(|(name, parent)| json!({ "name": name, "parentName": parent }))
            .collect(),
        Directory::Countries => seed
            .countries
            .iter()
            .map(|(name, full)| json!({ "name": name, "fullName": full }))
            .collect(),
        other => seed.directory(other).into_iter().map(Value::from).collect(),
    };
    envelope(Value::Array(data), Value::Null)
}

fn invalid_format() -> Response {
    content_error(400, "Invalid request format", json!({}))
}

pub(crate) async fn upload(State(sb): State<WildberriesSandbox>, body: Bytes) -> Response {
    let Ok(Value::Array(entries)) = serde_json::from_slice::<Value>(&body) else {
        return invalid_format();
    };
    let mut vendor_codes = Vec::new();
    let mut jobs = Vec::new();
    let mut state = sb.lock();
    for entry in &entries {
        let variants = entry.get("variants").and_then(Value::as_array);
        let (Some(subject_id), Some(variants)) =
            (entry.get("subjectID").and_then(Value::as_i64), variants)
        else {
            return invalid_format();
        };
        for variant in variants {
            match variant.get("vendorCode").and_then(Value::as_str) {
                Some(code) if !code.trim().is_empty() => {
                    *state.upload_calls.entry(code.to_owned()).or_default() += 1;
                    vendor_codes.push(code.to_owned());
                }
                _ => {
                    return content_error(
                        400,
                        "A card cannot be created without a vendorCode",
                        json!({}),
                    );
                }
            }
        }
        if variants.is_empty() || variants.len() > VARIANTS_MAX {
            return content_error(
                400,
                "В объединённой карточке товара может быть от 1 до 30 карточек товаров",
                json!({}),
            );
        }
        jobs.push((subject_id, variants.clone()));
    }
    if entries.is_empty() {
        return invalid_format();
    }
    if entries.len() > UPLOAD_MAX {
        return content_error(
            400,
            "В одном запросе можно создать не более 100 объединённых карточек товаров",
            json!({}),
        );
    }
    if let Some((subject_id, _)) = jobs.iter().find(|(s, _)| sb.seed().subject(*s).is_none()) {
        return content_error(
            400,
            "This category does not exist",
            json!({ "id": subject_id.to_string() }),
        );
    }
    let mut seen = HashSet::new();
    if vendor_codes
        .iter()
        .any(|code| state.vendor_taken(code) || !seen.insert(code.as_str()))
    {
        return content_error(
            400,
            "bad request; Unexpected the specified card's vendor code is used in other cards",
            json!({}),
        );
    }
    let ready_at = Instant::now() + sb.processing_delay();
    for code in &vendor_codes {
        state.clear_errors(code);
        *state.pending_vendors.entry(code.clone()).or_default() += 1;
    }
    for (subject_id, variants) in jobs {
        state.pending.push_back(Pending {
            ready_at,
            job: Job::Upload {
                subject_id,
                variants,
            },
        });
    }
    state.process_due(sb.seed());
    envelope(Value::Null, json!({}))
}

pub(crate) async fn update(State(sb): State<WildberriesSandbox>, body: Bytes) -> Response {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(&body) else {
        return invalid_format();
    };
    if items.is_empty() || items.len() > UPDATE_MAX {
        return invalid_format();
    }
    let mut state = sb.lock();
    for item in &items {
        let nm = item.get("nmID").and_then(Value::as_i64);
        let code = item.get("vendorCode").and_then(Value::as_str);
        let (Some(nm), Some(_), true) = (nm, code, item.get("sizes").is_some_and(Value::is_array))
        else {
            return invalid_format();
        };
        if !state.cards.contains_key(&nm) {
            return content_error(
                400,
                "Указан несуществующий nmID карточки товара",
                json!({ "error": "Указан несуществующий nmID карточки товара" }),
            );
        }
    }
    for code in items
        .iter()
        .filter_map(|i| i.get("vendorCode").and_then(Value::as_str))
    {
        *state.update_calls.entry(code.to_owned()).or_default() += 1;
        state.clear_errors(code);
    }
    state.pending.push_back(Pending {
        ready_at: Instant::now() + sb.processing_delay(),
        job: Job::Update { items },
    });
    state.process_due(sb.seed());
    envelope(Value::Null, json!({}))
}

pub(crate) async fn cards_list(State(sb): State<WildberriesSandbox>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return content_error(400, "Request body can not be decoded", Value::Null);
    };
    let settings = request.get("settings").cloned().unwrap_or(Value::Null);
    let cursor = settings.get("cursor").cloned().unwrap_or(Value::Null);
    let limit = cursor.get("limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    if limit == 0 || limit > 100 {
        return content_error(400, "Invalid request parameters: limit", Value::Null);
    }
    let ascending = settings
        .pointer("/sort/ascending")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let after = cursor
        .get("updatedAt")
        .and_then(Value::as_str)
        .and_then(parse_timestamp)
        .zip(cursor.get("nmID").and_then(Value::as_i64));
    let search = settings
        .pointer("/filter/textSearch")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let state = sb.lock();
    let nm_ids: Vec<i64> = if let Some(search) = search {
        // Exact vendor code, nmID or barcode (WB also matches parts of them).
        let nm = state
            .by_vendor
            .get(search)
            .or_else(|| state.by_barcode.get(search))
            .copied()
            .or_else(|| {
                search
                    .parse::<i64>()
                    .ok()
                    .filter(|n| state.cards.contains_key(n))
            });
        nm.into_iter().collect()
    } else {
        let range = match (after, ascending) {
            (Some(key), true) => state
                .by_update
                .range((Bound::Excluded(key), Bound::Unbounded)),
            (Some(key), false) => state
                .by_update
                .range((Bound::Unbounded, Bound::Excluded(key))),
            (None, _) => state.by_update.range(..),
        };
        if ascending {
            range.take(limit).map(|(_, nm)| *nm).collect()
        } else {
            range.rev().take(limit).map(|(_, nm)| *nm).collect()
        }
    };
    let cards: Vec<Value> = nm_ids
        .iter()
        .filter_map(|nm| state.cards.get(nm))
        .map(super::cards::card_json)
        .collect();
    let last = nm_ids.last().and_then(|nm| state.cards.get(nm));
    let cursor = json!({
        "updatedAt": last.map(|c| timestamp(c.updated_at)).unwrap_or_default(),
        "nmID": last.map(|c| c.nm_id).unwrap_or_default(),
        "total": cards.len(),
    });
    super::reply::json(200, json!({ "cards": cards, "cursor": cursor }))
}
