//! Cards: `card/save` (one call per category, an upsert by offerId, asynchronous — the goodsId
//! appears later) and their outcome read back with `card/getAttributes`.

use std::collections::HashMap;

use carpetti_marketplace::{Card, CardResult, CardState, ListingIds, MpError, Problem, Submission};
use chrono::Utc;
use rust_decimal::Decimal;

use super::MegamarketConnector;
use super::dictionaries::category_id;
use super::errors::Answered;
use super::wire::{AttributeValues, CardSave, CardSaveAnswer, CardToSave, Package};
use crate::api::{self, master, path};

/// A card not found at Megamarket this long after it was sent is taken as lost.
const LOST_AFTER: chrono::Duration = chrono::Duration::hours(1);

pub(super) async fn submit(c: &MegamarketConnector, cards: &[Card]) -> Result<Submission, MpError> {
    const OP: &str = "card/save";
    let submitted_at = Utc::now();
    let mut offer_ids = Vec::with_capacity(cards.len());
    let mut settled = Vec::new();
    // One card per offer (the last one wins), grouped by category in the order first seen.
    let mut latest: HashMap<&str, &Card> = HashMap::with_capacity(cards.len());
    for card in cards {
        if latest.insert(card.offer_id.as_str(), card).is_none() {
            offer_ids.push(card.offer_id.clone());
        }
    }
    let mut groups: Vec<(u64, Vec<CardToSave>)> = Vec::new();
    let mut group_of: HashMap<u64, usize> = HashMap::new();
    for offer in &offer_ids {
        let Some(card) = latest.get(offer.as_str()) else {
            continue;
        };
        let built = category_id(&card.category, OP)
            .map_err(|e| vec![Problem::new("invalid_category", e.to_string())]);
        match built.and_then(|category| Ok((category, to_wire(card)?))) {
            Ok((category, wire)) => {
                let index = *group_of.entry(category).or_insert_with(|| {
                    groups.push((category, Vec::new()));
                    groups.len() - 1
                });
                groups[index].1.push(wire);
            }
            Err(problems) => settled.push(rejected(offer, problems)),
        }
    }
    for (category, cards) in groups {
        for chunk in cards.chunks(api::CARDS_PER_CALL) {
            let body = CardSave {
                category_id: category,
                cards: chunk,
            };
            match c
                .content::<_, CardSaveAnswer>(OP, path::CARD_SAVE, &body)
                .await?
            {
                Answered::Done(answer) => {
                    for card in answer.error_cards {
                        let problems = card
                            .errors
                            .into_iter()
                            .map(|e| {
                                let problem = Problem::new(e.code, e.message);
                                match e.attribute_id {
                                    Some(id) => problem.on_attribute(id.to_string()),
                                    None => problem,
                                }
                            })
                            .collect();
                        settled.push(rejected(&card.offer_id, problems));
                    }
                }
                // A whole-batch refusal (unknown category, …) rejects every card of the batch.
                Answered::Refused(errors) => {
                    let problems: Vec<Problem> = errors
                        .iter()
                        .map(|e| Problem::new(e.code.clone(), e.message.clone()))
                        .collect();
                    for card in chunk {
                        settled.push(rejected(&card.offer_id, problems.clone()));
                    }
                }
            }
        }
    }
    Ok(Submission {
        task_id: None,
        offer_ids,
        submitted_at,
        settled,
    })
}

pub(super) async fn poll(
    c: &MegamarketConnector,
    submission: &Submission,
) -> Result<Vec<CardResult>, MpError> {
    let settled: HashMap<&str, &CardResult> = submission
        .settled
        .iter()
        .map(|r| (r.offer_id.as_str(), r))
        .collect();
    let open: Vec<String> = submission
        .offer_ids
        .iter()
        .filter(|id| !settled.contains_key(id.as_str()))
        .cloned()
        .collect();
    let mut found = HashMap::with_capacity(open.len());
    for chunk in open.chunks(api::PAGE_LIMIT) {
        for card in super::offers::read(c, Some(chunk)).await? {
            found.insert(card.offer_id.clone(), card);
        }
    }
    let lost = Utc::now() - submission.submitted_at > LOST_AFTER;
    let results = submission
        .offer_ids
        .iter()
        .map(|offer| {
            if let Some(result) = settled.get(offer.as_str()) {
                return (*result).clone();
            }
            let state = match found.get(offer) {
                Some(card) => match &card.goods_id {
                    Some(goods_id) => CardState::Published {
                        ids: ListingIds {
                            offer_id: offer.clone(),
                            product_id: Some(goods_id.clone()),
                            sku: None,
                        },
                    },
                    None => CardState::Pending,
                },
                None if lost => CardState::Rejected {
                    problems: vec![Problem::new(
                        "NOT_FOUND",
                        "Megamarket does not hold the card an hour after it was sent",
                    )],
                },
                None => CardState::Pending,
            };
            CardResult {
                offer_id: offer.clone(),
                state,
            }
        })
        .collect();
    Ok(results)
}

fn rejected(offer_id: &str, problems: Vec<Problem>) -> CardResult {
    CardResult {
        offer_id: offer_id.to_owned(),
        state: CardState::Rejected { problems },
    }
}

/// Our card in Megamarket's words: master attributes from the card's own fields (and from its
/// attributes that carry a master id), the rest as content attributes. Weight in kg, sizes in
/// cm; at most 15 photos (the main one first, the rest dropped).
fn to_wire(card: &Card) -> Result<CardToSave, Vec<Problem>> {
    let mut masters: Vec<AttributeValues> = Vec::new();
    let mut set = |id: u64, values: Vec<String>| {
        let values: Vec<String> = values
            .into_iter()
            .filter(|v| !v.trim().is_empty())
            .collect();
        if values.is_empty() {
            return;
        }
        match masters.iter_mut().find(|a| a.attribute_id == id) {
            Some(existing) => existing.values = values,
            None => masters.push(AttributeValues {
                attribute_id: id,
                values,
            }),
        }
    };
    let photos: Vec<String> = card
        .pictures
        .iter()
        .take(api::MAX_PHOTOS)
        .cloned()
        .collect();
    set(master::NAME, vec![card.name.clone()]);
    set(master::BRAND, card.vendor.iter().cloned().collect());
    set(
        master::DESCRIPTION,
        card.description.iter().cloned().collect(),
    );
    set(master::ARTICLE, card.vendor_code.iter().cloned().collect());
    let package = card.dimensions.map(|d| {
        set(
            master::WEIGHT_KG,
            vec![scaled(d.weight_g, 1000).to_string()],
        );
        set(master::LENGTH_CM, vec![scaled(d.length_mm, 10).to_string()]);
        set(master::HEIGHT_CM, vec![scaled(d.height_mm, 10).to_string()]);
        set(master::WIDTH_CM, vec![scaled(d.width_mm, 10).to_string()]);
        Package {
            weight: f64::from(d.weight_g) / 1000.0,
            height: f64::from(d.height_mm) / 10.0,
            width: f64::from(d.width_mm) / 10.0,
            length: f64::from(d.length_mm) / 10.0,
        }
    });
    set(master::PHOTOS, photos.clone());
    set(master::BARCODE, card.barcodes.clone());
    let mut contents = Vec::new();
    let mut problems = Vec::new();
    for attribute in &card.attributes {
        let Ok(id) = attribute.id.trim().parse::<u64>() else {
            problems.push(
                Problem::new(
                    "invalid_attribute",
                    format!(
                        "«{}» is not a Megamarket attribute id (an integer)",
                        attribute.id
                    ),
                )
                .on_attribute(&attribute.id),
            );
            continue;
        };
        let values: Vec<String> = attribute.values.iter().map(|v| v.value.clone()).collect();
        if master::is_master(id) {
            set(id, values);
        } else if values.iter().any(|v| !v.trim().is_empty()) {
            contents.push(AttributeValues {
                attribute_id: id,
                values: values
                    .into_iter()
                    .filter(|v| !v.trim().is_empty())
                    .collect(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CardToSave {
        offer_id: card.offer_id.clone(),
        name: card.name.clone(),
        brand: card.vendor.clone(),
        description: card.description.clone(),
        manufacturer_no: card.vendor_code.clone(),
        photos,
        package,
        master_attributes: masters,
        content_attributes: contents,
        barcodes: card.barcodes.clone(),
    })
}

/// `value / divisor` as a short decimal (350 g → 0.35 kg).
fn scaled(value: u32, divisor: u32) -> Decimal {
    (Decimal::from(value) / Decimal::from(divisor)).normalize()
}
