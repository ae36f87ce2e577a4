//! Wildberries' sandbox as the journeys drive it: our kettles go to its bath-mat subject (the
//! mapping is the test's, the dictionary WB's): our material option onto the required colour.

use std::collections::BTreeMap;

use carpetti_marketplace::sandbox::Served;
use carpetti_proto::catalog::v1 as cat;
use carpetti_wildberries::sandbox::seed;
use carpetti_wildberries::sandbox::{EmitOrder, SandboxConfig, WildberriesSandbox};
use rust_decimal::Decimal;

use crate::harness::ChannelSetup;
use crate::scenarios::Market;

pub struct Wildberries {
    pub sandbox: WildberriesSandbox,
    pub served: Served,
    token: String,
}

impl Wildberries {
    pub async fn start() -> anyhow::Result<Self> {
        let config = SandboxConfig {
            processing_delay: std::time::Duration::ZERO,
            ..SandboxConfig::default()
        };
        let token = config.token.clone();
        let sandbox = WildberriesSandbox::new(config);
        let served = sandbox.serve("127.0.0.1:0".parse()?).await?;
        Ok(Self {
            sandbox,
            served,
            token,
        })
    }

    fn chrt(&self, offer: &str) -> Option<i64> {
        self.sandbox
            .card(offer)
            .and_then(|c| c.sizes.first().map(|s| s.chrt_id))
    }
}

impl Market for Wildberries {
    fn setup(&self) -> ChannelSetup {
        let colours: BTreeMap<String, String> = [
            ("plastic", "белый"),
            ("glass", "черный"),
            ("metal", "серый"),
            ("wood", "деревянный"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        ChannelSetup {
            code: "WB",
            kind: cat::ChannelKind::Wildberries,
            settings: serde_json::json!({
                "base_url": self.served.base_url(),
                "warehouses": [seed::WAREHOUSE.to_string()],
            }),
            credentials: [("token".to_owned(), self.token.clone())].into(),
            category: seed::BATH_MATS.to_string(),
            attributes: vec![("material", seed::COLOR.to_string(), colours)],
        }
    }

    fn creations(&self, offer: &str) -> usize {
        self.sandbox.upload_calls(offer) as usize
    }

    fn card_calls(&self) -> usize {
        self.sandbox
            .toolkit()
            .exchanges()
            .iter()
            .filter(|e| {
                e.path == "/content/v2/cards/upload" || e.path == "/content/v2/cards/update"
            })
            .count()
    }

    fn price(&self, offer: &str) -> Option<Decimal> {
        let nm = self.sandbox.card(offer)?.nm_id;
        let price = self.sandbox.price(nm)?;
        Some(Decimal::from(price.price) * Decimal::from(100 - price.discount) / Decimal::from(100))
    }

    fn stock(&self, offer: &str) -> Option<u32> {
        self.sandbox.stock(seed::WAREHOUSE, self.chrt(offer)?)
    }

    fn emit_order(&self, offer: &str, price: Decimal) -> String {
        self.sandbox
            .emit_order(&EmitOrder {
                offer_id: offer.to_owned(),
                quantity: 1,
                price,
            })
            .ok()
            .and_then(|ids| ids.first().map(ToString::to_string))
            .unwrap_or_default()
    }
}
