//! `POST /v2/businesses/{businessId}/offer-mappings/update`: 1–500 offers, validated like the
//! Market — a malformed request is a 400; an offer with errors makes the answer `status: ERROR`
//! with `results[].errors` and nothing of the call is saved; otherwise every offer is saved and
//! processed asynchronously.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;

use super::YandexMarketSandbox;
use super::content::item_errors;
use super::http::{Refusal, bad_request, json_ok};
use crate::quotas;
use crate::wire::offers::{
    MappingResult, UpdateOffer, UpdateOfferMappingsRequest, UpdateOfferMappingsResponse,
};
use crate::wire::{ERROR, OK};

pub(super) async fn update(
    State(sandbox): State<YandexMarketSandbox>,
    Path(business): Path<String>,
    body: Bytes,
) -> Result<Response, Refusal> {
    sandbox.check_business(&business)?;
    let request: UpdateOfferMappingsRequest = serde_json::from_slice(&body)
        .map_err(|e| bad_request("BAD_REQUEST", format!("Invalid request body: {e}")))?;
    check_request(&request).map_err(|reason| bad_request("BAD_REQUEST", reason))?;
    let inner = &sandbox.inner;
    let now = Utc::now();
    let mut state = sandbox.state();
    let results: Vec<MappingResult> = request
        .offer_mappings
        .iter()
        .filter_map(|mapping| {
            let stored = state
                .offers
                .get(&mapping.offer.offer_id)
                .and_then(|r| r.offer.market_category_id);
            let errors = item_errors(&mapping.offer, stored, &inner.dictionary);
            (!errors.is_empty()).then(|| MappingResult {
                offer_id: mapping.offer.offer_id.clone(),
                errors: Some(errors),
                warnings: None,
            })
        })
        .collect();
    if !results.is_empty() {
        return Ok(json_ok(&UpdateOfferMappingsResponse {
            status: ERROR.to_owned(),
            results: Some(results),
        }));
    }
    let delay = chrono::Duration::from_std(inner.config.processing_delay).unwrap_or_default();
    for mapping in request.offer_mappings {
        state.accept(mapping.offer, now, delay, &inner.dictionary);
    }
    Ok(json_ok(&UpdateOfferMappingsResponse {
        status: OK.to_owned(),
        results: None,
    }))
}

/// What the request schema forbids (a 400 for the whole call).
fn check_request(request: &UpdateOfferMappingsRequest) -> Result<(), String> {
    let count = request.offer_mappings.len();
    if count == 0 || count > quotas::CARDS_PER_CALL {
        return Err(format!(
            "offerMappings must hold 1 to {} offers, got {count}",
            quotas::CARDS_PER_CALL
        ));
    }
    let mut seen = HashSet::new();
    for mapping in &request.offer_mappings {
        let offer = &mapping.offer;
        check_offer_id(&offer.offer_id)?;
        if !seen.insert(offer.offer_id.as_str()) {
            return Err(format!("offerId {} is given twice", offer.offer_id));
        }
        check_offer(offer).map_err(|reason| format!("offer {}: {reason}", offer.offer_id))?;
    }
    Ok(())
}

/// `ShopSku`: 1–255 characters, not only spaces, no control characters but the tab.
pub(super) fn check_offer_id(offer_id: &str) -> Result<(), String> {
    let length = offer_id.chars().count();
    if length == 0
        || length > 255
        || offer_id.trim().is_empty()
        || offer_id.chars().any(|c| c.is_control() && c != '\t')
    {
        return Err(format!(
            "offerId «{offer_id}» is not a valid SKU (1–255 printable characters)"
        ));
    }
    Ok(())
}

fn check_offer(offer: &UpdateOffer) -> Result<(), String> {
    if let Some(name) = &offer.name
        && name.chars().count() > 256
    {
        return Err(format!(
            "name is longer than 256 characters ({})",
            name.chars().count()
        ));
    }
    if let Some(description) = &offer.description
        && description.chars().count() > 6000
    {
        return Err("description is longer than 6000 characters".to_owned());
    }
    if let Some(pictures) = &offer.pictures {
        if pictures.is_empty() || pictures.len() > 30 {
            return Err(format!(
                "pictures must hold 1 to 30 URLs, got {}",
                pictures.len()
            ));
        }
        if pictures.iter().any(|p| p.is_empty() || p.len() > 2000) {
            return Err("a picture URL is empty or longer than 2000 characters".to_owned());
        }
    }
    if let Some(barcodes) = &offer.barcodes {
        let unique: HashSet<_> = barcodes.iter().collect();
        if barcodes.is_empty() || unique.len() != barcodes.len() {
            return Err("barcodes must be a non-empty list of distinct values".to_owned());
        }
    }
    if let Some(values) = &offer.parameter_values
        && (values.is_empty() || values.len() > 300)
    {
        return Err(format!(
            "parameterValues must hold 1 to 300 values, got {}",
            values.len()
        ));
    }
    if offer.market_category_id.is_some_and(|id| id <= 0) {
        return Err("marketCategoryId must be positive".to_owned());
    }
    if let Some(d) = &offer.weight_dimensions
        && [d.length, d.width, d.height, d.weight]
            .iter()
            .any(|v| *v < 0.0)
    {
        return Err("weightDimensions must not be negative".to_owned());
    }
    if let Some(price) = &offer.basic_price {
        super::prices::check_price(price)?;
    }
    Ok(())
}
