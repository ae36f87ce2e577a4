//! The four sandboxes the benchmark publishes to, each with the mapping of the bench catalog
//! (kettles: power, volume, material) onto one of its leaf categories.

use std::collections::BTreeMap;

use carpetti_marketplace::sandbox::{Served, Toolkit};
use carpetti_proto::catalog::v1 as cat;
use clap::ValueEnum;

/// A marketplace of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Marketplace {
    Ozon,
    Wildberries,
    YandexMarket,
    Megamarket,
}

/// A served sandbox and what a channel needs to reach it.
pub struct Sandbox {
    pub served: Served,
    pub toolkit: Toolkit,
    pub kind: cat::ChannelKind,
    pub settings: serde_json::Value,
    pub credentials: BTreeMap<String, String>,
    pub category: String,
    /// (our attribute, theirs, our option → their value)
    pub attributes: Vec<(&'static str, String, BTreeMap<String, String>)>,
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

impl Marketplace {
    /// The fewest calls under the card quota that a publication of `published` cards handed
    /// over in `submissions` calls must make to end with every card's ids. Ozon counts its 50
    /// requests/s across all methods per Client-Id (NOTES.md §1), so its floor also holds one
    /// `/v1/product/import/info` per import task and one `/v3/product/info/list` per thousand
    /// products (the skus). The others read their outcomes back under quotas of their own
    /// (WB, Yandex Market) or are counted by card calls alone (Megamarket, whose read-backs
    /// share its 5 requests/s: a floor lower than the true one, so a ratio harsher on us).
    pub fn publish_min_calls(self, submissions: usize, published: usize) -> usize {
        match self {
            Marketplace::Ozon => 2 * submissions + published.div_ceil(1000),
            Marketplace::Wildberries | Marketplace::YandexMarket | Marketplace::Megamarket => {
                submissions
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Marketplace::Ozon => "ozon",
            Marketplace::Wildberries => "wildberries",
            Marketplace::YandexMarket => "yandex_market",
            Marketplace::Megamarket => "megamarket",
        }
    }

    /// Serves the sandbox with every quota `pace` times faster, processing at once, exchanges
    /// not logged (the log would grow with every call).
    pub async fn start(self, pace: f64) -> anyhow::Result<Sandbox> {
        let any = "127.0.0.1:0".parse()?;
        let sandbox = match self {
            Marketplace::Ozon => {
                use carpetti_ozon::sandbox::seed;
                let sandbox = carpetti_ozon::OzonSandbox::new(
                    carpetti_ozon::SandboxConfig::paced(pace).immediate(),
                );
                let served = sandbox.serve(any).await?;
                Sandbox {
                    settings: serde_json::json!({
                        "base_url": served.base_url(),
                        "warehouses": [seed::WAREHOUSE_MAIN.to_string()],
                        "field_attributes": {"vendor": "85", "vendor_code": "9048"},
                    }),
                    served,
                    toolkit: sandbox.toolkit().clone(),
                    kind: cat::ChannelKind::Ozon,
                    credentials: values(&[
                        ("client_id", carpetti_ozon::DEFAULT_CLIENT_ID),
                        ("api_key", carpetti_ozon::DEFAULT_API_KEY),
                    ]),
                    category: seed::FLOOR_LAMP.to_owned(),
                    attributes: vec![
                        ("power", seed::ATTR_POWER.to_string(), BTreeMap::new()),
                        (
                            "material",
                            seed::ATTR_SOCKET.to_string(),
                            values(&[("plastic", "E27"), ("glass", "E14"), ("metal", "GU10")]),
                        ),
                    ],
                }
            }
            Marketplace::Wildberries => {
                use carpetti_wildberries::sandbox::seed;
                let config = carpetti_wildberries::SandboxConfig {
                    processing_delay: std::time::Duration::ZERO,
                    ..carpetti_wildberries::SandboxConfig::paced(pace)
                };
                let token = config.token.clone();
                let sandbox = carpetti_wildberries::WildberriesSandbox::new(config);
                let served = sandbox.serve(any).await?;
                Sandbox {
                    settings: serde_json::json!({
                        "base_url": served.base_url(),
                        "warehouses": [seed::WAREHOUSE.to_string()],
                    }),
                    served,
                    toolkit: sandbox.toolkit().clone(),
                    kind: cat::ChannelKind::Wildberries,
                    credentials: [("token".to_owned(), token)].into(),
                    category: seed::BATH_MATS.to_string(),
                    attributes: vec![(
                        "material",
                        seed::COLOR.to_string(),
                        values(&[
                            ("plastic", "белый"),
                            ("glass", "черный"),
                            ("metal", "серый"),
                        ]),
                    )],
                }
            }
            Marketplace::YandexMarket => {
                use carpetti_yandex_market::sandbox::seed;
                let config = carpetti_yandex_market::SandboxConfig {
                    processing_delay: std::time::Duration::ZERO,
                    ..carpetti_yandex_market::SandboxConfig::paced(pace)
                };
                let sandbox = carpetti_yandex_market::YandexMarketSandbox::new(config.clone());
                let served = sandbox.serve(any).await?;
                Sandbox {
                    settings: config.channel_settings(&served.base_url()),
                    served,
                    toolkit: sandbox.toolkit(),
                    kind: cat::ChannelKind::YandexMarket,
                    credentials: [("api_key".to_owned(), config.api_key.clone())].into(),
                    category: seed::HEADPHONES.to_string(),
                    attributes: vec![(
                        "material",
                        seed::CONNECTION.to_string(),
                        values(&[
                            ("plastic", "проводные"),
                            ("glass", "беспроводные"),
                            ("metal", "проводные"),
                        ]),
                    )],
                }
            }
            Marketplace::Megamarket => {
                use carpetti_megamarket::seed;
                let config = carpetti_megamarket::SandboxConfig::paced(pace)
                    .with_processing_delay(std::time::Duration::ZERO);
                let sandbox = carpetti_megamarket::MegamarketSandbox::new(config.clone());
                let served = sandbox.serve(any).await?;
                Sandbox {
                    settings: serde_json::json!({
                        "base_url": served.base_url(),
                        "merchant_id": config.merchant_id,
                        "warehouses": ["1"],
                    }),
                    served,
                    toolkit: sandbox.toolkit().clone(),
                    kind: cat::ChannelKind::Megamarket,
                    credentials: [("token".to_owned(), config.token.clone())].into(),
                    category: seed::KETTLES.to_string(),
                    attributes: vec![
                        ("power", seed::POWER.to_string(), BTreeMap::new()),
                        ("volume", seed::VOLUME.to_string(), BTreeMap::new()),
                        (
                            "material",
                            seed::BODY_MATERIAL.to_string(),
                            values(&[
                                ("plastic", "пластик"),
                                ("glass", "стекло"),
                                ("metal", "металл"),
                            ]),
                        ),
                    ],
                }
            }
        };
        sandbox.toolkit.set_recording(false);
        Ok(sandbox)
    }
}
