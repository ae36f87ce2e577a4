//! [`WildberriesConnector`]: the [`Connector`] of one Wildberries seller account.
//!
//! One file per concern: `dictionaries` (subjects, characteristics, directories), `cards`
//! (upload / update), `poll` (error list, card list, read-back of nmID/chrtID, list_offers),
//! `prices` (upload tasks), `stocks`, `orders`, `labels` (supply + stickers), `memory` (ids and
//! in-flight cards the connector has learnt), `wire` (WB's JSON) and `errors`.

mod cards;
mod convert;
mod dictionaries;
mod errors;
mod labels;
mod memory;
mod orders;
mod poll;
mod prices;
mod stocks;
mod wire;

use std::time::Duration;

use async_trait::async_trait;
use carpetti_marketplace::transport::{Limits, Quota};
use carpetti_marketplace::{
    BatchLimits, Call, Card, CardResult, CategoryAttributes, Connector, ItemOutcome, Label,
    MarketCategory, MarketOrder, Marketplace, MpError, PriceUpdate, RemoteOffer, Reply,
    RetryPolicy, StockUpdate, Submission, Transport,
};
use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;

pub use wire::Warehouse;

use crate::Settings;
use memory::Memory;

/// Documented batch maxima.
pub const CARDS_PER_CALL: usize = 100;
pub const PRICES_PER_CALL: usize = 1000;
pub const STOCKS_PER_CALL: usize = 1000;

/// The client runs this fraction of every documented rate, so that network jitter never makes
/// two calls arrive closer together than the marketplace's own bucket allows.
const SAFETY: f64 = 0.9;

/// Operation names: each is the rate-limit bucket key and the method name in errors.
pub(crate) mod op {
    pub const SUBJECTS: &str = "content/object/all";
    pub const CHARCS: &str = "content/object/charcs";
    pub const DIRECTORY: &str = "content/directory";
    pub const CARDS_LIST: &str = "content/get/cards/list";
    pub const CARDS_UPLOAD: &str = "content/cards/upload";
    pub const CARDS_UPDATE: &str = "content/cards/update";
    pub const CARDS_ERRORS: &str = "content/cards/error/list";
    pub const PRICE_UPLOAD: &str = "prices/upload/task";
    pub const PRICE_TASK: &str = "prices/history/tasks";
    pub const PRICE_GOODS: &str = "prices/history/goods/task";
    pub const STOCKS: &str = "marketplace/stocks";
    pub const WAREHOUSES: &str = "marketplace/warehouses";
    pub const ORDERS_NEW: &str = "marketplace/orders/new";
    pub const ORDERS: &str = "marketplace/orders";
    pub const ORDERS_STATUS: &str = "marketplace/orders/status";
    pub const SUPPLIES: &str = "marketplace/supplies";
    pub const SUPPLY_ORDERS: &str = "marketplace/supplies/orders";
    pub const STICKERS: &str = "marketplace/orders/stickers";

    pub const CONTENT: [&str; 4] = [SUBJECTS, CHARCS, DIRECTORY, CARDS_LIST];
    pub const PRICES: [&str; 3] = [PRICE_UPLOAD, PRICE_TASK, PRICE_GOODS];
    pub const MARKETPLACE: [&str; 8] = [
        STOCKS,
        WAREHOUSES,
        ORDERS_NEW,
        ORDERS,
        ORDERS_STATUS,
        SUPPLIES,
        SUPPLY_ORDERS,
        STICKERS,
    ];
}

/// Which WB host an operation lives on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Host {
    Content,
    Prices,
    Marketplace,
}

/// The documented quotas (NOTES §2.1): content 100/min burst 5; card upload, update and the error
/// list 10/min burst 5 each; prices 10 per 6 s burst 5; marketplace 300/min burst 20.
pub fn documented_quotas() -> Vec<(&'static [&'static str], Quota)> {
    let prices = Quota {
        calls: 10,
        period: Duration::from_secs(6),
        burst: 5,
    };
    vec![
        (&op::CONTENT[..], Quota::per_minute(100, 5)),
        (&[op::CARDS_UPLOAD][..], Quota::per_minute(10, 5)),
        (&[op::CARDS_UPDATE][..], Quota::per_minute(10, 5)),
        (&[op::CARDS_ERRORS][..], Quota::per_minute(10, 5)),
        (&op::PRICES[..], prices),
        (&op::MARKETPLACE[..], Quota::per_minute(300, 20)),
    ]
}

/// The connector of one Wildberries seller account.
pub struct WildberriesConnector {
    settings: Settings,
    transport: Transport,
    /// The transport's buckets (shared): a marketplace 409 is charged as 10 calls.
    limits: Limits,
    memory: Memory,
}

impl WildberriesConnector {
    /// `pace` multiplies every documented quota (1.0 = the real limits).
    pub fn new(settings: Settings, policy: RetryPolicy, pace: f64) -> Result<Self, MpError> {
        let mut limits = Limits::new(pace);
        for (operations, quota) in documented_quotas() {
            let safe = Quota {
                period: quota.period.div_f64(SAFETY),
                ..quota
            };
            limits = limits.with(operations, safe);
        }
        let transport = Transport::new(
            Marketplace::Wildberries,
            &settings.account,
            limits.clone(),
            policy,
        )?;
        Ok(Self {
            settings,
            transport,
            limits,
            memory: Memory::default(),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn url(&self, host: Host, path: &str) -> String {
        let base = match host {
            Host::Content => &self.settings.content_url,
            Host::Prices => &self.settings.prices_url,
            Host::Marketplace => &self.settings.marketplace_url,
        };
        format!("{base}{path}")
    }

    fn get(&self, operation: &'static str, host: Host, path: &str) -> Call {
        Call::get(operation, self.url(host, path)).header("authorization", self.settings.token())
    }

    fn json(
        &self,
        method: Method,
        operation: &'static str,
        host: Host,
        path: &str,
        body: &impl Serialize,
    ) -> Result<Call, MpError> {
        Ok(Call::json(method, operation, self.url(host, path), body)
            .map_err(|e| errors::encode(operation, &e))?
            .header("authorization", self.settings.token()))
    }

    async fn send(&self, call: &Call) -> Result<Reply, MpError> {
        let reply = self.transport.send(call).await?;
        if reply.status == 409 && op::MARKETPLACE.contains(&call.operation) {
            // "One request answered 409 counts as 10 requests."
            for _ in 0..9 {
                self.limits.ready(call.operation).await;
            }
        }
        Ok(reply)
    }

    /// The seller's warehouses (`GET /api/v3/warehouses`).
    pub async fn warehouses(&self) -> Result<Vec<Warehouse>, MpError> {
        let call = self.get(op::WAREHOUSES, Host::Marketplace, "/api/v3/warehouses");
        errors::json_ok(&self.send(&call).await?, op::WAREHOUSES)
    }
}

#[async_trait]
impl Connector for WildberriesConnector {
    fn marketplace(&self) -> Marketplace {
        Marketplace::Wildberries
    }

    fn limits(&self) -> BatchLimits {
        BatchLimits {
            cards_per_call: CARDS_PER_CALL,
            prices_per_call: PRICES_PER_CALL,
            stocks_per_call: STOCKS_PER_CALL,
            stock_item_interval: None,
            card_calls_per_minute: 10,
            price_calls_per_minute: 100,
            stock_calls_per_minute: 300,
        }
    }

    async fn categories(&self) -> Result<Vec<MarketCategory>, MpError> {
        self.subjects().await
    }

    async fn category_attributes(&self, category: &str) -> Result<CategoryAttributes, MpError> {
        self.attributes(category).await
    }

    async fn submit_cards(&self, cards: &[Card]) -> Result<Submission, MpError> {
        self.submit(cards).await
    }

    async fn poll_cards(&self, submission: &Submission) -> Result<Vec<CardResult>, MpError> {
        self.poll(submission).await
    }

    async fn update_prices(&self, prices: &[PriceUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        self.prices(prices).await
    }

    async fn update_stocks(&self, stocks: &[StockUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        self.stocks(stocks).await
    }

    async fn list_offers(&self) -> Result<Vec<RemoteOffer>, MpError> {
        self.offers().await
    }

    async fn orders(&self, since: DateTime<Utc>) -> Result<Vec<MarketOrder>, MpError> {
        self.orders_since(since).await
    }

    async fn pack(&self, order_external_id: &str) -> Result<(), MpError> {
        self.pack_order(order_external_id).await
    }

    async fn label(&self, order_external_id: &str) -> Result<Label, MpError> {
        self.sticker(order_external_id).await
    }
}
