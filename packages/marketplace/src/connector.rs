//! The one trait every marketplace connector implements.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    Card, CardResult, CategoryAttributes, ItemOutcome, Label, MarketCategory, MarketOrder, MpError,
    PriceUpdate, RemoteOffer, StockUpdate, Submission,
};

/// The marketplaces Carpetti publishes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Marketplace {
    Ozon,
    Wildberries,
    YandexMarket,
    Megamarket,
}

impl Marketplace {
    pub const ALL: [Marketplace; 4] = [
        Marketplace::Ozon,
        Marketplace::Wildberries,
        Marketplace::YandexMarket,
        Marketplace::Megamarket,
    ];

    /// The channel kind word (`ozon`, `wildberries`, `yandex_market`, `megamarket`).
    pub fn as_str(self) -> &'static str {
        match self {
            Marketplace::Ozon => "ozon",
            Marketplace::Wildberries => "wildberries",
            Marketplace::YandexMarket => "yandex_market",
            Marketplace::Megamarket => "megamarket",
        }
    }
}

impl fmt::Display for Marketplace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The documented batch sizes and pacing of a marketplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Cards per create/update call.
    pub cards_per_call: usize,
    /// Price items per call.
    pub prices_per_call: usize,
    /// Stock items (offer × warehouse) per call.
    pub stocks_per_call: usize,
    /// One stock update per offer × warehouse at most this often (Ozon: 30 s), divided by the
    /// connector's pace (it paces real waiting).
    pub stock_item_interval: Option<Duration>,
    /// Documented sustained calls per minute of the card, price and stock methods, as the
    /// marketplace documents them (not multiplied by a pace), for planners and benchmark floors;
    /// the transport enforces the real buckets.
    pub card_calls_per_minute: u32,
    pub price_calls_per_minute: u32,
    pub stock_calls_per_minute: u32,
}

/// A marketplace account, as service_mp drives it. Every method is one logical operation; the
/// connector pages, batches within one call's maximum and maps the marketplace's shapes.
#[async_trait]
pub trait Connector: Send + Sync {
    fn marketplace(&self) -> Marketplace;

    fn limits(&self) -> BatchLimits;

    /// The category tree (leaves carry cards).
    async fn categories(&self) -> Result<Vec<MarketCategory>, MpError>;

    /// The attributes of one leaf category, with dictionary values where the marketplace lists
    /// them.
    async fn category_attributes(&self, category: &str) -> Result<CategoryAttributes, MpError>;

    /// Sends at most `limits().cards_per_call` cards to be created or updated. Items refused by
    /// the call itself come back in `Submission::settled`.
    async fn submit_cards(&self, cards: &[Card]) -> Result<Submission, MpError>;

    /// Where each card of a submission stands now (pending, published with ids, rejected).
    async fn poll_cards(&self, submission: &Submission) -> Result<Vec<CardResult>, MpError>;

    /// Where the cards of several submissions stand, one answer per submission, in order. By
    /// default each is polled on its own; a connector that can share a look-up among them (Ozon
    /// reads the skus of a thousand products per call) does so, which saves calls under a
    /// quota the marketplace counts across all its methods.
    async fn poll_many(&self, submissions: &[Submission]) -> Vec<Result<Vec<CardResult>, MpError>> {
        let mut answers = Vec::with_capacity(submissions.len());
        for submission in submissions {
            answers.push(self.poll_cards(submission).await);
        }
        answers
    }

    /// Sends at most `limits().prices_per_call` prices.
    async fn update_prices(&self, prices: &[PriceUpdate]) -> Result<Vec<ItemOutcome>, MpError>;

    /// Sends at most `limits().stocks_per_call` stocks (any warehouses).
    async fn update_stocks(&self, stocks: &[StockUpdate]) -> Result<Vec<ItemOutcome>, MpError>;

    /// Everything the marketplace holds for the account.
    async fn list_offers(&self) -> Result<Vec<RemoteOffer>, MpError>;

    /// Orders created or changed since `since`.
    async fn orders(&self, since: DateTime<Utc>) -> Result<Vec<MarketOrder>, MpError>;

    /// Tells the marketplace the order is assembled and packed in one box, which makes its label
    /// available (Ozon ship, WB supply, YM READY_TO_SHIP, Megamarket confirm + packing).
    /// Idempotent: packing a packed order changes nothing.
    async fn pack(&self, order_external_id: &str) -> Result<(), MpError>;

    /// The shipping label of a packed order ([`MpError::NotReady`] before).
    async fn label(&self, order_external_id: &str) -> Result<Label, MpError>;
}
