//! FBS stocks: `/v2/products/stocks`, up to 100 product × warehouse pairs per call, 80 calls a
//! minute, one update per pair every 30 s (`TOO_MANY_REQUESTS` item error otherwise). The
//! request needs the product_id: listings without one are looked up by offer id first.

use std::collections::HashMap;

use carpetti_marketplace::{ItemOutcome, MpError, Problem, StockUpdate};

use super::prices::outcome_problems;
use super::{INFO_IDS_PER_CALL, OzonConnector, STOCKS_PER_CALL, errors, op, wire};

impl OzonConnector {
    pub(crate) async fn send_stocks(
        &self,
        stocks: &[StockUpdate],
    ) -> Result<Vec<ItemOutcome>, MpError> {
        if stocks.len() > STOCKS_PER_CALL {
            return Err(errors::not_sendable(
                op::STOCKS,
                "batch_too_large",
                format!(
                    "{} stocks, at most {STOCKS_PER_CALL} per call",
                    stocks.len()
                ),
            ));
        }
        let missing: Vec<String> = stocks
            .iter()
            .filter(|s| known_product_id(s).is_none())
            .map(|s| s.ids.offer_id.clone())
            .collect();
        let looked_up = self.product_ids_of(&missing).await?;
        let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; stocks.len()];
        let mut items = Vec::with_capacity(stocks.len());
        let mut sent = Vec::with_capacity(stocks.len());
        for (index, stock) in stocks.iter().enumerate() {
            let refuse = |code: &str, message: String| ItemOutcome {
                offer_id: stock.ids.offer_id.clone(),
                warehouse_id: Some(stock.warehouse_id.clone()),
                problems: vec![Problem::new(code, message)],
            };
            let Ok(warehouse_id) = stock.warehouse_id.trim().parse::<i64>() else {
                outcomes[index] = Some(refuse(
                    "bad_warehouse",
                    format!(
                        "warehouse `{}` is not an Ozon warehouse id",
                        stock.warehouse_id
                    ),
                ));
                continue;
            };
            let product_id = known_product_id(stock)
                .or_else(|| looked_up.get(stock.ids.offer_id.as_str()).copied());
            let Some(product_id) = product_id else {
                outcomes[index] = Some(refuse(
                    "NOT_FOUND",
                    format!(
                        "Ozon holds no product with offer id `{}`",
                        stock.ids.offer_id
                    ),
                ));
                continue;
            };
            items.push(wire::StockItem {
                offer_id: stock.ids.offer_id.clone(),
                product_id,
                quant_size: 1,
                stock: i64::from(stock.quantity),
                warehouse_id,
            });
            sent.push((index, product_id, warehouse_id));
        }
        if !items.is_empty() {
            let answer: wire::UpdateResponse = self
                .post(op::STOCKS, &wire::StocksRequest { stocks: items })
                .await?;
            let by_pair: HashMap<(&str, i64), &wire::UpdateResult> = answer
                .result
                .iter()
                .map(|r| ((r.offer_id.as_str(), r.warehouse_id), r))
                .collect();
            let by_product: HashMap<(i64, i64), &wire::UpdateResult> = answer
                .result
                .iter()
                .map(|r| ((r.product_id, r.warehouse_id), r))
                .collect();
            for (index, product_id, warehouse_id) in sent {
                let stock = &stocks[index];
                let result = by_pair
                    .get(&(stock.ids.offer_id.as_str(), warehouse_id))
                    .or_else(|| by_product.get(&(product_id, warehouse_id)));
                outcomes[index] = Some(ItemOutcome {
                    offer_id: stock.ids.offer_id.clone(),
                    warehouse_id: Some(stock.warehouse_id.clone()),
                    problems: match result {
                        Some(r) => outcome_problems(r),
                        None => vec![Problem::new(
                            "not_reported",
                            "Ozon did not report this stock",
                        )],
                    },
                });
            }
        }
        Ok(outcomes.into_iter().flatten().collect())
    }

    /// offer_id → product_id of the products Ozon holds among `offer_ids`.
    pub(crate) async fn product_ids_of(
        &self,
        offer_ids: &[String],
    ) -> Result<HashMap<String, i64>, MpError> {
        let mut found = HashMap::with_capacity(offer_ids.len());
        for chunk in offer_ids.chunks(INFO_IDS_PER_CALL) {
            let request = wire::InfoListRequest {
                offer_id: chunk.to_vec(),
                ..wire::InfoListRequest::default()
            };
            let info: wire::InfoListResponse = self.post(op::INFO_LIST, &request).await?;
            found.extend(info.items.into_iter().map(|item| (item.offer_id, item.id)));
        }
        Ok(found)
    }
}

fn known_product_id(stock: &StockUpdate) -> Option<i64> {
    stock
        .ids
        .product_id
        .as_deref()
        .and_then(|id| id.trim().parse().ok())
        .filter(|id| *id > 0)
}
