//! Cards through product import tasks: `/v3/product/import` (create or update by offer_id, the
//! whole item every time) gives a task; `/v1/product/import/info` says per item whether it is
//! pending, imported (or skipped: nothing changed) or failed with its errors; the sku comes from
//! `/v3/product/info/list`.

use std::collections::HashMap;

use carpetti_marketplace::{Card, CardResult, CardState, ListingIds, MpError, Problem, Submission};
use chrono::Utc;
use rust_decimal::Decimal;

use super::dictionaries::parse_category;
use super::{CARDS_PER_CALL, INFO_IDS_PER_CALL, OzonConnector, errors, op, wire};

/// The description ("annotation") attribute.
pub const ATTRIBUTE_ANNOTATION: &str = "4191";
/// The model name attribute: cards with the same value are merged into one model (variants).
pub const ATTRIBUTE_MODEL: &str = "9048";

/// The VAT rates Ozon accepts, as it spells them.
const VAT_RATES: [&str; 6] = ["0", "0.05", "0.07", "0.1", "0.2", "0.22"];

/// Money as Ozon wants it: a decimal string, a point, at most two decimals.
pub(crate) fn money(amount: Decimal) -> String {
    amount.round_dp(2).normalize().to_string()
}

fn vat(rate: Decimal) -> String {
    let text = rate.normalize().to_string();
    VAT_RATES
        .iter()
        .find(|known| **known == text)
        .map_or(text, |known| (*known).to_owned())
}

/// A card as one import item, or why it cannot be sent.
fn import_item(card: &Card) -> Result<wire::ImportItem, Problem> {
    let (category_id, type_id) = parse_category(&card.category).ok_or_else(|| {
        Problem::new(
            "bad_category",
            format!(
                "category `{}` is not description_category_id/type_id",
                card.category
            ),
        )
    })?;
    let mut attributes = Vec::with_capacity(card.attributes.len() + 2);
    for attribute in &card.attributes {
        let id: i64 = attribute.id.trim().parse().map_err(|_| {
            Problem::new(
                "bad_attribute",
                format!(
                    "attribute id `{}` is not an Ozon attribute id",
                    attribute.id
                ),
            )
            .on_attribute(&attribute.id)
        })?;
        let mut values = Vec::with_capacity(attribute.values.len());
        for value in &attribute.values {
            let dictionary_value_id = match value.dictionary_id.as_deref() {
                None | Some("") => None,
                Some(id) => Some(id.trim().parse::<i64>().map_err(|_| {
                    Problem::new(
                        "bad_attribute",
                        format!("dictionary value id `{id}` is not an Ozon id"),
                    )
                    .on_attribute(&attribute.id)
                })?),
            };
            values.push(wire::ImportValue {
                dictionary_value_id,
                value: value.value.clone(),
            });
        }
        attributes.push(wire::ImportAttribute {
            complex_id: 0,
            id,
            values,
        });
    }
    let mut text_attribute = |id: &str, text: Option<&String>| {
        if let Some(text) = text.filter(|t| !t.trim().is_empty())
            && card.attribute(id).is_none()
            && let Ok(id) = id.parse()
        {
            attributes.push(wire::ImportAttribute {
                complex_id: 0,
                id,
                values: vec![wire::ImportValue {
                    dictionary_value_id: None,
                    value: text.clone(),
                }],
            });
        }
    };
    text_attribute(ATTRIBUTE_ANNOTATION, card.description.as_ref());
    text_attribute(ATTRIBUTE_MODEL, card.group_id.as_ref());
    let dimensions = card.dimensions;
    Ok(wire::ImportItem {
        offer_id: card.offer_id.clone(),
        name: card.name.clone(),
        description_category_id: category_id,
        type_id,
        price: money(card.price),
        old_price: card.old_price.filter(|old| *old > card.price).map(money),
        currency_code: "RUB",
        vat: card.vat.map(vat),
        barcode: card.barcodes.first().cloned(),
        depth: dimensions.map(|d| d.length_mm),
        width: dimensions.map(|d| d.width_mm),
        height: dimensions.map(|d| d.height_mm),
        dimension_unit: dimensions.map(|_| "mm"),
        weight: dimensions.map(|d| d.weight_g),
        weight_unit: dimensions.map(|_| "g"),
        images: card.pictures.iter().take(30).cloned().collect(),
        attributes,
    })
}

impl OzonConnector {
    pub(crate) async fn import_cards(&self, cards: &[Card]) -> Result<Submission, MpError> {
        if cards.len() > CARDS_PER_CALL {
            return Err(errors::not_sendable(
                op::IMPORT,
                "batch_too_large",
                format!("{} cards, at most {CARDS_PER_CALL} per call", cards.len()),
            ));
        }
        let mut items = Vec::with_capacity(cards.len());
        let mut settled = Vec::new();
        for card in cards {
            match import_item(card) {
                Ok(item) => items.push(item),
                Err(problem) => settled.push(CardResult {
                    offer_id: card.offer_id.clone(),
                    state: CardState::Rejected {
                        problems: vec![problem],
                    },
                }),
            }
        }
        let submitted_at = Utc::now();
        let offer_ids = cards.iter().map(|c| c.offer_id.clone()).collect();
        if items.is_empty() {
            return Ok(Submission {
                task_id: None,
                offer_ids,
                submitted_at,
                settled,
            });
        }
        let answer: wire::ImportResponse = self
            .post(op::IMPORT, &wire::ImportRequest { items })
            .await?;
        Ok(Submission {
            task_id: Some(answer.result.task_id.to_string()),
            offer_ids,
            submitted_at,
            settled,
        })
    }

    pub(crate) async fn import_outcome(
        &self,
        submission: &Submission,
    ) -> Result<Vec<CardResult>, MpError> {
        let items = self.task_items(submission).await?;
        let skus = self.skus_of(&published_ids(&items)).await?;
        Ok(outcome(submission, &items, &skus))
    }

    /// Several submissions at once: each task read on its own, the skus of every product they
    /// published read together (a thousand per call instead of a call per task). Should that
    /// shared read fail, each task's skus are read on their own, so one task's failure stays its
    /// own.
    pub(crate) async fn import_outcomes(
        &self,
        submissions: &[Submission],
    ) -> Vec<Result<Vec<CardResult>, MpError>> {
        let mut tasks = Vec::with_capacity(submissions.len());
        for submission in submissions {
            tasks.push(self.task_items(submission).await);
        }
        let all: Vec<i64> = tasks
            .iter()
            .flatten()
            .flat_map(|items| published_ids(items))
            .collect();
        let shared = self.skus_of(&all).await;
        let mut results = Vec::with_capacity(submissions.len());
        for (submission, task) in submissions.iter().zip(tasks) {
            results.push(match (task, &shared) {
                (Err(error), _) => Err(error),
                (Ok(items), Ok(skus)) => Ok(outcome(submission, &items, skus)),
                (Ok(items), Err(_)) => self
                    .skus_of(&published_ids(&items))
                    .await
                    .map(|skus| outcome(submission, &items, &skus)),
            });
        }
        results
    }

    /// The items of a submission's import task as Ozon reports them now (none without a task).
    async fn task_items(
        &self,
        submission: &Submission,
    ) -> Result<Vec<wire::ImportInfoItem>, MpError> {
        let Some(task_id) = submission.task_id.as_deref() else {
            return Ok(Vec::new());
        };
        let task_id: i64 = task_id.parse().map_err(|_| {
            errors::not_sendable(
                op::IMPORT_INFO,
                "bad_task",
                format!("task id `{task_id}` is not an Ozon task id"),
            )
        })?;
        let info: wire::ImportInfoResponse = self
            .post(op::IMPORT_INFO, &wire::ImportInfoRequest { task_id })
            .await?;
        Ok(info.result.items)
    }

    /// product_id → sku of the products that have one yet.
    pub(crate) async fn skus_of(&self, product_ids: &[i64]) -> Result<HashMap<i64, i64>, MpError> {
        let mut skus = HashMap::with_capacity(product_ids.len());
        for chunk in product_ids.chunks(INFO_IDS_PER_CALL) {
            let request = wire::InfoListRequest {
                product_id: chunk.iter().map(i64::to_string).collect(),
                ..wire::InfoListRequest::default()
            };
            let info: wire::InfoListResponse = self.post(op::INFO_LIST, &request).await?;
            skus.extend(
                info.items
                    .into_iter()
                    .filter(|item| item.sku > 0)
                    .map(|item| (item.id, item.sku)),
            );
        }
        Ok(skus)
    }
}

/// The product ids of the items Ozon has published.
fn published_ids(items: &[wire::ImportInfoItem]) -> Vec<i64> {
    items
        .iter()
        .filter(|item| is_published(item) && item.product_id > 0)
        .map(|item| item.product_id)
        .collect()
}

/// Where each card of a submission stands, from its task's items and the skus known.
fn outcome(
    submission: &Submission,
    items: &[wire::ImportInfoItem],
    skus: &HashMap<i64, i64>,
) -> Vec<CardResult> {
    let mut results = submission.settled.clone();
    if submission.task_id.is_none() {
        return results;
    }
    let by_offer: HashMap<&str, &wire::ImportInfoItem> = items
        .iter()
        .map(|item| (item.offer_id.as_str(), item))
        .collect();
    for offer_id in &submission.offer_ids {
        if submission.settled.iter().any(|s| &s.offer_id == offer_id) {
            continue;
        }
        let state = match by_offer.get(offer_id.as_str()) {
            Some(item) if is_published(item) => CardState::Published {
                ids: ListingIds {
                    offer_id: offer_id.clone(),
                    product_id: (item.product_id > 0).then(|| item.product_id.to_string()),
                    sku: skus.get(&item.product_id).map(i64::to_string),
                },
            },
            Some(item) if item.status == "failed" => CardState::Rejected {
                problems: problems(item),
            },
            // pending, or not (yet) listed in the task
            _ => CardState::Pending,
        };
        results.push(CardResult {
            offer_id: offer_id.clone(),
            state,
        });
    }
    results
}

fn is_published(item: &wire::ImportInfoItem) -> bool {
    matches!(item.status.as_str(), "imported" | "skipped")
}

/// The errors of a failed item (warnings do not block the card and are left out unless they are
/// all there is).
fn problems(item: &wire::ImportInfoItem) -> Vec<Problem> {
    let blocking: Vec<&wire::ItemError> = item
        .errors
        .iter()
        .filter(|e| !e.level.eq_ignore_ascii_case("warning"))
        .collect();
    let chosen: Vec<&wire::ItemError> = if blocking.is_empty() {
        item.errors.iter().collect()
    } else {
        blocking
    };
    let mut problems: Vec<Problem> = chosen
        .into_iter()
        .map(|e| {
            let message = [&e.description, &e.message, &e.field]
                .into_iter()
                .find(|m| !m.is_empty())
                .cloned()
                .unwrap_or_default();
            let problem = Problem::new(e.code.clone(), message);
            if e.attribute_id > 0 {
                problem.on_attribute(e.attribute_id.to_string())
            } else {
                problem
            }
        })
        .collect();
    if problems.is_empty() {
        problems.push(Problem::new(
            "failed",
            "Ozon failed the item without naming an error",
        ));
    }
    problems
}
