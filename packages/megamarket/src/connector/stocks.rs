//! Stocks: `stock/update`, one quantity per offer (Megamarket keeps no warehouse dimension per
//! token); ≤ 300 per call (the sandbox's choice: NOTES gives no maximum).

use std::collections::HashMap;

use carpetti_marketplace::{ItemOutcome, MpError, Problem, StockUpdate};
use serde::Serialize;

use super::MegamarketConnector;
use super::prices::record_warnings;
use super::wire::Saved;
use crate::api::{self, path};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StockItem<'a> {
    offer_id: &'a str,
    quantity: u32,
}

#[derive(Serialize)]
struct Stocks<'a> {
    stocks: &'a [StockItem<'a>],
}

pub(super) async fn update(
    c: &MegamarketConnector,
    stocks: &[StockUpdate],
) -> Result<Vec<ItemOutcome>, MpError> {
    const OP: &str = "stock/update";
    let warehouses = &c.settings.warehouses;
    let mut problems: HashMap<&str, Vec<Problem>> = HashMap::new();
    let mut items: Vec<StockItem<'_>> = Vec::with_capacity(stocks.len());
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(stocks.len());
    let mut foreign = vec![false; stocks.len()];
    for (position, update) in stocks.iter().enumerate() {
        if !warehouses.is_empty() && !warehouses.contains(&update.warehouse_id) {
            foreign[position] = true;
            continue;
        }
        let offer = update.ids.offer_id.as_str();
        let item = StockItem {
            offer_id: offer,
            quantity: update.quantity,
        };
        match index.get(offer) {
            Some(&i) => items[i] = item,
            None => {
                index.insert(offer, items.len());
                items.push(item);
            }
        }
    }
    for chunk in items.chunks(api::STOCKS_PER_CALL) {
        let saved: Saved = c
            .merchant(OP, path::STOCK_UPDATE, &Stocks { stocks: chunk })
            .await?
            .done(OP)?;
        record_warnings(&mut problems, chunk.iter().map(|i| i.offer_id), saved);
    }
    Ok(stocks
        .iter()
        .enumerate()
        .map(|(position, s)| {
            let problems = if foreign[position] {
                vec![Problem::new(
                    "unknown_warehouse",
                    format!(
                        "warehouse {} is not one of this account's ({})",
                        s.warehouse_id,
                        warehouses.join(", ")
                    ),
                )]
            } else {
                problems
                    .get(s.ids.offer_id.as_str())
                    .cloned()
                    .unwrap_or_default()
            };
            ItemOutcome {
                offer_id: s.ids.offer_id.clone(),
                warehouse_id: Some(s.warehouse_id.clone()),
                problems,
            }
        })
        .collect())
}
