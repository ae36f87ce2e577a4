//! Cards out: `POST /v2/businesses/{businessId}/offer-mappings/update`, 500 offers per call.
//!
//! The Market applies a call all or nothing: when one offer has an error the answer is
//! `status: ERROR` with `results[].errors` and nothing is saved. The erroneous offers are settled
//! as rejected (the error type is the code, `parameterId` the attribute) and the rest is sent
//! again in the same `submit_cards`.

use std::collections::{HashMap, HashSet};

use carpetti_marketplace::{Card, CardResult, CardState, MpError, Problem, Submission};
use chrono::Utc;
use http::Method;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::errors::decode;
use super::{MARKETPLACE, YandexMarketConnector};
use crate::quotas::{self, op};
use crate::wire::OK;
use crate::wire::offers::{
    MappingError, ParameterValue, Price, UpdateOffer, UpdateOfferMapping,
    UpdateOfferMappingsRequest, UpdateOfferMappingsResponse, WeightDimensions,
};

/// `OfferName`, `OfferDescription`, pictures, parameter values: the request schema's maxima (a
/// violation would refuse the whole call with a 400).
const MAX_NAME: usize = 256;
const MAX_DESCRIPTION: usize = 6000;
const MAX_PICTURES: usize = 30;
const MAX_URL: usize = 2000;
const MAX_PARAMETER_VALUES: usize = 300;
const MAX_OFFER_ID: usize = 255;

impl YandexMarketConnector {
    pub(super) async fn submit(&self, cards: &[Card]) -> Result<Submission, MpError> {
        let submitted_at = Utc::now();
        let mut offer_ids = Vec::with_capacity(cards.len());
        let mut seen = HashSet::new();
        // the last card of an offer id wins: one call must not name an offer twice
        let mut latest: HashMap<&str, &Card> = HashMap::new();
        for card in cards {
            if seen.insert(card.offer_id.as_str()) {
                offer_ids.push(card.offer_id.clone());
            }
            latest.insert(card.offer_id.as_str(), card);
        }
        let mut settled = Vec::new();
        let mut outgoing = Vec::new();
        for offer_id in &offer_ids {
            let Some(card) = latest.get(offer_id.as_str()) else {
                continue;
            };
            match offer_mapping(card) {
                Ok(mapping) => outgoing.push(mapping),
                Err(problems) => settled.push(rejected(offer_id, problems)),
            }
        }
        for chunk in outgoing.chunks(quotas::CARDS_PER_CALL) {
            self.send_mappings(chunk.to_vec(), &mut settled).await?;
        }
        Ok(Submission {
            task_id: None,
            offer_ids,
            submitted_at,
            settled,
        })
    }

    /// Sends `batch` until the Market takes what is left of it.
    async fn send_mappings(
        &self,
        mut batch: Vec<UpdateOfferMapping>,
        settled: &mut Vec<CardResult>,
    ) -> Result<(), MpError> {
        let url = self.business_url("/offer-mappings/update");
        while !batch.is_empty() {
            let body = UpdateOfferMappingsRequest {
                offer_mappings: batch.clone(),
                only_partner_media_content: None,
            };
            let call = self.json_call(Method::POST, op::CARDS_UPDATE, url.clone(), &body)?;
            let reply = self.send(&call).await?;
            let answer: UpdateOfferMappingsResponse = decode(&reply, op::CARDS_UPDATE)?;
            let results = answer.results.unwrap_or_default();
            if answer.status == OK {
                for result in &results {
                    for warning in result.warnings.as_deref().unwrap_or_default() {
                        tracing::info!(offer_id = %result.offer_id, kind = %warning.kind,
                            message = %warning.message, "yandex market: card warning");
                    }
                }
                return Ok(());
            }
            let mut errors: HashMap<String, Vec<MappingError>> = results
                .into_iter()
                .filter_map(|r| Some((r.offer_id, r.errors.filter(|e| !e.is_empty())?)))
                .collect();
            let before = batch.len();
            batch.retain(|mapping| match errors.remove(&mapping.offer.offer_id) {
                Some(found) => {
                    settled.push(rejected(
                        &mapping.offer.offer_id,
                        found.into_iter().map(problem).collect(),
                    ));
                    false
                }
                None => true,
            });
            if batch.len() == before {
                return Err(MpError::Rejected {
                    marketplace: MARKETPLACE,
                    method: op::CARDS_UPDATE.to_owned(),
                    status: reply.status,
                    code: answer.status,
                    message: "the batch was refused without an error on any of its offers"
                        .to_owned(),
                });
            }
        }
        Ok(())
    }
}

fn rejected(offer_id: &str, problems: Vec<Problem>) -> CardResult {
    CardResult {
        offer_id: offer_id.to_owned(),
        state: CardState::Rejected { problems },
    }
}

fn problem(error: MappingError) -> Problem {
    let problem = Problem::new(error.kind, error.message);
    match error.parameter_id {
        Some(id) => problem.on_attribute(id.to_string()),
        None => problem,
    }
}

/// The offer as the Market takes it, or why it cannot be sent.
pub(super) fn offer_mapping(card: &Card) -> Result<UpdateOfferMapping, Vec<Problem>> {
    let mut problems = Vec::new();
    let offer_id = card.offer_id.trim();
    if offer_id.is_empty()
        || offer_id.chars().count() > MAX_OFFER_ID
        || offer_id.chars().any(|c| c.is_control() && c != '\t')
    {
        problems.push(Problem::new(
            "invalid_offer_id",
            format!("offer id «{offer_id}» must be 1–{MAX_OFFER_ID} printable characters"),
        ));
    }
    let name = card.name.trim();
    if name.is_empty() {
        problems.push(Problem::new("missing_name", "the card has no name"));
    } else if name.chars().count() > MAX_NAME {
        problems.push(Problem::new(
            "name_too_long",
            format!(
                "the name has {} characters, at most {MAX_NAME}",
                name.chars().count()
            ),
        ));
    }
    let description = card
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if let Some(text) = description
        && text.chars().count() > MAX_DESCRIPTION
    {
        problems.push(Problem::new(
            "description_too_long",
            format!(
                "the description has {} characters, at most {MAX_DESCRIPTION}",
                text.chars().count()
            ),
        ));
    }
    let pictures: Vec<String> = card
        .pictures
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if pictures.len() > MAX_PICTURES {
        problems.push(Problem::new(
            "too_many_pictures",
            format!("{} pictures, at most {MAX_PICTURES}", pictures.len()),
        ));
    }
    if let Some(long) = pictures.iter().find(|p| p.len() > MAX_URL) {
        problems.push(Problem::new(
            "picture_url_too_long",
            format!(
                "a picture URL has {} characters, at most {MAX_URL}",
                long.len()
            ),
        ));
    }
    let category = card
        .category
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0);
    if category.is_none() {
        problems.push(Problem::new(
            "invalid_category",
            format!("«{}» is not a Yandex Market category id", card.category),
        ));
    }
    let parameter_values = parameter_values(card, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut barcodes: Vec<String> = Vec::new();
    for barcode in card
        .barcodes
        .iter()
        .map(|b| b.trim())
        .filter(|b| !b.is_empty())
    {
        if !barcodes.iter().any(|b| b == barcode) {
            barcodes.push(barcode.to_owned());
        }
    }
    Ok(UpdateOfferMapping {
        offer: UpdateOffer {
            offer_id: offer_id.to_owned(),
            name: Some(name.to_owned()),
            market_category_id: category,
            pictures: (!pictures.is_empty()).then_some(pictures),
            vendor: non_empty(card.vendor.as_deref()),
            vendor_code: non_empty(card.vendor_code.as_deref()),
            barcodes: (!barcodes.is_empty()).then_some(barcodes),
            description: description.map(str::to_owned),
            weight_dimensions: card.dimensions.map(|d| WeightDimensions {
                length: f64::from(d.length_mm) / 10.0,
                width: f64::from(d.width_mm) / 10.0,
                height: f64::from(d.height_mm) / 10.0,
                weight: f64::from(d.weight_g) / 1000.0,
            }),
            parameter_values: (!parameter_values.is_empty()).then_some(parameter_values),
            basic_price: basic_price(card.price, card.old_price),
        },
        mapping: None,
    })
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// One entry per value (a multi-valued parameter repeats its id): the dictionary value id when
/// known, else the text.
fn parameter_values(card: &Card, problems: &mut Vec<Problem>) -> Vec<ParameterValue> {
    let mut values = Vec::new();
    for attribute in &card.attributes {
        let Some(parameter_id) = attribute.id.trim().parse::<i64>().ok().filter(|id| *id > 0)
        else {
            problems.push(
                Problem::new(
                    "invalid_attribute",
                    format!("«{}» is not a Yandex Market parameter id", attribute.id),
                )
                .on_attribute(&attribute.id),
            );
            continue;
        };
        for value in &attribute.values {
            let value_id = value
                .dictionary_id
                .as_deref()
                .and_then(|id| id.trim().parse::<i64>().ok());
            let text = value.value.trim();
            if value_id.is_none() && text.is_empty() {
                continue;
            }
            values.push(ParameterValue {
                parameter_id,
                unit_id: None,
                value_id,
                value: value_id.is_none().then(|| text.to_owned()),
            });
        }
    }
    if values.len() > MAX_PARAMETER_VALUES {
        problems.push(Problem::new(
            "too_many_parameters",
            format!(
                "{} parameter values, at most {MAX_PARAMETER_VALUES}",
                values.len()
            ),
        ));
    }
    values
}

/// The cabinet price in roubles; the strike-through price only when the discount is one the
/// Market accepts (5–99 %).
pub(super) fn basic_price(price: Decimal, old_price: Option<Decimal>) -> Option<Price> {
    let value = money(price)?;
    Some(Price {
        value,
        currency_id: "RUR".to_owned(),
        discount_base: old_price
            .filter(|old| accepted_discount(price, *old))
            .and_then(money),
        updated_at: None,
    })
}

fn accepted_discount(price: Decimal, old: Decimal) -> bool {
    if old <= price || old <= Decimal::ZERO {
        return false;
    }
    let discount = (old - price) / old;
    discount >= Decimal::new(5, 2) && discount <= Decimal::new(99, 2)
}

/// A positive amount as the JSON number the Market wants.
pub(super) fn money(amount: Decimal) -> Option<f64> {
    (amount > Decimal::ZERO)
        .then(|| amount.round_dp(2).to_f64())
        .flatten()
}
