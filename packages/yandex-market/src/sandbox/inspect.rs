//! What tests see of the sandbox: offers with the ids it assigned, prices, stocks per warehouse,
//! how often each offer was received, orders; and all of it as JSON (`GET /_sandbox/state`).

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use super::YandexMarketSandbox;
use super::state::OfferRecord;

/// One offer of the catalog as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxOffer {
    pub offer_id: String,
    pub name: Option<String>,
    pub category_id: Option<i64>,
    /// Assigned once the card is created; kept for the offer's life.
    pub market_sku: Option<i64>,
    pub card_status: String,
    /// The card's content errors (`message: comment`).
    pub errors: Vec<String>,
    /// Accepted `offer-mappings/update` calls that carried the offer.
    pub received: u32,
    /// Weight and dimensions as received (cm, kg).
    pub weight_dimensions: Option<[f64; 4]>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxPrice {
    pub offer_id: String,
    pub value: Decimal,
    pub discount_base: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxStock {
    pub offer_id: String,
    /// `warehouseId` when the request named one, else the campaign id.
    pub warehouse_id: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxOrder {
    pub id: i64,
    pub status: String,
    pub substatus: String,
    /// `(offer id, count)`.
    pub lines: Vec<(String, i64)>,
}

fn offer(record: &OfferRecord) -> SandboxOffer {
    SandboxOffer {
        offer_id: record.offer.offer_id.clone(),
        name: record.offer.name.clone(),
        category_id: record.offer.market_category_id,
        market_sku: record.market_sku,
        card_status: record.card_status.clone(),
        errors: record
            .errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.message.as_deref().unwrap_or(""),
                    e.comment.as_deref().unwrap_or("")
                )
            })
            .collect(),
        received: record.received,
        weight_dimensions: record
            .offer
            .weight_dimensions
            .map(|d| [d.length, d.width, d.height, d.weight]),
    }
}

impl YandexMarketSandbox {
    /// Every offer, in the order they were created.
    pub fn offers(&self) -> Vec<SandboxOffer> {
        let state = self.state();
        state
            .catalog
            .iter()
            .filter_map(|id| state.offers.get(id))
            .map(offer)
            .collect()
    }

    pub fn offer(&self, offer_id: &str) -> Option<SandboxOffer> {
        self.state().offers.get(offer_id).map(offer)
    }

    pub fn offer_count(&self) -> usize {
        self.state().offers.len()
    }

    /// Accepted update calls that carried `offer_id` (0 when never received).
    pub fn update_calls(&self, offer_id: &str) -> u32 {
        self.state().offers.get(offer_id).map_or(0, |r| r.received)
    }

    pub fn price(&self, offer_id: &str) -> Option<SandboxPrice> {
        self.state().prices.get(offer_id).map(|p| SandboxPrice {
            offer_id: offer_id.to_owned(),
            value: p.value,
            discount_base: p.discount_base,
        })
    }

    pub fn price_count(&self) -> usize {
        self.state().prices.len()
    }

    /// The count of `offer_id` at `warehouse_id` (the campaign id when none was named).
    pub fn stock(&self, offer_id: &str, warehouse_id: &str) -> Option<i64> {
        self.state()
            .stocks
            .get(offer_id)
            .and_then(|w| w.get(warehouse_id))
            .map(|s| s.count)
    }

    pub fn stocks(&self) -> Vec<SandboxStock> {
        let state = self.state();
        let mut stocks: Vec<SandboxStock> = state
            .stocks
            .iter()
            .flat_map(|(offer_id, by_warehouse)| {
                by_warehouse
                    .iter()
                    .map(move |(warehouse, record)| SandboxStock {
                        offer_id: offer_id.clone(),
                        warehouse_id: warehouse.clone(),
                        count: record.count,
                    })
            })
            .collect();
        stocks.sort_by(|a, b| (&a.offer_id, &a.warehouse_id).cmp(&(&b.offer_id, &b.warehouse_id)));
        stocks
    }

    pub fn order(&self, id: i64) -> Option<SandboxOrder> {
        self.state().orders.get(&id).map(|r| order(&r.order))
    }

    pub fn orders(&self) -> Vec<SandboxOrder> {
        self.state()
            .orders
            .values()
            .map(|r| order(&r.order))
            .collect()
    }

    /// Everything, as `GET /_sandbox/state` shows it.
    pub fn state_json(&self) -> serde_json::Value {
        let prices: Vec<SandboxPrice> = {
            let state = self.state();
            let mut prices: Vec<SandboxPrice> = state
                .prices
                .iter()
                .map(|(offer_id, p)| SandboxPrice {
                    offer_id: offer_id.clone(),
                    value: p.value,
                    discount_base: p.discount_base,
                })
                .collect();
            prices.sort_by(|a, b| a.offer_id.cmp(&b.offer_id));
            prices
        };
        json!({
            "business_id": self.inner.config.business_id,
            "campaign_id": self.inner.config.campaign_id,
            "offers": self.offers(),
            "prices": prices,
            "stocks": self.stocks(),
            "orders": self.orders(),
        })
    }
}

fn order(order: &crate::wire::orders::Order) -> SandboxOrder {
    SandboxOrder {
        id: order.id,
        status: order.status.clone(),
        substatus: order.substatus.clone(),
        lines: order
            .items
            .iter()
            .map(|i| (i.offer_id.clone(), i.count))
            .collect(),
    }
}
