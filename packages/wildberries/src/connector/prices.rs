//! Prices: `POST /api/v2/upload/task` (≤ 1000 nmIDs, whole-rouble price before discount and the
//! discount in %), then the task's state (`GET /api/v2/history/tasks`) and, when some goods
//! failed, their errors (`GET /api/v2/history/goods/task`).

use std::collections::HashMap;

use carpetti_marketplace::{ItemOutcome, Marketplace, MpError, PriceUpdate, Problem};
use http::Method;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::json;

use super::convert::roubles;
use super::wire::{GoodsHistory, PriceItem, TaskCreated, TaskHistory};
use super::{Host, PRICES_PER_CALL, WildberriesConnector, errors, op};

/// Goods per page of the task detail.
const GOODS_PAGE: usize = 1000;

/// Our price and strike-through price as WB's price before discount and discount in %.
pub fn wb_price(price: Decimal, old_price: Option<Decimal>) -> (i64, i64) {
    match old_price.filter(|old| *old > price && *old > Decimal::ZERO) {
        Some(old) => {
            let discount = ((Decimal::ONE - price / old) * Decimal::from(100))
                .round()
                .to_i64()
                .unwrap_or(0)
                .clamp(0, 99);
            (roubles(old), discount)
        }
        None => (roubles(price), 0),
    }
}

impl WildberriesConnector {
    pub(super) async fn prices(&self, prices: &[PriceUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        if prices.len() > PRICES_PER_CALL {
            return Err(MpError::Rejected {
                marketplace: Marketplace::Wildberries,
                method: op::PRICE_UPLOAD.to_owned(),
                status: 400,
                code: "too_many_prices".into(),
                message: format!(
                    "{} prices, at most {PRICES_PER_CALL} per call",
                    prices.len()
                ),
            });
        }
        let mut outcomes: Vec<ItemOutcome> = prices
            .iter()
            .map(|p| ItemOutcome::applied(&p.ids.offer_id))
            .collect();
        let mut items: Vec<PriceItem> = Vec::new();
        let mut by_nm: HashMap<i64, Vec<usize>> = HashMap::new();
        for (index, update) in prices.iter().enumerate() {
            let nm_id = update
                .ids
                .product_id
                .as_deref()
                .and_then(|p| p.trim().parse::<i64>().ok())
                .or_else(|| self.memory.known(&update.ids.offer_id).map(|k| k.nm_id));
            let Some(nm_id) = nm_id else {
                outcomes[index].problems.push(Problem::new(
                    "unknown_product",
                    "no WB nmID known for this offer (publish the card first)",
                ));
                continue;
            };
            let (price, discount) = wb_price(update.price, update.old_price);
            if price <= 0 {
                outcomes[index].problems.push(Problem::new(
                    "invalid_price",
                    "WB prices are positive roubles",
                ));
                continue;
            }
            let item = PriceItem {
                nm_id,
                price,
                discount,
            };
            // One item per nmID ("Duplicate item Nos." otherwise): the last one wins.
            match by_nm.get_mut(&nm_id) {
                Some(indices) => {
                    indices.push(index);
                    if let Some(existing) = items.iter_mut().find(|i| i.nm_id == nm_id) {
                        *existing = item;
                    }
                }
                None => {
                    by_nm.insert(nm_id, vec![index]);
                    items.push(item);
                }
            }
        }
        if items.is_empty() {
            return Ok(outcomes);
        }
        let body = json!({ "data": items });
        let call = self.json(
            Method::POST,
            op::PRICE_UPLOAD,
            Host::Prices,
            "/api/v2/upload/task",
            &body,
        )?;
        let reply = self.send(&call).await?;
        let task: TaskCreated = match reply.status {
            200 => errors::envelope_ok(&reply, op::PRICE_UPLOAD)?.unwrap_or_default(),
            // "This task already exists": the same prices are already on their way.
            208 => return Ok(outcomes),
            400 => {
                let refusal = errors::refusal(&reply);
                let text = refusal.message.to_lowercase();
                if text.contains("already set") && !text.contains("incorrectly") {
                    return Ok(outcomes);
                }
                if text.contains("all item nos") {
                    for index in by_nm.values().flatten() {
                        outcomes[*index]
                            .problems
                            .push(Problem::new(refusal.code.clone(), refusal.message.clone()));
                    }
                    return Ok(outcomes);
                }
                return Err(errors::refused(&reply, op::PRICE_UPLOAD));
            }
            _ => return Err(errors::refused(&reply, op::PRICE_UPLOAD)),
        };
        for (nm_id, message) in self.task_errors(task.id).await? {
            for index in by_nm.get(&nm_id).into_iter().flatten() {
                outcomes[*index]
                    .problems
                    .push(Problem::new("price_error", message.clone()));
            }
        }
        Ok(outcomes)
    }

    /// The goods of a processed task that failed, with WB's error text; nothing while the task
    /// is still being processed.
    async fn task_errors(&self, upload_id: i64) -> Result<Vec<(i64, String)>, MpError> {
        let path = format!("/api/v2/history/tasks?uploadID={upload_id}");
        let call = self.get(op::PRICE_TASK, Host::Prices, &path);
        let Some(task) =
            errors::envelope_ok::<TaskHistory>(&self.send(&call).await?, op::PRICE_TASK)?
        else {
            return Ok(Vec::new());
        };
        match task.status {
            5 | 6 => {}
            4 => {
                return Err(MpError::Rejected {
                    marketplace: Marketplace::Wildberries,
                    method: op::PRICE_TASK.to_owned(),
                    status: 200,
                    code: "cancelled".into(),
                    message: format!("price upload {upload_id} was cancelled"),
                });
            }
            _ => return Ok(Vec::new()),
        }
        let mut failed = Vec::new();
        let mut offset = 0;
        loop {
            let path = format!(
                "/api/v2/history/goods/task?uploadID={upload_id}&limit={GOODS_PAGE}&offset={offset}"
            );
            let call = self.get(op::PRICE_GOODS, Host::Prices, &path);
            let goods: GoodsHistory =
                errors::envelope_ok(&self.send(&call).await?, op::PRICE_GOODS)?.unwrap_or_default();
            let count = goods.history_goods.len();
            failed.extend(
                goods
                    .history_goods
                    .into_iter()
                    .filter(|g| g.status == 3 || !g.error_text.is_empty())
                    .map(|g| (g.nm_id, g.error_text)),
            );
            if count < GOODS_PAGE {
                break;
            }
            offset += count;
        }
        Ok(failed)
    }
}
