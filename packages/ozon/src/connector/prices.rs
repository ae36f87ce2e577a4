//! Prices: `/v1/product/import/prices`, up to 1000 per call, each answered per item.

use std::collections::HashMap;

use carpetti_marketplace::{ItemOutcome, MpError, PriceUpdate, Problem};

use super::cards::money;
use super::{OzonConnector, PRICES_PER_CALL, errors, op, wire};

impl OzonConnector {
    pub(crate) async fn send_prices(
        &self,
        prices: &[PriceUpdate],
    ) -> Result<Vec<ItemOutcome>, MpError> {
        if prices.len() > PRICES_PER_CALL {
            return Err(errors::not_sendable(
                op::PRICES,
                "batch_too_large",
                format!(
                    "{} prices, at most {PRICES_PER_CALL} per call",
                    prices.len()
                ),
            ));
        }
        if prices.is_empty() {
            return Ok(Vec::new());
        }
        let items = prices
            .iter()
            .map(|p| {
                // offer_id wins when both are given; product_id only when there is no offer id
                let offer_id = Some(p.ids.offer_id.clone()).filter(|o| !o.is_empty());
                let product_id = if offer_id.is_none() {
                    p.ids.product_id.as_deref().and_then(|id| id.parse().ok())
                } else {
                    None
                };
                wire::PriceItem {
                    offer_id,
                    product_id,
                    price: money(p.price),
                    // "0" resets a strike-through price that is no longer wanted
                    old_price: p
                        .old_price
                        .filter(|old| *old > p.price)
                        .map_or_else(|| "0".to_owned(), money),
                    currency_code: "RUB",
                }
            })
            .collect();
        let answer: wire::UpdateResponse = self
            .post(op::PRICES, &wire::PricesRequest { prices: items })
            .await?;
        let by_offer: HashMap<&str, &wire::UpdateResult> = answer
            .result
            .iter()
            .map(|r| (r.offer_id.as_str(), r))
            .collect();
        let by_product: HashMap<i64, &wire::UpdateResult> =
            answer.result.iter().map(|r| (r.product_id, r)).collect();
        Ok(prices
            .iter()
            .map(|p| {
                let result = if p.ids.offer_id.is_empty() {
                    p.ids
                        .product_id
                        .as_deref()
                        .and_then(|s| s.parse::<i64>().ok())
                        .and_then(|id| by_product.get(&id))
                } else {
                    by_offer.get(p.ids.offer_id.as_str())
                };
                ItemOutcome {
                    offer_id: p.ids.offer_id.clone(),
                    warehouse_id: None,
                    problems: match result {
                        Some(r) => outcome_problems(r),
                        None => vec![Problem::new(
                            "not_reported",
                            "Ozon did not report this price",
                        )],
                    },
                }
            })
            .collect())
    }
}

/// The errors of a price or stock result; a result neither updated nor explained is a problem.
pub(crate) fn outcome_problems(result: &wire::UpdateResult) -> Vec<Problem> {
    let mut problems: Vec<Problem> = result
        .errors
        .iter()
        .map(|e| Problem::new(e.code.clone(), e.message.clone()))
        .collect();
    if problems.is_empty() && !result.updated {
        problems.push(Problem::new("not_updated", "Ozon did not apply the update"));
    }
    problems
}
