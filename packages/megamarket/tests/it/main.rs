//! carpetti-megamarket: the connector against its loopback sandbox — catalog publication with
//! rejections, prices and stocks, storms and restarts, shipments and stickers, rate limits, auth,
//! settings, and every exchange checked against megamarket-notes.yaml.

mod auth;
mod catalog;
mod dictionaries;
mod limits;
mod orders;
mod prices_stocks;
mod schema;
mod settings;
mod storms;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use carpetti_marketplace::sandbox::Served;
use carpetti_marketplace::{
    AttributeValue, Card, CardAttribute, CardResult, CardState, Connector, Dimensions, RetryPolicy,
    Submission,
};
use carpetti_megamarket::seed::{
    AUTO_OFF, BODY_MATERIAL, COLOUR, KETTLES, MICROWAVES, POWER, SIZE, T_SHIRTS, TYPE, VOLUME,
};
use carpetti_megamarket::{MegamarketConnector, MegamarketSandbox, SandboxConfig, Settings};
use rust_decimal::Decimal;

/// The sandbox and the connector at this pace in most tests (5000 calls/s).
pub const FAST: f64 = 1000.0;

pub struct Setup {
    pub sandbox: MegamarketSandbox,
    pub served: Served,
    pub connector: MegamarketConnector,
}

impl Setup {
    pub fn url(&self) -> String {
        self.served.base_url()
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A fast sandbox (cards processed at once) and a connector on it.
pub async fn start() -> Setup {
    start_with(
        SandboxConfig::paced(FAST).with_processing_delay(Duration::ZERO),
        FAST,
    )
    .await
}

pub async fn start_with(config: SandboxConfig, connector_pace: f64) -> Setup {
    let sandbox = MegamarketSandbox::new(config);
    let served = sandbox.serve(loopback()).await.expect("serve the sandbox");
    let connector = connector(&sandbox, &served.base_url(), connector_pace);
    Setup {
        sandbox,
        served,
        connector,
    }
}

pub fn connector(sandbox: &MegamarketSandbox, url: &str, pace: f64) -> MegamarketConnector {
    let config = sandbox.config();
    let settings = Settings::for_sandbox(url, &config.merchant_id, &config.token);
    MegamarketConnector::new(settings, RetryPolicy::quick(), pace).expect("connector")
}

pub fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/marketplaces/specs/megamarket-notes.yaml")
}

fn attribute(id: u64, value: &str) -> CardAttribute {
    CardAttribute {
        id: id.to_string(),
        values: vec![AttributeValue::text(value)],
    }
}

/// A complete card with the category's required content attributes.
pub fn card(offer: &str, category: u64) -> Card {
    let attributes = match category {
        MICROWAVES => vec![
            attribute(TYPE, "Соло"),
            attribute(POWER, "800"),
            attribute(COLOUR, "бирюзовый"), // an open (isSuggest) dictionary takes it
        ],
        KETTLES => vec![
            attribute(POWER, "2200"),
            attribute(VOLUME, "1,7"),
            attribute(BODY_MATERIAL, "стекло"),
            attribute(AUTO_OFF, "да"),
        ],
        T_SHIRTS => vec![attribute(SIZE, "M"), attribute(COLOUR, "черный")],
        _ => Vec::new(),
    };
    Card {
        offer_id: offer.to_owned(),
        name: format!("Товар {offer}"),
        vendor: Some("Bosch".to_owned()),
        vendor_code: Some(format!("ART-{offer}")),
        description: Some("Описание товара".to_owned()),
        barcodes: vec!["4600000000017".to_owned()],
        pictures: vec![format!("https://img.example.ru/{offer}.jpg")],
        price: Decimal::new(1990, 0),
        old_price: None,
        vat: Some(Decimal::new(2, 1)),
        dimensions: Some(Dimensions {
            length_mm: 455,
            width_mm: 300,
            height_mm: 260,
            weight_g: 10_500,
        }),
        category: category.to_string(),
        attributes,
        group_id: None,
    }
}

/// Replaces (or adds) one attribute value of a card.
pub fn with_attribute(mut card: Card, id: u64, value: Option<&str>) -> Card {
    card.attributes.retain(|a| a.id != id.to_string());
    if let Some(value) = value {
        card.attributes.push(attribute(id, value));
    }
    card
}

/// Polls until nothing is pending (a few seconds at most).
pub async fn settle(connector: &MegamarketConnector, submission: &Submission) -> Vec<CardResult> {
    for _ in 0..200 {
        let results = connector.poll_cards(submission).await.expect("poll");
        if results.iter().all(|r| r.state != CardState::Pending) {
            return results;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("cards still pending");
}

/// The goodsId of a published result.
pub fn goods_id(result: &CardResult) -> Option<&str> {
    match &result.state {
        CardState::Published { ids } => ids.product_id.as_deref(),
        _ => None,
    }
}

/// Publishes `cards` and waits for the outcome.
pub async fn publish(connector: &MegamarketConnector, cards: &[Card]) -> Vec<CardResult> {
    let mut results = Vec::new();
    for chunk in cards.chunks(connector.limits().cards_per_call) {
        let submission = connector.submit_cards(chunk).await.expect("submit");
        results.extend(settle(connector, &submission).await);
    }
    results
}
