//! Prices: `manualPrice/save`, whole rubles, ≤ 300 per call (NOTES' recommendation). The
//! strike-through price has no place in the call and is not sent.

use std::collections::HashMap;

use carpetti_marketplace::{ItemOutcome, MpError, PriceUpdate, Problem};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::MegamarketConnector;
use super::wire::Saved;
use crate::api::{self, path};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PriceItem<'a> {
    offer_id: &'a str,
    price: u64,
    is_deleted: bool,
}

#[derive(Serialize)]
struct Prices<'a> {
    prices: &'a [PriceItem<'a>],
}

pub(super) async fn update(
    c: &MegamarketConnector,
    prices: &[PriceUpdate],
) -> Result<Vec<ItemOutcome>, MpError> {
    const OP: &str = "manualPrice/save";
    let mut problems: HashMap<&str, Vec<Problem>> = HashMap::new();
    let mut items: Vec<PriceItem<'_>> = Vec::with_capacity(prices.len());
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(prices.len());
    for update in prices {
        let offer = update.ids.offer_id.as_str();
        match rubles(update.price) {
            Some(price) => {
                let item = PriceItem {
                    offer_id: offer,
                    price,
                    is_deleted: false,
                };
                match index.get(offer) {
                    Some(&i) => items[i] = item,
                    None => {
                        index.insert(offer, items.len());
                        items.push(item);
                    }
                }
            }
            None => problems.entry(offer).or_default().push(Problem::new(
                "invalid_price",
                format!("{} is not a price in whole rubles ≥ 0", update.price),
            )),
        }
    }
    for chunk in items.chunks(api::PRICES_PER_CALL) {
        let saved: Saved = c
            .merchant(OP, path::PRICE_SAVE, &Prices { prices: chunk })
            .await?
            .done(OP)?;
        record_warnings(&mut problems, chunk.iter().map(|i| i.offer_id), saved);
    }
    Ok(prices
        .iter()
        .map(|p| ItemOutcome {
            offer_id: p.ids.offer_id.clone(),
            warehouse_id: None,
            problems: problems
                .get(p.ids.offer_id.as_str())
                .cloned()
                .unwrap_or_default(),
        })
        .collect())
}

/// Whole rubles, half away from zero; `None` below zero.
fn rubles(price: Decimal) -> Option<u64> {
    if price.is_sign_negative() && !price.is_zero() {
        return None;
    }
    price
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_u64()
}

/// The answer's warnings as problems of the offers sent.
pub(super) fn record_warnings<'a>(
    problems: &mut HashMap<&'a str, Vec<Problem>>,
    sent: impl Iterator<Item = &'a str>,
    saved: Saved,
) {
    let sent: HashMap<&str, &'a str> = sent.map(|s| (s, s)).collect();
    for warning in saved.warnings {
        if let Some(offer) = sent.get(warning.offer_id.as_str()) {
            problems
                .entry(offer)
                .or_default()
                .push(Problem::new(warning.code, warning.message));
        }
    }
}
