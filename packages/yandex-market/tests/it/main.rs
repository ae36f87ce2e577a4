//! The Yandex Market connector against its loopback sandbox.

mod auth;
mod dictionary;
mod faults;
mod limits;
mod orders;
mod prices_stocks;
mod publish;
mod schema;
mod settings;

use std::time::Duration;

use carpetti_marketplace::sandbox::Served;
use carpetti_marketplace::{
    AttributeValue, Card, CardAttribute, CardResult, CardState, Connector, Dimensions, RetryPolicy,
    Submission,
};
use carpetti_yandex_market::sandbox::seed;
use carpetti_yandex_market::{SandboxConfig, Settings, YandexMarketConnector, YandexMarketSandbox};
use rust_decimal::Decimal;

/// A sandbox on a loopback port and a connector pointed at it.
pub struct Env {
    pub sandbox: YandexMarketSandbox,
    pub served: Served,
    pub connector: YandexMarketConnector,
}

/// Quotas 1000× faster and no processing delay: most tests are about behaviour, not time.
pub fn fast() -> SandboxConfig {
    SandboxConfig {
        pace: 1000.0,
        processing_delay: Duration::ZERO,
        ..SandboxConfig::default()
    }
}

pub async fn start(config: SandboxConfig) -> anyhow::Result<Env> {
    let pace = config.pace;
    let sandbox = YandexMarketSandbox::new(config);
    let served = sandbox.serve("127.0.0.1:0".parse()?).await?;
    let connector = connector(&sandbox, &served.base_url(), pace)?;
    Ok(Env {
        sandbox,
        served,
        connector,
    })
}

pub fn connector(
    sandbox: &YandexMarketSandbox,
    base_url: &str,
    pace: f64,
) -> anyhow::Result<YandexMarketConnector> {
    let config = sandbox.config();
    let settings =
        Settings::from_channel(&config.channel_settings(base_url), &config.credentials())?;
    Ok(YandexMarketConnector::new(
        settings,
        RetryPolicy::quick(),
        pace,
    )?)
}

pub fn attribute(id: i64, value: &str) -> CardAttribute {
    CardAttribute {
        id: id.to_string(),
        values: vec![AttributeValue::text(value)],
    }
}

pub fn dictionary_attribute(id: i64, value_id: i64, value: &str) -> CardAttribute {
    CardAttribute {
        id: id.to_string(),
        values: vec![AttributeValue {
            value: value.to_owned(),
            dictionary_id: Some(value_id.to_string()),
        }],
    }
}

/// A complete carpet card.
pub fn carpet(offer_id: &str) -> Card {
    Card {
        offer_id: offer_id.to_owned(),
        name: format!("Ковёр {offer_id} 160×230"),
        vendor: Some("Carpetti".to_owned()),
        vendor_code: Some(format!("VC-{offer_id}")),
        description: Some("Шерстяной ковёр ручной работы".to_owned()),
        barcodes: vec![format!("46{:011}", offer_id.len() * 7919)],
        pictures: vec![format!("https://img.example.com/{offer_id}/1.jpg")],
        price: Decimal::new(1299000, 2),
        old_price: Some(Decimal::new(1599000, 2)),
        vat: Some(Decimal::new(2, 1)),
        dimensions: Some(Dimensions {
            length_mm: 1600,
            width_mm: 300,
            height_mm: 300,
            weight_g: 8500,
        }),
        category: seed::CARPETS.to_string(),
        attributes: vec![
            dictionary_attribute(seed::COLOR, 12_107_000, "бежевый"),
            attribute(seed::MATERIAL, "шерсть"),
            attribute(seed::LENGTH, "230"),
            attribute(seed::WIDTH, "160"),
            attribute(seed::LINTLESS, "false"),
        ],
        group_id: None,
    }
}

/// A complete towel card.
pub fn towel(offer_id: &str) -> Card {
    Card {
        name: format!("Полотенце {offer_id} 70×140"),
        category: seed::TOWELS.to_string(),
        attributes: vec![
            attribute(seed::COLOR, "белый"),
            dictionary_attribute(seed::MATERIAL, 37_833_634, "хлопок"),
            attribute(seed::DENSITY, "500"),
        ],
        dimensions: Some(Dimensions {
            length_mm: 350,
            width_mm: 250,
            height_mm: 50,
            weight_g: 700,
        }),
        price: Decimal::new(99000, 2),
        old_price: None,
        ..carpet(offer_id)
    }
}

/// Polls until no card is pending (at most `within`).
pub async fn settle(
    connector: &YandexMarketConnector,
    submission: &Submission,
    within: Duration,
) -> anyhow::Result<Vec<CardResult>> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let results = connector.poll_cards(submission).await?;
        if results.iter().all(|r| r.state != CardState::Pending) {
            return Ok(results);
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "still pending after {within:?}: {results:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn state_of<'a>(results: &'a [CardResult], offer_id: &str) -> &'a CardState {
    results
        .iter()
        .find(|r| r.offer_id == offer_id)
        .map(|r| &r.state)
        .unwrap_or_else(|| panic!("no result for {offer_id} in {results:?}"))
}
