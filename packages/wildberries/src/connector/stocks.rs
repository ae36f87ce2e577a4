//! Stocks: `PUT /api/v3/stocks/{warehouseId}` with `{stocks:[{chrtId, amount}]}` (≤ 1000 per
//! call, 204). A 409 refuses the whole call with an array of `{code, message, data:[{sku,
//! amount}]}`: the items it names get the problem and the rest are sent again.

use std::collections::{BTreeMap, HashSet};

use carpetti_marketplace::{ItemOutcome, Marketplace, MpError, Problem, StockUpdate};
use http::Method;
use serde_json::{Value, json};

use super::wire::{MarketError, StockItem};
use super::{Host, STOCKS_PER_CALL, WildberriesConnector, errors, op};

/// Largest amount WB takes for one item.
pub const MAX_AMOUNT: u32 = 100_000;
/// Times a call is sent again without the items a 409 named.
const RESENDS: usize = 3;

impl WildberriesConnector {
    pub(super) async fn stocks(&self, stocks: &[StockUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        if stocks.len() > STOCKS_PER_CALL {
            return Err(MpError::Rejected {
                marketplace: Marketplace::Wildberries,
                method: op::STOCKS.to_owned(),
                status: 400,
                code: "too_many_stocks".into(),
                message: format!(
                    "{} stocks, at most {STOCKS_PER_CALL} per call",
                    stocks.len()
                ),
            });
        }
        let mut outcomes: Vec<ItemOutcome> = stocks
            .iter()
            .map(|s| ItemOutcome {
                warehouse_id: Some(s.warehouse_id.clone()),
                ..ItemOutcome::applied(&s.ids.offer_id)
            })
            .collect();
        // warehouse → (item index, chrtId)
        let mut by_warehouse: BTreeMap<i64, Vec<(usize, i64)>> = BTreeMap::new();
        for (index, stock) in stocks.iter().enumerate() {
            let problem = |code: &str, message: String| Problem::new(code, message);
            let warehouse = stock.warehouse_id.trim().parse::<i64>().ok().filter(|w| {
                self.settings.warehouses.is_empty() || self.settings.warehouses.contains(w)
            });
            let Some(warehouse) = warehouse else {
                outcomes[index].problems.push(problem(
                    "unknown_warehouse",
                    format!(
                        "warehouse `{}` is not a warehouse of the channel",
                        stock.warehouse_id
                    ),
                ));
                continue;
            };
            let chrt = stock
                .ids
                .sku
                .as_deref()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .or_else(|| {
                    self.memory
                        .known(&stock.ids.offer_id)
                        .and_then(|k| k.chrt_id())
                });
            let Some(chrt) = chrt else {
                outcomes[index].problems.push(problem(
                    "unknown_sku",
                    "no WB chrtID known for this offer (publish the card first)".into(),
                ));
                continue;
            };
            if stock.quantity > MAX_AMOUNT {
                outcomes[index].problems.push(problem(
                    "amount_too_large",
                    format!(
                        "WB takes at most {MAX_AMOUNT} units, got {}",
                        stock.quantity
                    ),
                ));
                continue;
            }
            by_warehouse
                .entry(warehouse)
                .or_default()
                .push((index, chrt));
        }
        for (warehouse, items) in by_warehouse {
            self.put_stocks(warehouse, items, stocks, &mut outcomes)
                .await?;
        }
        Ok(outcomes)
    }

    async fn put_stocks(
        &self,
        warehouse: i64,
        mut items: Vec<(usize, i64)>,
        stocks: &[StockUpdate],
        outcomes: &mut [ItemOutcome],
    ) -> Result<(), MpError> {
        let path = format!("/api/v3/stocks/{warehouse}");
        for attempt in 0..=RESENDS {
            if items.is_empty() {
                return Ok(());
            }
            let body: Vec<StockItem> = items
                .iter()
                .map(|(index, chrt_id)| StockItem {
                    chrt_id: *chrt_id,
                    amount: stocks[*index].quantity,
                })
                .collect();
            let call = self.json(
                Method::PUT,
                op::STOCKS,
                Host::Marketplace,
                &path,
                &json!({ "stocks": body }),
            )?;
            let reply = self.send(&call).await?;
            match reply.status {
                200..=299 => return Ok(()),
                404 | 406 => {
                    let refusal = errors::refusal(&reply);
                    for (index, _) in &items {
                        outcomes[*index]
                            .problems
                            .push(Problem::new(refusal.code.clone(), refusal.message.clone()));
                    }
                    return Ok(());
                }
                409 => {
                    let errors: Vec<MarketError> =
                        match serde_json::from_slice::<Value>(&reply.body) {
                            Ok(Value::Array(list)) => list
                                .into_iter()
                                .filter_map(|e| serde_json::from_value(e).ok())
                                .collect(),
                            Ok(single @ Value::Object(_)) => {
                                serde_json::from_value(single).into_iter().collect()
                            }
                            _ => Vec::new(),
                        };
                    let named = self.named_items(&errors, &items);
                    let last = attempt == RESENDS;
                    if named.is_empty() || last {
                        // Nothing to tell the items apart by: all of them failed.
                        let refusal = errors::refusal(&reply);
                        for (index, _) in &items {
                            outcomes[*index]
                                .problems
                                .push(Problem::new(refusal.code.clone(), refusal.message.clone()));
                        }
                        return Ok(());
                    }
                    let mut failed = HashSet::new();
                    for (chrt, problem) in named {
                        for (index, _) in items.iter().filter(|(_, c)| *c == chrt) {
                            outcomes[*index].problems.push(problem.clone());
                            failed.insert(*index);
                        }
                    }
                    items.retain(|(index, _)| !failed.contains(index));
                }
                _ => return Err(errors::refused(&reply, op::STOCKS)),
            }
        }
        Ok(())
    }

    /// The chrtIds a 409's errors name (`data[].chrtId`, or `data[].sku` as a barcode or chrtId).
    fn named_items(&self, errors: &[MarketError], items: &[(usize, i64)]) -> Vec<(i64, Problem)> {
        let sent: HashSet<i64> = items.iter().map(|(_, chrt)| *chrt).collect();
        let mut named = Vec::new();
        for error in errors {
            let Some(Value::Array(data)) = &error.data else {
                continue;
            };
            for entry in data {
                let chrt = entry.get("chrtId").and_then(Value::as_i64).or_else(|| {
                    let sku = entry.get("sku").and_then(Value::as_str)?;
                    sku.parse::<i64>()
                        .ok()
                        .filter(|c| sent.contains(c))
                        .or_else(|| self.memory.chrt_by_barcode(sku))
                });
                if let Some(chrt) = chrt.filter(|c| sent.contains(c)) {
                    named.push((
                        chrt,
                        Problem::new(error.code.clone(), error.message.clone()),
                    ));
                }
            }
        }
        named
    }
}
