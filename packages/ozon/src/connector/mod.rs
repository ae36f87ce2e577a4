//! [`OzonConnector`]: the Seller API behind the marketplace-neutral [`Connector`] trait.

mod cards;
mod dictionaries;
mod errors;
mod labels;
mod offers;
mod orders;
mod prices;
mod stocks;
pub(crate) mod wire;

use std::time::Duration;

use async_trait::async_trait;
use carpetti_marketplace::transport::{Limits, Quota};
use carpetti_marketplace::{
    BatchLimits, Call, Card, CardResult, CategoryAttributes, Connector, ItemOutcome, Label,
    MarketCategory, MarketOrder, Marketplace, MpError, PriceUpdate, RemoteOffer, Reply,
    RetryPolicy, StockUpdate, Submission, Transport,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Settings;

/// Items per `/v3/product/import` call.
pub const CARDS_PER_CALL: usize = 100;
/// Items per `/v1/product/import/prices` call.
pub const PRICES_PER_CALL: usize = 1000;
/// Product × warehouse pairs per `/v2/products/stocks` call.
pub const STOCKS_PER_CALL: usize = 100;
/// Calls per minute of `/v2/products/stocks` per seller account.
pub const STOCK_CALLS_PER_MINUTE: u32 = 80;
/// One stock update per product × warehouse this often.
pub const STOCK_ITEM_INTERVAL: Duration = Duration::from_secs(30);
/// Requests per second per Client-Id over all methods (community documentation).
pub const CALLS_PER_SECOND: u32 = 50;
/// Ids per `/v3/product/info/list` call.
pub(crate) const INFO_IDS_PER_CALL: usize = 1000;

/// The operation names of the Seller API methods (rate-limit buckets, errors, logs).
pub(crate) mod op {
    pub const TREE: &str = "/v1/description-category/tree";
    pub const ATTRIBUTES: &str = "/v1/description-category/attribute";
    pub const VALUES: &str = "/v1/description-category/attribute/values";
    pub const IMPORT: &str = "/v3/product/import";
    pub const IMPORT_INFO: &str = "/v1/product/import/info";
    pub const INFO_LIST: &str = "/v3/product/info/list";
    pub const PRODUCT_LIST: &str = "/v3/product/list";
    pub const PRICES: &str = "/v1/product/import/prices";
    pub const STOCKS: &str = "/v2/products/stocks";
    pub const WAREHOUSES: &str = "/v2/warehouse/list";
    pub const POSTINGS: &str = "/v4/posting/fbs/list";
    pub const POSTING: &str = "/v3/posting/fbs/get";
    pub const SHIP: &str = "/v4/posting/fbs/ship";
    pub const LABEL: &str = "/v2/posting/fbs/package-label";
}

/// One Ozon seller account.
pub struct OzonConnector {
    settings: Settings,
    transport: Transport,
    pace: f64,
}

impl std::fmt::Debug for OzonConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OzonConnector")
            .field("settings", &self.settings)
            .field("pace", &self.pace)
            .finish_non_exhaustive()
    }
}

/// A seller warehouse as `/v2/warehouse/list` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OzonWarehouse {
    pub id: String,
    pub name: String,
    pub status: String,
}

impl OzonConnector {
    /// `pace` multiplies every documented quota (1.0 = the real limits).
    pub fn new(settings: Settings, policy: RetryPolicy, pace: f64) -> Result<Self, MpError> {
        let pace = if pace.is_finite() && pace > 0.0 {
            pace
        } else {
            1.0
        };
        let limits = Limits::new(pace)
            .with(&[op::STOCKS], Quota::per_minute(STOCK_CALLS_PER_MINUTE, 10))
            .with_fallback(Quota {
                calls: CALLS_PER_SECOND,
                period: Duration::from_secs(1),
                burst: 10,
            });
        let transport = Transport::new(Marketplace::Ozon, &settings.client_id, limits, policy)?;
        Ok(Self {
            settings,
            transport,
            pace,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The seller's FBS/rFBS warehouses (`/v2/warehouse/list`, every page).
    pub async fn warehouses(&self) -> Result<Vec<OzonWarehouse>, MpError> {
        let mut found = Vec::new();
        let mut cursor = String::new();
        loop {
            let page: wire::WarehouseListResponse = self
                .post(
                    op::WAREHOUSES,
                    &wire::WarehouseListRequest {
                        limit: 200,
                        cursor: cursor.clone(),
                    },
                )
                .await?;
            found.extend(page.warehouses.into_iter().map(|w| OzonWarehouse {
                id: w.warehouse_id.to_string(),
                name: w.name,
                status: w.status,
            }));
            if !page.has_next || page.cursor.is_empty() || page.cursor == cursor {
                return Ok(found);
            }
            cursor = page.cursor;
        }
    }

    /// The call of one method with the account's headers.
    fn call(&self, operation: &'static str, body: &impl Serialize) -> Result<Call, MpError> {
        let call = Call::json(
            http::Method::POST,
            operation,
            self.settings.url(operation),
            body,
        )
        .map_err(|e| MpError::Decode {
            marketplace: Marketplace::Ozon,
            method: operation.to_owned(),
            reason: format!("encoding the request: {e}"),
        })?;
        Ok(call
            .header("client-id", self.settings.client_id.clone())
            .header("api-key", self.settings.api_key().to_owned()))
    }

    /// Sends a call and hands back a 2xx reply; anything else as the request's error.
    async fn send(&self, call: &Call) -> Result<Reply, MpError> {
        let reply = self.transport.send(call).await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(errors::refused(call.operation, &reply))
        }
    }

    /// A JSON POST (all Seller API methods are): every one the connector uses is safe to
    /// repeat (reads, and writes keyed by offer / product × warehouse / posting).
    async fn post<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        body: &impl Serialize,
    ) -> Result<T, MpError> {
        let call = self.call(operation, body)?;
        self.send(&call).await?.json(Marketplace::Ozon, operation)
    }
}

#[async_trait]
impl Connector for OzonConnector {
    fn marketplace(&self) -> Marketplace {
        Marketplace::Ozon
    }

    fn limits(&self) -> BatchLimits {
        BatchLimits {
            cards_per_call: CARDS_PER_CALL,
            prices_per_call: PRICES_PER_CALL,
            stocks_per_call: STOCKS_PER_CALL,
            stock_item_interval: Some(STOCK_ITEM_INTERVAL.div_f64(self.pace)),
            card_calls_per_minute: CALLS_PER_SECOND * 60,
            price_calls_per_minute: CALLS_PER_SECOND * 60,
            stock_calls_per_minute: STOCK_CALLS_PER_MINUTE,
        }
    }

    async fn categories(&self) -> Result<Vec<MarketCategory>, MpError> {
        self.category_tree().await
    }

    async fn category_attributes(&self, category: &str) -> Result<CategoryAttributes, MpError> {
        self.attributes_of(category).await
    }

    async fn submit_cards(&self, cards: &[Card]) -> Result<Submission, MpError> {
        self.import_cards(cards).await
    }

    async fn poll_cards(&self, submission: &Submission) -> Result<Vec<CardResult>, MpError> {
        self.import_outcome(submission).await
    }

    async fn poll_many(&self, submissions: &[Submission]) -> Vec<Result<Vec<CardResult>, MpError>> {
        self.import_outcomes(submissions).await
    }

    async fn update_prices(&self, prices: &[PriceUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        self.send_prices(prices).await
    }

    async fn update_stocks(&self, stocks: &[StockUpdate]) -> Result<Vec<ItemOutcome>, MpError> {
        self.send_stocks(stocks).await
    }

    async fn list_offers(&self) -> Result<Vec<RemoteOffer>, MpError> {
        self.all_offers().await
    }

    async fn orders(&self, since: DateTime<Utc>) -> Result<Vec<MarketOrder>, MpError> {
        self.postings_since(since).await
    }

    async fn pack(&self, order_external_id: &str) -> Result<(), MpError> {
        self.ship(order_external_id).await
    }

    async fn label(&self, order_external_id: &str) -> Result<Label, MpError> {
        self.package_label(order_external_id).await
    }
}
