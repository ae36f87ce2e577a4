//! The Megamarket connector: one merchant account, every call through the shared transport with
//! Megamarket's 5 requests per second.

mod cards;
mod dictionaries;
mod errors;
mod labels;
mod offers;
mod orders;
mod prices;
mod stocks;
mod wire;

use std::time::Duration;

use async_trait::async_trait;
use carpetti_marketplace::transport::{Limits, Quota};
use carpetti_marketplace::{
    BatchLimits, Call, CardResult, CategoryAttributes, Connector, ItemOutcome, Label,
    MarketCategory, MarketOrder, Marketplace, MpError, PriceUpdate, RemoteOffer, Reply,
    RetryPolicy, StockUpdate, Submission, Transport,
};
use chrono::{DateTime, Utc};
use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api;
use crate::settings::Settings;
use errors::Answered;
use wire::{Envelope, Meta, WithToken};

const MP: Marketplace = Marketplace::Megamarket;

/// A Megamarket merchant account.
pub struct MegamarketConnector {
    settings: Settings,
    transport: Transport,
}

impl MegamarketConnector {
    /// `pace` multiplies the documented quota (1.0 = the real 5 requests per second).
    pub fn new(settings: Settings, policy: RetryPolicy, pace: f64) -> Result<Self, MpError> {
        let transport = Transport::new(MP, &settings.merchant_id, limits(pace), policy)?;
        Ok(Self {
            settings,
            transport,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A Merchant API call: the token inside the body envelope.
    async fn merchant<B: Serialize, T: DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &str,
        body: &B,
    ) -> Result<Answered<T>, MpError> {
        let reply = self.merchant_reply(operation, path, body).await?;
        errors::read(&reply, operation)
    }

    /// A Merchant API call, its answer unread (stickers may come as raw PDF).
    async fn merchant_reply<B: Serialize>(
        &self,
        operation: &'static str,
        path: &str,
        body: &B,
    ) -> Result<Reply, MpError> {
        let envelope = Envelope {
            meta: Meta {},
            data: WithToken {
                token: self.settings.token(),
                body,
            },
        };
        let url = format!("{}{path}", self.settings.merchant_url);
        let call = Call::json(Method::POST, operation, url, &envelope)
            .map_err(|e| encode(operation, &e))?;
        self.transport.send(&call).await
    }

    /// A content API call: the token in `X-Merchant-Token`, a plain JSON body.
    async fn content<B: Serialize, T: DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &str,
        body: &B,
    ) -> Result<Answered<T>, MpError> {
        let url = format!("{}{path}", self.settings.content_url);
        let call = Call::json(Method::POST, operation, url, body)
            .map_err(|e| encode(operation, &e))?
            .header("x-merchant-token", self.settings.token());
        let reply = self.transport.send(&call).await?;
        errors::read(&reply, operation)
    }
}

/// One bucket for every method: 5 per second per seller. The client's burst is one below the
/// server's so that latency jitter never lands a call over the marketplace's own bucket.
fn limits(pace: f64) -> Limits {
    let documented = Quota::per_second(api::CALLS_PER_SECOND);
    Limits::new(pace).with_fallback(Quota {
        burst: documented.burst.saturating_sub(1).max(1),
        ..documented
    })
}

fn encode(operation: &str, error: &serde_json::Error) -> MpError {
    MpError::Decode {
        marketplace: MP,
        method: operation.to_owned(),
        reason: format!("encoding the request: {error}"),
    }
}

#[async_trait]
impl Connector for MegamarketConnector {
    fn marketplace(&self) -> Marketplace {
        MP
    }

    fn limits(&self) -> BatchLimits {
        let per_minute = api::CALLS_PER_SECOND * 60;
        BatchLimits {
            cards_per_call: api::CARDS_PER_CALL,
            prices_per_call: api::PRICES_PER_CALL,
            stocks_per_call: api::STOCKS_PER_CALL,
            stock_item_interval: None::<Duration>,
            card_calls_per_minute: per_minute,
            price_calls_per_minute: per_minute,
            stock_calls_per_minute: per_minute,
        }
    }

    async fn categories(&self) -> Result<Vec<MarketCategory>, MpError> {
        dictionaries::categories(self).await
    }

    async fn category_attributes(&self, category: &str) -> Result<CategoryAttributes, MpError> {
        dictionaries::attributes(self, category).await
    }

    async fn submit_cards(
        &self,
        cards: &[carpetti_marketplace::Card],
    ) -> Result<Submission, MpError> {
        cards::submit(self, cards).await
    }

    async fn poll_cards(&self, submission: &Submission) -> Result<Vec<CardResult>, MpError> {
        cards::poll(self, submission).await
    }

    async fn update_prices(&self, prices: &[PriceUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        prices::update(self, prices).await
    }

    async fn update_stocks(&self, stocks: &[StockUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        stocks::update(self, stocks).await
    }

    async fn list_offers(&self) -> Result<Vec<RemoteOffer>, MpError> {
        offers::list(self).await
    }

    async fn orders(&self, since: DateTime<Utc>) -> Result<Vec<MarketOrder>, MpError> {
        orders::since(self, since).await
    }

    async fn pack(&self, order_external_id: &str) -> Result<(), MpError> {
        orders::pack(self, order_external_id).await
    }

    async fn label(&self, order_external_id: &str) -> Result<Label, MpError> {
        labels::sticker(self, order_external_id).await
    }
}
