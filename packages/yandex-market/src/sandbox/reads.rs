//! Reading the catalog back: `POST /v2/businesses/{businessId}/offer-mappings` (by offer id, ≤ 100,
//! or the whole catalog page by page with `limit` ≤ 100 and `pageToken`) and
//! `POST /v2/businesses/{businessId}/offer-cards` (content state and errors, ≤ 200).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::SecondsFormat;
use rust_decimal::prelude::ToPrimitive;
use serde::de::DeserializeOwned;

use super::YandexMarketSandbox;
use super::http::{Refusal, bad_request, json_ok};
use super::state::{OfferRecord, State as SandboxState};
use crate::wire::offers::{
    CampaignStatus, Mapping, OfferCard, OfferCardsRequest, OfferCardsResult, OfferMappingEntry,
    OfferMappingsRequest, OfferMappingsResult, Price, ReadOffer, card_status,
};
use crate::wire::{Envelope, Paging};

/// The query string as a map (`page_token` is accepted for `pageToken`, as older docs name it).
pub(super) fn query_map(query: Option<String>) -> HashMap<String, String> {
    let mut map: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if let Some(token) = map.remove("page_token") {
        map.entry("pageToken".to_owned()).or_insert(token);
    }
    map
}

/// `limit` within `1..=max` (`default` when absent).
pub(super) fn limit(
    query: &HashMap<String, String>,
    default: usize,
    max: usize,
) -> Result<usize, Refusal> {
    match query.get("limit") {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                bad_request(
                    "BAD_REQUEST",
                    format!("limit must be 1 to {max}, got «{text}»"),
                )
            }),
    }
}

/// A page token is the position of the next item, opaque to clients.
pub(super) fn token(position: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("next:{position}"))
}

pub(super) fn position(query: &HashMap<String, String>) -> Result<usize, Refusal> {
    let Some(token) = query.get("pageToken") else {
        return Ok(0);
    };
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("next:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| bad_request("BAD_REQUEST", format!("pageToken «{token}» is invalid")))
}

/// An optional JSON body (none = no filter).
pub(super) fn optional_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| bad_request("BAD_REQUEST", format!("Invalid request body: {e}")))
}

pub(super) async fn mappings(
    State(sandbox): State<YandexMarketSandbox>,
    Path(business): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, Refusal> {
    sandbox.check_business(&business)?;
    let query = query_map(query);
    let limit = limit(&query, 50, 100)?;
    let filter: OfferMappingsRequest = optional_body(&body)?;
    let state = sandbox.state();
    let campaign = sandbox.inner.config.campaign_id;
    if let Some(ids) = &filter.offer_ids {
        if ids.is_empty() || ids.len() > 100 {
            return Err(bad_request(
                "BAD_REQUEST",
                "offerIds must hold 1 to 100 offer ids",
            ));
        }
        let entries = ids
            .iter()
            .filter_map(|id| state.offers.get(id))
            .map(|record| entry(&state, record, campaign, &sandbox))
            .collect();
        return Ok(json_ok(&Envelope::ok(OfferMappingsResult {
            paging: Some(Paging::default()),
            offer_mappings: entries,
        })));
    }
    let start = position(&query)?;
    let mut entries = Vec::new();
    let mut next = None;
    for (at, offer_id) in state.catalog.iter().enumerate().skip(start) {
        if entries.len() == limit {
            next = Some(token(at));
            break;
        }
        let Some(record) = state.offers.get(offer_id) else {
            continue;
        };
        if matches(&filter, record) {
            entries.push(entry(&state, record, campaign, &sandbox));
        }
    }
    Ok(json_ok(&Envelope::ok(OfferMappingsResult {
        paging: Some(Paging {
            next_page_token: next,
        }),
        offer_mappings: entries,
    })))
}

fn matches(filter: &OfferMappingsRequest, record: &OfferRecord) -> bool {
    let statuses = filter.card_statuses.as_deref().unwrap_or_default();
    let categories = filter.category_ids.as_deref().unwrap_or_default();
    let vendors = filter.vendor_names.as_deref().unwrap_or_default();
    (statuses.is_empty() || statuses.contains(&record.card_status))
        && (categories.is_empty()
            || record
                .offer
                .market_category_id
                .is_some_and(|c| categories.contains(&c)))
        && (vendors.is_empty()
            || record
                .offer
                .vendor
                .as_ref()
                .is_some_and(|v| vendors.contains(v)))
        && filter.archived != Some(true)
}

fn entry(
    state: &SandboxState,
    record: &OfferRecord,
    campaign_id: i64,
    sandbox: &YandexMarketSandbox,
) -> OfferMappingEntry {
    let offer = &record.offer;
    let price = state.prices.get(&offer.offer_id).map(|p| Price {
        value: p.value.to_f64().unwrap_or_default(),
        currency_id: "RUR".to_owned(),
        discount_base: p.discount_base.and_then(|d| d.to_f64()),
        updated_at: Some(p.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    });
    let in_stock = state
        .stocks
        .get(&offer.offer_id)
        .is_some_and(|by_warehouse| by_warehouse.values().any(|s| s.count > 0));
    let campaign_status = match record.card_status.as_str() {
        card_status::NO_CARD_PROCESSING | card_status::HAS_CARD_CAN_UPDATE_PROCESSING => "CHECKING",
        card_status::NO_CARD_NEED_CONTENT | card_status::NO_CARD_ERRORS => "NO_CARD",
        _ if in_stock => "PUBLISHED",
        _ => "NO_STOCKS",
    };
    let category = offer.market_category_id;
    OfferMappingEntry {
        offer: ReadOffer {
            offer_id: offer.offer_id.clone(),
            name: offer.name.clone(),
            market_category_id: category,
            pictures: offer.pictures.clone(),
            vendor: offer.vendor.clone(),
            vendor_code: offer.vendor_code.clone(),
            barcodes: offer.barcodes.clone(),
            description: offer.description.clone(),
            weight_dimensions: offer.weight_dimensions,
            basic_price: price,
            card_status: Some(record.card_status.clone()),
            campaigns: Some(vec![CampaignStatus {
                campaign_id,
                status: campaign_status.to_owned(),
            }]),
            archived: Some(false),
        },
        mapping: record
            .market_sku
            .map(|sku| mapping(sku, offer.name.clone(), category, sandbox)),
    }
}

fn mapping(
    sku: i64,
    name: Option<String>,
    category: Option<i64>,
    sandbox: &YandexMarketSandbox,
) -> Mapping {
    Mapping {
        market_sku: Some(sku),
        market_sku_name: name,
        market_category_id: category,
        market_category_name: category
            .and_then(|id| sandbox.inner.dictionary.category(id))
            .map(|c| c.name.clone()),
    }
}

pub(super) async fn cards(
    State(sandbox): State<YandexMarketSandbox>,
    Path(business): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, Refusal> {
    sandbox.check_business(&business)?;
    let query = query_map(query);
    let limit = limit(&query, 100, 200)?;
    let filter: OfferCardsRequest = optional_body(&body)?;
    let state = sandbox.state();
    let card = |record: &OfferRecord| OfferCard {
        offer_id: record.offer.offer_id.clone(),
        mapping: record.market_sku.map(|sku| {
            mapping(
                sku,
                record.offer.name.clone(),
                record.offer.market_category_id,
                &sandbox,
            )
        }),
        parameter_values: record
            .offer
            .parameter_values
            .clone()
            .filter(|v| !v.is_empty()),
        card_status: Some(record.card_status.clone()),
        errors: (!record.errors.is_empty()).then(|| record.errors.clone()),
        warnings: None,
    };
    let (offer_cards, next) = match &filter.offer_ids {
        Some(ids) if ids.is_empty() || ids.len() > 200 => {
            return Err(bad_request(
                "BAD_REQUEST",
                "offerIds must hold 1 to 200 offer ids",
            ));
        }
        Some(ids) => (
            ids.iter()
                .filter_map(|id| state.offers.get(id))
                .map(card)
                .collect(),
            None,
        ),
        None => {
            let start = position(&query)?;
            let statuses = filter.card_statuses.as_deref().unwrap_or_default();
            let mut cards = Vec::new();
            let mut next = None;
            for (at, offer_id) in state.catalog.iter().enumerate().skip(start) {
                if cards.len() == limit {
                    next = Some(token(at));
                    break;
                }
                if let Some(record) = state.offers.get(offer_id)
                    && (statuses.is_empty() || statuses.contains(&record.card_status))
                {
                    cards.push(card(record));
                }
            }
            (cards, next)
        }
    };
    Ok(json_ok(&Envelope::ok(OfferCardsResult {
        offer_cards,
        paging: Some(Paging {
            next_page_token: next,
        }),
    })))
}
