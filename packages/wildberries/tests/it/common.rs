//! Shared fixtures: a served sandbox with a connector pointed at it, a catalog of cards, and
//! polling until every card is settled.

use std::net::SocketAddr;
use std::time::Duration;

use carpetti_marketplace::sandbox::Served;
use carpetti_marketplace::{
    AttributeValue, Card, CardAttribute, CardResult, CardState, Connector, Dimensions, RetryPolicy,
    Submission,
};
use carpetti_wildberries::sandbox::seed::{
    BATH_MATS, CARPET_LENGTH, CARPET_WIDTH, CARPETS, COLOR, COMPOSITION, COUNTRY,
};
use carpetti_wildberries::{SandboxConfig, Settings, WildberriesConnector, WildberriesSandbox};
use rust_decimal::Decimal;

/// Fast quotas for tests that are not about them.
pub const FAST: f64 = 1000.0;

pub struct Setup {
    pub sandbox: WildberriesSandbox,
    pub served: Served,
    pub connector: WildberriesConnector,
}

impl Setup {
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Self> {
        let pace = config.pace;
        let sandbox = WildberriesSandbox::new(config);
        let served = sandbox.serve(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let connector = connect(&served, &sandbox.config().token, pace)?;
        Ok(Self {
            sandbox,
            served,
            connector,
        })
    }

    /// Fast quotas, no processing delay.
    pub async fn fast() -> anyhow::Result<Self> {
        Self::start(SandboxConfig::paced(FAST).with_processing_delay(Duration::ZERO)).await
    }

    /// A second connector to the same account (a restarted service: nothing in memory).
    pub fn another_connector(&self) -> anyhow::Result<WildberriesConnector> {
        connect(
            &self.served,
            &self.sandbox.config().token,
            self.sandbox.config().pace,
        )
    }
}

pub fn connect(served: &Served, token: &str, pace: f64) -> anyhow::Result<WildberriesConnector> {
    let settings = Settings::for_base_url(&served.base_url(), token);
    Ok(WildberriesConnector::new(
        settings,
        RetryPolicy::quick(),
        pace,
    )?)
}

fn attr(id: i64, values: &[&str]) -> CardAttribute {
    CardAttribute {
        id: id.to_string(),
        values: values.iter().map(|v| AttributeValue::text(*v)).collect(),
    }
}

/// A carpet that WB accepts.
pub fn carpet(n: usize) -> Card {
    Card {
        offer_id: format!("CARPET-{n:03}"),
        name: format!("Ковёр Вилла {n} 140×200"),
        vendor: Some("Carpetti".to_owned()),
        vendor_code: Some(format!("V-{n}")),
        description: Some("Мягкий ковёр с коротким ворсом".to_owned()),
        barcodes: if n.is_multiple_of(4) {
            Vec::new()
        } else {
            vec![format!("46000000{n:05}")]
        },
        pictures: vec![format!("https://img.example/{n}.jpg")],
        price: Decimal::new(4_990, 0) + Decimal::from(n as i64),
        old_price: Some(Decimal::new(6_990, 0)),
        vat: Some(Decimal::new(2, 1)),
        dimensions: Some(Dimensions {
            length_mm: 1_400,
            width_mm: 250,
            height_mm: 251,
            weight_g: 3_242,
        }),
        category: CARPETS.to_string(),
        attributes: vec![
            attr(COLOR, &["серый"]),
            attr(COMPOSITION, &["полипропилен"]),
            attr(CARPET_LENGTH, &["200"]),
            attr(CARPET_WIDTH, &["140"]),
            attr(COUNTRY, &["Турция"]),
        ],
        group_id: (n < 2).then(|| "villa".to_owned()),
    }
}

/// A bath mat that WB accepts.
pub fn bath_mat(n: usize) -> Card {
    Card {
        offer_id: format!("MAT-{n:03}"),
        name: format!("Коврик для ванной {n}"),
        category: BATH_MATS.to_string(),
        barcodes: vec![format!("46100000{n:05}")],
        attributes: vec![attr(COLOR, &["белый"])],
        old_price: None,
        vat: None,
        ..carpet(n)
    }
}

pub const UNKNOWN_SUBJECT: &str = "999999";

/// The catalog: 20 cards, five of them bad in different ways.
pub struct Catalog {
    pub cards: Vec<Card>,
    /// offer id → the characteristic WB will name
    pub rejected_by_wb: Vec<(String, String)>,
    /// offer ids refused before sending
    pub refused_locally: Vec<String>,
}

impl Catalog {
    /// The cards without the one of an unknown subject (WB refuses a whole upload for it).
    pub fn known_subjects(&self) -> Vec<Card> {
        self.cards
            .iter()
            .filter(|c| c.category != UNKNOWN_SUBJECT)
            .cloned()
            .collect()
    }

    pub fn good(&self) -> Vec<&Card> {
        self.cards
            .iter()
            .filter(|c| {
                !self.rejected_by_wb.iter().any(|(o, _)| *o == c.offer_id)
                    && !self.refused_locally.contains(&c.offer_id)
            })
            .collect()
    }
}

pub fn catalog() -> Catalog {
    let mut cards: Vec<Card> = (0..16).map(carpet).collect();
    cards.extend((0..4).map(bath_mat));
    // Required «Состав» missing.
    cards[5]
        .attributes
        .retain(|a| a.id != COMPOSITION.to_string());
    // A colour WB's directory does not list.
    cards[9].attributes[0] = attr(COLOR, &["фуксия неон"]);
    // «Длина ковра» is a number.
    cards[13].attributes[2] = attr(CARPET_LENGTH, &["двести"]);
    // Longer than WB's 60 characters.
    cards[7].name = "Ковёр ".repeat(12);
    // A subject WB does not have.
    cards[18].category = UNKNOWN_SUBJECT.to_owned();
    Catalog {
        rejected_by_wb: vec![
            (cards[5].offer_id.clone(), COMPOSITION.to_string()),
            (cards[9].offer_id.clone(), COLOR.to_string()),
            (cards[13].offer_id.clone(), CARPET_LENGTH.to_string()),
        ],
        refused_locally: vec![cards[7].offer_id.clone(), cards[18].offer_id.clone()],
        cards,
    }
}

/// Polls until no card is pending (at most 5 s).
pub async fn settle(
    connector: &WildberriesConnector,
    submission: &Submission,
) -> anyhow::Result<Vec<CardResult>> {
    for _ in 0..200 {
        let results = connector.poll_cards(submission).await?;
        if results.iter().all(|r| r.state != CardState::Pending) {
            return Ok(results);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    anyhow::bail!("cards still pending after 5 s")
}

/// Submits and settles cards in batches of the documented maximum.
pub async fn publish(
    connector: &WildberriesConnector,
    cards: &[Card],
) -> anyhow::Result<Vec<CardResult>> {
    let mut results = Vec::new();
    for chunk in cards.chunks(connector.limits().cards_per_call) {
        let submission = connector.submit_cards(chunk).await?;
        results.extend(settle(connector, &submission).await?);
    }
    Ok(results)
}

pub fn state_of<'r>(results: &'r [CardResult], offer: &str) -> &'r CardState {
    results
        .iter()
        .find(|r| r.offer_id == offer)
        .map(|r| &r.state)
        .unwrap_or(&CardState::Pending)
}
