//! Stocks: `PUT /v2/campaigns/{campaignId}/offers/stocks`, 2 000 SKUs per call, exactly one item
//! each. A numeric warehouse id goes along as `warehouseId` (older cabinets with several
//! warehouses per shop); otherwise the campaign's own warehouse is meant.

use std::collections::HashMap;

use carpetti_marketplace::{ItemOutcome, MpError, Problem, StockUpdate};
use chrono::{SecondsFormat, Utc};
use http::Method;

use super::YandexMarketConnector;
use super::errors::expect_ok;
use crate::quotas::{self, op};
use crate::wire::prices::{SkuStock, StockItem, UpdateStocksRequest};

impl YandexMarketConnector {
    pub(super) async fn send_stocks(
        &self,
        stocks: &[StockUpdate],
    ) -> Result<Vec<ItemOutcome>, MpError> {
        let mut outcomes = Vec::with_capacity(stocks.len());
        let updated_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        let mut outgoing: Vec<(SkuStock, &str)> = Vec::new();
        for update in stocks {
            let warehouse = update.warehouse_id.trim();
            let known = self.settings.warehouses.is_empty()
                || self.settings.warehouses.iter().any(|w| w == warehouse);
            if !known {
                outcomes.push(ItemOutcome {
                    offer_id: update.ids.offer_id.clone(),
                    warehouse_id: Some(update.warehouse_id.clone()),
                    problems: vec![Problem::new(
                        "unknown_warehouse",
                        format!("warehouse {warehouse} is not one of the channel's warehouses"),
                    )],
                });
                continue;
            }
            let entry = SkuStock {
                sku: update.ids.offer_id.clone(),
                warehouse_id: warehouse.parse::<i64>().ok(),
                items: vec![StockItem {
                    count: i64::from(update.quantity),
                    updated_at: Some(updated_at.clone()),
                    kind: None,
                }],
            };
            let key = (update.ids.offer_id.as_str(), update.warehouse_id.as_str());
            match index.get(&key) {
                Some(&at) => outgoing[at].0 = entry,
                None => {
                    index.insert(key, outgoing.len());
                    outgoing.push((entry, update.warehouse_id.as_str()));
                }
            }
        }
        let url = self.campaign_url("/offers/stocks");
        for chunk in outgoing.chunks(quotas::STOCKS_PER_CALL) {
            let body = UpdateStocksRequest {
                skus: chunk.iter().map(|(sku, _)| sku.clone()).collect(),
            };
            let call = self.json_call(Method::PUT, op::STOCKS, url.clone(), &body)?;
            let reply = self.send(&call).await?;
            expect_ok(&reply, op::STOCKS)?;
            outcomes.extend(chunk.iter().map(|(sku, warehouse)| ItemOutcome {
                offer_id: sku.sku.clone(),
                warehouse_id: Some((*warehouse).to_owned()),
                problems: Vec::new(),
            }));
        }
        Ok(outcomes)
    }
}
