//! Megamarket's sandbox as the journeys drive it.

use std::collections::BTreeMap;

use carpetti_marketplace::sandbox::Served;
use carpetti_megamarket::{EmitLot, MegamarketSandbox, SandboxConfig, seed};
use carpetti_proto::catalog::v1 as cat;
use rust_decimal::Decimal;

use crate::harness::ChannelSetup;
use crate::scenarios::Market;

pub struct Megamarket {
    pub sandbox: MegamarketSandbox,
    pub served: Served,
}

impl Megamarket {
    pub async fn start() -> anyhow::Result<Self> {
        let sandbox = MegamarketSandbox::new(
            SandboxConfig::default().with_processing_delay(std::time::Duration::ZERO),
        );
        let served = sandbox.serve("127.0.0.1:0".parse()?).await?;
        Ok(Self { sandbox, served })
    }
}

impl Market for Megamarket {
    fn setup(&self) -> ChannelSetup {
        let materials: BTreeMap<String, String> = [
            ("plastic", "пластик"),
            ("glass", "стекло"),
            ("metal", "металл"),
            ("wood", "дерево"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        ChannelSetup {
            code: "MM",
            kind: cat::ChannelKind::Megamarket,
            settings: serde_json::json!({
                "base_url": self.served.base_url(),
                "merchant_id": SandboxConfig::DEFAULT_MERCHANT_ID,
                "warehouses": ["1"],
            }),
            credentials: [("token".to_owned(), SandboxConfig::DEFAULT_TOKEN.to_owned())].into(),
            category: seed::KETTLES.to_string(),
            attributes: vec![
                ("power", seed::POWER.to_string(), BTreeMap::new()),
                ("volume", seed::VOLUME.to_string(), BTreeMap::new()),
                ("material", seed::BODY_MATERIAL.to_string(), materials),
            ],
        }
    }

    fn creations(&self, offer: &str) -> usize {
        self.sandbox.create_calls(offer) as usize
    }

    fn card_calls(&self) -> usize {
        self.sandbox
            .toolkit()
            .exchanges()
            .iter()
            .filter(|e| e.path.ends_with("/card/save"))
            .count()
    }

    fn price(&self, offer: &str) -> Option<Decimal> {
        self.sandbox.price(offer).map(Decimal::from)
    }

    fn stock(&self, offer: &str) -> Option<u32> {
        self.sandbox.stock(offer)
    }

    fn emit_order(&self, offer: &str, price: Decimal) -> String {
        self.sandbox.emit_order(&[EmitLot {
            offer_id: offer.to_owned(),
            quantity: 1,
            price,
        }])
    }
}
