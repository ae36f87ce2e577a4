//! Ozon's sandbox as the journeys drive it: our kettles go to its floor-lamp type (the mapping is
//! the test's, the dictionary Ozon's): brand from `vendor`, model from `vendor_code`, our
//! material option onto the required socket dictionary.

use std::collections::BTreeMap;

use carpetti_marketplace::sandbox::Served;
use carpetti_ozon::sandbox::seed;
use carpetti_ozon::{DEFAULT_API_KEY, DEFAULT_CLIENT_ID, EmittedLine, OzonSandbox, SandboxConfig};
use carpetti_proto::catalog::v1 as cat;
use rust_decimal::Decimal;

use crate::harness::ChannelSetup;
use crate::scenarios::Market;

pub struct Ozon {
    pub sandbox: OzonSandbox,
    pub served: Served,
}

impl Ozon {
    pub async fn start() -> anyhow::Result<Self> {
        let sandbox = OzonSandbox::new(SandboxConfig::default().immediate());
        let served = sandbox.serve("127.0.0.1:0".parse()?).await?;
        Ok(Self { sandbox, served })
    }
}

impl Market for Ozon {
    fn setup(&self) -> ChannelSetup {
        let sockets: BTreeMap<String, String> = [
            ("plastic", "E27"),
            ("glass", "E14"),
            ("metal", "GU10"),
            ("wood", "дерево"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        ChannelSetup {
            code: "OZON",
            kind: cat::ChannelKind::Ozon,
            settings: serde_json::json!({
                "base_url": self.served.base_url(),
                "warehouses": [seed::WAREHOUSE_MAIN.to_string()],
                "field_attributes": {
                    "vendor": seed::ATTR_BRAND.to_string(),
                    "vendor_code": seed::ATTR_MODEL.to_string(),
                },
            }),
            credentials: [
                ("client_id".to_owned(), DEFAULT_CLIENT_ID.to_owned()),
                ("api_key".to_owned(), DEFAULT_API_KEY.to_owned()),
            ]
            .into(),
            category: seed::FLOOR_LAMP.to_owned(),
            attributes: vec![
                ("power", seed::ATTR_POWER.to_string(), BTreeMap::new()),
                ("material", seed::ATTR_SOCKET.to_string(), sockets),
            ],
        }
    }

    fn creations(&self, offer: &str) -> usize {
        self.sandbox.created_count(offer) as usize
    }

    fn card_calls(&self) -> usize {
        self.sandbox
            .toolkit()
            .exchanges()
            .iter()
            .filter(|e| e.path == "/v3/product/import")
            .count()
    }

    fn price(&self, offer: &str) -> Option<Decimal> {
        self.sandbox.product(offer).map(|p| p.price)
    }

    fn stock(&self, offer: &str) -> Option<u32> {
        self.sandbox.stock(offer, seed::WAREHOUSE_MAIN)
    }

    fn emit_order(&self, offer: &str, price: Decimal) -> String {
        self.sandbox
            .emit_order(&[EmittedLine {
                offer_id: offer.to_owned(),
                quantity: 1,
                price,
            }])
            .unwrap_or_default()
    }
}
