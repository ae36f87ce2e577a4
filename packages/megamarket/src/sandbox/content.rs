//! The content (assortment) API: `categoryTree/get`, `infomodel/get`, `card/save` (an upsert by
//! offerId; the goodsId shows once the processing delay has passed) and `card/getAttributes`.

use std::collections::HashSet;
use std::ops::Bound;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::MegamarketSandbox;
use super::reply::{Api, fail, ok};
use super::seed::{SeedAttribute, SeedCategory};
use super::state::{CardRecord, State as Memory};
use super::validate::{self, IncomingCard};
use crate::api::{CARDS_PER_CALL, PAGE_LIMIT};

const API: Api = Api::Content;

pub(crate) async fn category_tree(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = sandbox.admit_content(&headers) {
        return *refused;
    }
    let state = sandbox.state();
    let categories: Vec<Value> = state.tree.iter().map(node).collect();
    ok(json!({ "categories": categories }))
}

fn node(category: &SeedCategory) -> Value {
    json!({
        "id": category.id,
        "name": category.name,
        "children": category.children.iter().map(node).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
struct InfomodelRequest {
    data: InfomodelData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InfomodelData {
    category_id: u64,
}

pub(crate) async fn infomodel(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = sandbox.admit_content(&headers) {
        return *refused;
    }
    let Ok(request) = serde_json::from_slice::<InfomodelRequest>(&body) else {
        return fail(
            API,
            "VALIDATION_ERROR",
            "expected {\"data\":{\"categoryId\":<int>}}",
        );
    };
    let id = request.data.category_id;
    let state = sandbox.state();
    let Some(leaf) = state.leaves.get(&id) else {
        return fail(
            API,
            "CATEGORY_NOT_FOUND",
            format!("category {id} is not a leaf category"),
        );
    };
    ok(json!({
        "categoryId": id,
        "masterAttributes": leaf.masters.iter().map(attribute).collect::<Vec<_>>(),
        "contentAttributes": leaf.contents.iter().map(attribute).collect::<Vec<_>>(),
    }))
}

fn attribute(a: &SeedAttribute) -> Value {
    json!({
        "attributeId": a.id,
        "attributeName": a.name,
        "isRequired": a.required,
        "valueTypeCode": a.kind,
        "isMultiple": a.multiple,
        "isSuggest": a.suggest,
        "unit": a.unit,
        "dictionaryList": a.values.iter()
            .map(|(id, value)| json!({ "id": id, "value": value }))
            .collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SaveRequest {
    category_id: u64,
    cards: Vec<IncomingCard>,
}

pub(crate) async fn card_save(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = sandbox.admit_content(&headers) {
        return *refused;
    }
    let request = match serde_json::from_slice::<SaveRequest>(&body) {
        Ok(request) => request,
        Err(e) => return fail(API, "VALIDATION_ERROR", format!("invalid request: {e}")),
    };
    if request.cards.is_empty() {
        return fail(API, "VALIDATION_ERROR", "`cards` is empty");
    }
    if request.cards.len() > CARDS_PER_CALL {
        return fail(
            API,
            "CARDS_LIMIT_EXCEEDED",
            format!(
                "at most {CARDS_PER_CALL} cards per call, got {}",
                request.cards.len()
            ),
        );
    }
    let delay = sandbox.processing_delay();
    let mut state = sandbox.state();
    for card in &request.cards {
        *state.save_calls.entry(card.offer_id.clone()).or_default() += 1;
    }
    let Some(leaf) = state.leaves.get(&request.category_id).cloned() else {
        return fail(
            API,
            "CATEGORY_NOT_FOUND",
            format!("category {} is not a leaf category", request.category_id),
        );
    };
    let now = Utc::now();
    let mut seen = HashSet::new();
    let mut error_cards = Vec::new();
    let mut saved = 0;
    for card in &request.cards {
        let errors = if card.offer_id.trim().is_empty() {
            Err(vec![validate::error(
                "VALIDATION_ERROR",
                "offerId is empty",
                None,
            )])
        } else if !seen.insert(card.offer_id.as_str()) {
            Err(vec![validate::error(
                "DUPLICATE_OFFER",
                "offerId repeats in the call",
                None,
            )])
        } else {
            validate::check(card, &leaf)
        };
        match errors {
            Ok((masters, contents)) => {
                upsert(
                    &mut state,
                    &card.offer_id,
                    request.category_id,
                    masters,
                    contents,
                    now,
                    delay,
                );
                saved += 1;
            }
            Err(errors) => error_cards.push(json!({ "offerId": card.offer_id, "errors": errors })),
        }
    }
    ok(json!({
        "successTotal": saved,
        "errorTotal": error_cards.len(),
        "errorCards": error_cards,
    }))
}

fn upsert(
    state: &mut Memory,
    offer: &str,
    category_id: u64,
    masters: Vec<(u64, Vec<String>)>,
    contents: Vec<(u64, Vec<String>)>,
    now: chrono::DateTime<Utc>,
    delay: chrono::Duration,
) {
    if let Some(card) = state.cards.get_mut(offer) {
        card.category_id = category_id;
        card.masters = masters;
        card.contents = contents;
        card.updated_at = now;
        return;
    }
    let goods_id = state.next_goods_id;
    state.next_goods_id += 1;
    *state.creates.entry(offer.to_owned()).or_default() += 1;
    state.card_index.insert(offer.to_owned());
    state.cards.insert(
        offer.to_owned(),
        CardRecord {
            category_id,
            goods_id,
            ready_at: now + delay,
            created_at: now,
            updated_at: now,
            masters,
            contents,
        },
    );
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Query {
    #[serde(default)]
    filter: Filter,
    sorting: Option<Sorting>,
    limit: usize,
    #[serde(default)]
    search_after: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    offer_id: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Sorting {
    field: String,
    order: String,
}

pub(crate) async fn card_get_attributes(
    State(sandbox): State<MegamarketSandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = sandbox.admit_content(&headers) {
        return *refused;
    }
    let query = match serde_json::from_slice::<Query>(&body) {
        Ok(query) => query,
        Err(e) => return fail(API, "VALIDATION_ERROR", format!("invalid request: {e}")),
    };
    if query.limit == 0 || query.limit > PAGE_LIMIT {
        return fail(
            API,
            "VALIDATION_ERROR",
            format!("limit must be 1..{PAGE_LIMIT}"),
        );
    }
    let descending = match &query.sorting {
        Some(s) if s.field != "offerId" => {
            return fail(API, "VALIDATION_ERROR", "cards sort by offerId only");
        }
        Some(s) => s.order.eq_ignore_ascii_case("desc"),
        None => false,
    };
    let state = sandbox.state();
    let after = query.search_after.as_deref();
    let page: Vec<&String> = match &query.filter.offer_id {
        Some(offers) => {
            let mut wanted: Vec<&String> = offers
                .iter()
                .filter(|o| state.cards.contains_key(o.as_str()))
                .filter(|o| match after {
                    Some(a) if descending => o.as_str() < a,
                    Some(a) => o.as_str() > a,
                    None => true,
                })
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            wanted.sort();
            if descending {
                wanted.reverse();
            }
            wanted.truncate(query.limit);
            wanted
        }
        None => {
            let bound = after.map_or(Bound::Unbounded, Bound::Excluded);
            if descending {
                let range = state.card_index.range::<str, _>((Bound::Unbounded, bound));
                range.rev().take(query.limit).collect()
            } else {
                let range = state.card_index.range::<str, _>((bound, Bound::Unbounded));
                range.take(query.limit).collect()
            }
        }
    };
    let now = Utc::now();
    let items: Vec<Value> = page
        .iter()
        .filter_map(|offer| state.cards.get(offer.as_str()).map(|card| (offer, card)))
        .map(|(offer, card)| {
            let values = |list: &[(u64, Vec<String>)]| -> Vec<Value> {
                list.iter()
                    .map(|(id, values)| json!({ "attributeId": id, "values": values }))
                    .collect()
            };
            let mut item = json!({
                "offerId": offer,
                "categoryId": card.category_id,
                "status": if card.ready(now) { "ACTIVE" } else { "PROCESSING" },
                "masterAttributes": values(&card.masters),
                "contentAttributes": values(&card.contents),
            });
            if card.ready(now) {
                item["goodsId"] = json!(card.goods_id.to_string());
            }
            item
        })
        .collect();
    let search_after = (page.len() == query.limit)
        .then(|| page.last().map(|o| o.as_str()))
        .flatten();
    ok(json!({ "items": items, "searchAfter": search_after }))
}
