//! [`YandexMarketConnector`]: the [`Connector`] of one Yandex Market account (one cabinet and one
//! FBS shop), over the Partner API with the `Api-Key` header.

mod cards;
mod dictionaries;
mod errors;
mod labels;
mod offers;
mod orders;
mod poll;
mod prices;
mod stocks;

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use carpetti_marketplace::{
    BatchLimits, Call, Card, CardResult, CategoryAttributes, Connector, ItemOutcome, Label,
    MarketCategory, MarketOrder, Marketplace, MpError, PriceUpdate, RemoteOffer, Reply,
    RetryPolicy, StockUpdate, Submission, Transport,
};
use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;

use crate::Settings;
use crate::quotas;
use crate::wire::dictionary::CategoryParameters;

const MARKETPLACE: Marketplace = Marketplace::YandexMarket;

/// One Yandex Market account.
pub struct YandexMarketConnector {
    settings: Settings,
    transport: Transport,
    /// Category parameters already fetched, by category id (to name the attribute of a card the
    /// Market refused asynchronously).
    parameters: Mutex<HashMap<i64, CategoryParameters>>,
}

impl YandexMarketConnector {
    /// `pace` multiplies every documented quota (1.0 = the real limits).
    pub fn new(settings: Settings, policy: RetryPolicy, pace: f64) -> Result<Self, MpError> {
        let account = format!("business-{}", settings.business_id);
        let transport = Transport::new(MARKETPLACE, &account, quotas::client_limits(pace), policy)?;
        Ok(Self {
            settings,
            transport,
            parameters: Mutex::default(),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// `{base}/v2/businesses/{businessId}{tail}`
    fn business_url(&self, tail: &str) -> String {
        format!(
            "{}/v2/businesses/{}{tail}",
            self.settings.base_url, self.settings.business_id
        )
    }

    /// `{base}/v2/campaigns/{campaignId}{tail}`
    fn campaign_url(&self, tail: &str) -> String {
        format!(
            "{}/v2/campaigns/{}{tail}",
            self.settings.base_url, self.settings.campaign_id
        )
    }

    /// A call with a JSON body and the key.
    fn json_call(
        &self,
        method: Method,
        operation: &'static str,
        url: String,
        body: &impl Serialize,
    ) -> Result<Call, MpError> {
        let call = Call::json(method, operation, url, body).map_err(|e| MpError::Decode {
            marketplace: MARKETPLACE,
            method: operation.to_owned(),
            reason: format!("encoding the request: {e}"),
        })?;
        Ok(call.header("api-key", self.settings.api_key()))
    }

    /// A call without a body, with the key.
    fn bare_call(&self, method: Method, operation: &'static str, url: String) -> Call {
        Call::new(method, operation, url).header("api-key", self.settings.api_key())
    }

    /// A GET with the key.
    fn get_call(&self, operation: &'static str, url: String) -> Call {
        self.bare_call(Method::GET, operation, url)
    }

    async fn send(&self, call: &Call) -> Result<Reply, MpError> {
        self.transport.send(call).await
    }
}

#[async_trait]
impl Connector for YandexMarketConnector {
    fn marketplace(&self) -> Marketplace {
        MARKETPLACE
    }

    fn limits(&self) -> BatchLimits {
        BatchLimits {
            cards_per_call: quotas::CARDS_PER_CALL,
            prices_per_call: quotas::PRICES_PER_CALL,
            stocks_per_call: quotas::STOCKS_PER_CALL,
            stock_item_interval: None,
            card_calls_per_minute: quotas::CARDS_CALLS_PER_MINUTE,
            price_calls_per_minute: quotas::PRICE_CALLS_PER_MINUTE,
            stock_calls_per_minute: quotas::STOCK_CALLS_PER_MINUTE,
        }
    }

    async fn categories(&self) -> Result<Vec<MarketCategory>, MpError> {
        self.category_tree().await
    }

    async fn category_attributes(&self, category: &str) -> Result<CategoryAttributes, MpError> {
        self.attributes_of(category).await
    }

    async fn submit_cards(&self, cards: &[Card]) -> Result<Submission, MpError> {
        self.submit(cards).await
    }

    async fn poll_cards(&self, submission: &Submission) -> Result<Vec<CardResult>, MpError> {
        self.poll(submission).await
    }

    async fn update_prices(&self, prices: &[PriceUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        self.send_prices(prices).await
    }

    async fn update_stocks(&self, stocks: &[StockUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        self.send_stocks(stocks).await
    }

    async fn list_offers(&self) -> Result<Vec<RemoteOffer>, MpError> {
        self.catalog().await
    }

    async fn orders(&self, since: DateTime<Utc>) -> Result<Vec<MarketOrder>, MpError> {
        self.orders_since(since).await
    }

    async fn pack(&self, order_external_id: &str) -> Result<(), MpError> {
        self.ready_to_ship(order_external_id).await
    }

    async fn label(&self, order_external_id: &str) -> Result<Label, MpError> {
        self.labels_of(order_external_id).await
    }
}
