//! The Ozon connector against its loopback sandbox on 127.0.0.1:0.

mod auth;
mod cards;
mod inventory;
mod limits;
mod offers;
mod orders;
mod polling;
mod resilience;
mod sandbox_rules;
mod schema;

use std::time::Duration;

use anyhow::{Context, bail};
use carpetti_marketplace::sandbox::Served;
use carpetti_marketplace::{
    AttributeValue, Card, CardAttribute, CardResult, CardState, Connector, Dimensions, RetryPolicy,
    Submission,
};
use carpetti_ozon::sandbox::seed;
use carpetti_ozon::{OzonConnector, OzonSandbox, SandboxConfig, Settings};
use rust_decimal::Decimal;
use serde_json::Value;

/// A sandbox serving on a loopback port and a connector pointed at it.
pub struct Harness {
    pub sandbox: OzonSandbox,
    pub served: Served,
    pub connector: OzonConnector,
}

impl Harness {
    /// A sandbox with `config` and a connector paced like it.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Self> {
        let pace = config.pace;
        let sandbox = OzonSandbox::new(config);
        let served = sandbox.serve("127.0.0.1:0".parse()?).await?;
        let connector = connector_for(&sandbox, &served.base_url(), pace)?;
        Ok(Self {
            sandbox,
            served,
            connector,
        })
    }

    /// Fast sandbox: quotas 1000× faster, tasks and labels ready at once.
    pub async fn fast() -> anyhow::Result<Self> {
        Self::start(SandboxConfig::paced(1000.0).immediate()).await
    }

    pub fn url(&self) -> String {
        self.served.base_url()
    }
}

pub fn connector_for(
    sandbox: &OzonSandbox,
    base_url: &str,
    pace: f64,
) -> anyhow::Result<OzonConnector> {
    let config = sandbox.config();
    let settings = Settings::new(base_url, &config.client_id, &config.api_key);
    Ok(OzonConnector::new(settings, RetryPolicy::quick(), pace)?)
}

fn values(attribute: i64, pairs: &[(&str, Option<i64>)]) -> CardAttribute {
    CardAttribute {
        id: attribute.to_string(),
        values: pairs
            .iter()
            .map(|(text, id)| AttributeValue {
                value: (*text).to_owned(),
                dictionary_id: id.map(|i| i.to_string()),
            })
            .collect(),
    }
}

fn base(offer_id: &str, name: &str, category: &str, n: u32) -> Card {
    Card {
        offer_id: offer_id.to_owned(),
        name: name.to_owned(),
        vendor: Some("Carpetti".to_owned()),
        vendor_code: None,
        description: Some(format!("{name}: плотный ворс, ручная работа")),
        barcodes: vec![format!("46{n:011}")],
        pictures: vec![format!("https://cdn.example.com/{offer_id}/1.jpg")],
        price: Decimal::new(499_000 + i64::from(n) * 100, 2),
        old_price: Some(Decimal::new(599_000 + i64::from(n) * 100, 2)),
        vat: Some(Decimal::new(2, 1)),
        dimensions: Some(Dimensions {
            length_mm: 2000,
            width_mm: 1400,
            height_mm: 30,
            weight_g: 5200,
        }),
        category: category.to_owned(),
        attributes: vec![
            values(
                seed::ATTR_BRAND,
                &[("Carpetti", Some(seed::BRAND_CARPETTI))],
            ),
            values(seed::ATTR_MODEL, &[(offer_id, None)]),
            values(seed::ATTR_COLOR, &[("серый", Some(seed::COLOR_GREY))]),
        ],
        group_id: None,
    }
}

/// A carpet that Ozon accepts.
pub fn carpet(offer_id: &str, n: u32) -> Card {
    let mut card = base(offer_id, &format!("Ковер шерстяной {n}"), seed::CARPET, n);
    card.attributes.push(values(
        seed::ATTR_PILE,
        &[("шерсть", Some(seed::PILE_WOOL))],
    ));
    card
}

/// A door mat (no required pile material).
pub fn doormat(offer_id: &str, n: u32) -> Card {
    base(
        offer_id,
        &format!("Коврик придверный {n}"),
        seed::DOORMAT,
        n,
    )
}

/// A floor lamp (the socket is given as text only: Ozon matches the dictionary text).
pub fn lamp(offer_id: &str, n: u32) -> Card {
    let mut card = base(offer_id, &format!("Торшер {n}"), seed::FLOOR_LAMP, n);
    card.attributes
        .push(values(seed::ATTR_SOCKET, &[("E27", None)]));
    card
}

/// A carpet without its required pile material.
pub fn carpet_missing_pile(offer_id: &str, n: u32) -> Card {
    base(
        offer_id,
        &format!("Ковер без материала {n}"),
        seed::CARPET,
        n,
    )
}

/// A door mat with a colour id that is not in the dictionary.
pub fn doormat_bad_colour(offer_id: &str, n: u32) -> Card {
    let mut card = doormat(offer_id, n);
    card.attributes[2] = values(seed::ATTR_COLOR, &[("фиолетовый", Some(999_999))]);
    card
}

/// 20 cards: 14 good (carpets, door mats, lamps), 3 missing a required attribute, 3 with a value
/// not in the dictionary.
pub fn catalog() -> (Vec<Card>, Vec<String>, Vec<String>, Vec<String>) {
    let mut cards = Vec::new();
    let mut good = Vec::new();
    let mut missing = Vec::new();
    let mut bad_value = Vec::new();
    for n in 0..20u32 {
        let offer = format!("CRP-{n:03}");
        let card = match n {
            0..=5 => carpet(&offer, n),
            6..=9 => doormat(&offer, n),
            10..=13 => lamp(&offer, n),
            14..=16 => carpet_missing_pile(&offer, n),
            _ => doormat_bad_colour(&offer, n),
        };
        match n {
            0..=13 => good.push(offer),
            14..=16 => missing.push(offer),
            _ => bad_value.push(offer),
        }
        cards.push(card);
    }
    (cards, good, missing, bad_value)
}

/// Submits `cards` (in batches of the documented maximum) and polls until nothing is pending.
pub async fn publish(connector: &OzonConnector, cards: &[Card]) -> anyhow::Result<Vec<CardResult>> {
    let mut submissions = Vec::new();
    for batch in cards.chunks(connector.limits().cards_per_call) {
        submissions.push(connector.submit_cards(batch).await?);
    }
    let mut results = Vec::new();
    for submission in &submissions {
        results.extend(settle(connector, submission).await?);
    }
    Ok(results)
}

/// Polls a submission until nothing is pending.
pub async fn settle(
    connector: &OzonConnector,
    submission: &Submission,
) -> anyhow::Result<Vec<CardResult>> {
    for _ in 0..250 {
        let polled = connector.poll_cards(submission).await?;
        if polled.iter().all(|r| r.state != CardState::Pending) {
            return Ok(polled);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("still pending after 250 polls")
}

/// The result for `offer_id`.
pub fn result_of<'a>(results: &'a [CardResult], offer_id: &str) -> anyhow::Result<&'a CardState> {
    results
        .iter()
        .find(|r| r.offer_id == offer_id)
        .map(|r| &r.state)
        .with_context(|| format!("no result for {offer_id}"))
}

/// A POST straight to the sandbox, with the sandbox's credentials unless `auth` is false.
pub async fn raw_post(
    harness: &Harness,
    path: &str,
    body: &Value,
    auth: bool,
) -> anyhow::Result<(u16, Value)> {
    let client = reqwest::Client::new();
    let mut request = client.post(format!("{}{path}", harness.url())).json(body);
    if auth {
        let config = harness.sandbox.config();
        request = request
            .header("Client-Id", &config.client_id)
            .header("Api-Key", &config.api_key);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}
