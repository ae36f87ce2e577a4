//! Where submitted cards stand: `POST offer-mappings` by offer id (100 per call) gives the card
//! status and, once the Market has processed the offer, `mapping.marketSku`. Offers the Market
//! refused after accepting them (`NO_CARD_NEED_CONTENT`, `NO_CARD_ERRORS`,
//! `HAS_CARD_CAN_UPDATE_ERRORS`) are explained by `POST offer-cards`: its errors, and the offer's
//! parameter values checked against the category's parameters, which names the attribute.

use std::collections::{HashMap, HashSet};

use carpetti_marketplace::{
    AttributeValue, Card, CardAttribute, CardResult, CardState, ListingIds, MpError, Problem,
    Submission,
};
use chrono::{Duration, Utc};
use http::Method;
use rust_decimal::Decimal;

use super::YandexMarketConnector;
use super::dictionaries::attributes;
use super::errors::decode;
use crate::quotas::{self, op};
use crate::wire::Envelope;
use crate::wire::offers::{
    OfferCard, OfferCardsRequest, OfferCardsResult, OfferMappingEntry, OfferMappingsRequest,
    OfferMappingsResult, card_status,
};

/// How long an offer the Market does not list yet counts as still on its way ("catalog data is
/// updated within a few minutes").
const VISIBLE_WITHIN: Duration = Duration::hours(1);

impl YandexMarketConnector {
    pub(super) async fn poll(&self, submission: &Submission) -> Result<Vec<CardResult>, MpError> {
        let settled: HashMap<&str, &CardResult> = submission
            .settled
            .iter()
            .map(|r| (r.offer_id.as_str(), r))
            .collect();
        let mut asked = HashSet::new();
        let ask: Vec<String> = submission
            .offer_ids
            .iter()
            .filter(|id| !settled.contains_key(id.as_str()) && asked.insert(id.as_str()))
            .cloned()
            .collect();
        let mut found = HashMap::new();
        for chunk in ask.chunks(quotas::MAPPINGS_PER_READ) {
            let filter = OfferMappingsRequest {
                offer_ids: Some(chunk.to_vec()),
                ..OfferMappingsRequest::default()
            };
            for entry in self.mappings(&filter).await? {
                found.insert(entry.offer.offer_id.clone(), entry);
            }
        }
        let failing: Vec<String> = found
            .values()
            .filter(|e| is_refused(e.offer.card_status.as_deref()))
            .map(|e| e.offer.offer_id.clone())
            .collect();
        let details = self.card_details(&failing).await?;
        let mut results = Vec::with_capacity(submission.offer_ids.len());
        let mut reported = HashSet::new();
        for offer_id in &submission.offer_ids {
            if !reported.insert(offer_id.as_str()) {
                continue;
            }
            if let Some(result) = settled.get(offer_id.as_str()) {
                results.push((*result).clone());
                continue;
            }
            let state = match found.get(offer_id) {
                Some(entry) => self.state_of(entry, details.get(offer_id)).await,
                None if Utc::now() - submission.submitted_at < VISIBLE_WITHIN => CardState::Pending,
                None => CardState::Rejected {
                    problems: vec![Problem::new(
                        "OFFER_NOT_FOUND",
                        "the Market does not list the offer an hour after it was sent",
                    )],
                },
            };
            results.push(CardResult {
                offer_id: offer_id.clone(),
                state,
            });
        }
        Ok(results)
    }

    /// Every page of `offer-mappings` for `filter`.
    pub(super) async fn mappings(
        &self,
        filter: &OfferMappingsRequest,
    ) -> Result<Vec<OfferMappingEntry>, MpError> {
        let mut entries = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = self.business_url(&format!(
                "/offer-mappings?limit={}",
                quotas::MAPPINGS_PER_READ
            ));
            if let Some(token) = &token {
                url.push_str("&pageToken=");
                url.push_str(&encode(token));
            }
            let call = self.json_call(Method::POST, op::MAPPINGS, url, filter)?;
            let reply = self.send(&call).await?;
            let page: Envelope<OfferMappingsResult> = decode(&reply, op::MAPPINGS)?;
            let Some(result) = page.result else {
                break;
            };
            let got = result.offer_mappings.len();
            entries.extend(result.offer_mappings);
            token = result.paging.and_then(|p| p.next_page_token);
            if token.is_none() || got == 0 {
                break;
            }
        }
        Ok(entries)
    }

    /// `offer-cards` of the given offers, by offer id.
    async fn card_details(
        &self,
        offer_ids: &[String],
    ) -> Result<HashMap<String, OfferCard>, MpError> {
        let mut cards = HashMap::new();
        let url = self.business_url(&format!("/offer-cards?limit={}", quotas::CARDS_PER_READ));
        for chunk in offer_ids.chunks(quotas::CARDS_PER_READ) {
            let filter = OfferCardsRequest {
                offer_ids: Some(chunk.to_vec()),
                ..OfferCardsRequest::default()
            };
            let call = self.json_call(Method::POST, op::OFFER_CARDS, url.clone(), &filter)?;
            let reply = self.send(&call).await?;
            let page: Envelope<OfferCardsResult> = decode(&reply, op::OFFER_CARDS)?;
            for card in page.result.map(|r| r.offer_cards).unwrap_or_default() {
                cards.insert(card.offer_id.clone(), card);
            }
        }
        Ok(cards)
    }

    async fn state_of(&self, entry: &OfferMappingEntry, card: Option<&OfferCard>) -> CardState {
        let status = entry.offer.card_status.as_deref();
        if is_refused(status) {
            let status = status.unwrap_or(card_status::NO_CARD_ERRORS);
            let category = entry
                .offer
                .market_category_id
                .or_else(|| entry.mapping.as_ref().and_then(|m| m.market_category_id));
            return CardState::Rejected {
                problems: self.problems(status, category, card).await,
            };
        }
        if matches!(
            status,
            Some(card_status::NO_CARD_PROCESSING | card_status::HAS_CARD_CAN_UPDATE_PROCESSING)
        ) {
            return CardState::Pending;
        }
        match entry.mapping.as_ref().and_then(|m| m.market_sku) {
            Some(sku) => CardState::Published {
                ids: ListingIds {
                    offer_id: entry.offer.offer_id.clone(),
                    product_id: None,
                    sku: Some(sku.to_string()),
                },
            },
            None => CardState::Pending,
        }
    }

    /// The card status is the code; the category check names the attributes at fault, the
    /// Market's own errors follow.
    async fn problems(
        &self,
        status: &str,
        category: Option<i64>,
        card: Option<&OfferCard>,
    ) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let (Some(category), Some(card)) = (category, card)
            && let Ok(parameters) = self.parameters_of(category).await
        {
            let dictionary = attributes(&category.to_string(), &parameters);
            let as_card = card_of(card, &category.to_string(), &dictionary);
            for found in dictionary.check(&as_card) {
                let mut problem = Problem::new(status, found.message);
                problem.attribute = found.attribute;
                problems.push(problem);
            }
        }
        for error in card.and_then(|c| c.errors.as_deref()).unwrap_or_default() {
            let text = [error.message.as_deref(), error.comment.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            problems.push(Problem::new(status, text));
        }
        if problems.is_empty() {
            problems.push(Problem::new(
                status,
                "the Market did not create or update the card",
            ));
        }
        problems
    }
}

fn is_refused(status: Option<&str>) -> bool {
    matches!(
        status,
        Some(
            card_status::NO_CARD_NEED_CONTENT
                | card_status::NO_CARD_ERRORS
                | card_status::HAS_CARD_CAN_UPDATE_ERRORS
        )
    )
}

/// The offer's parameter values as a card of `category`, for the dictionary check: a value id
/// becomes the dictionary's text when it is known, else stays as its number (and is reported).
fn card_of(
    card: &OfferCard,
    category: &str,
    dictionary: &carpetti_marketplace::CategoryAttributes,
) -> Card {
    let mut attributes: Vec<CardAttribute> = Vec::new();
    for value in card.parameter_values.as_deref().unwrap_or_default() {
        let id = value.parameter_id.to_string();
        let text = match (value.value_id, &value.value) {
            (Some(value_id), _) => dictionary
                .attribute(&id)
                .and_then(|a| a.values.iter().find(|v| v.id == value_id.to_string()))
                .map_or_else(|| value_id.to_string(), |v| v.value.clone()),
            (None, Some(text)) => text.clone(),
            (None, None) => continue,
        };
        let value = AttributeValue {
            value: text,
            dictionary_id: value.value_id.map(|v| v.to_string()),
        };
        match attributes.iter_mut().find(|a| a.id == id) {
            Some(attribute) => attribute.values.push(value),
            None => attributes.push(CardAttribute {
                id,
                values: vec![value],
            }),
        }
    }
    Card {
        offer_id: card.offer_id.clone(),
        name: String::new(),
        vendor: None,
        vendor_code: None,
        description: None,
        barcodes: Vec::new(),
        pictures: Vec::new(),
        price: Decimal::ZERO,
        old_price: None,
        vat: None,
        dimensions: None,
        category: category.to_owned(),
        attributes,
        group_id: None,
    }
}

/// A query value, percent-encoded.
pub(super) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
