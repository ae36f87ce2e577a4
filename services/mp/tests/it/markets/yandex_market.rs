//! Yandex Market's sandbox as the journeys drive it: our kettles go to its headphones category
//! (the mapping is the test's, the dictionary the Market's): our material option onto the required
//! connection-type dictionary.

use std::collections::BTreeMap;

use carpetti_marketplace::sandbox::Served;
use carpetti_proto::catalog::v1 as cat;
use carpetti_yandex_market::sandbox::seed;
use carpetti_yandex_market::{OrderLine, SandboxConfig, YandexMarketSandbox};
use rust_decimal::Decimal;

use crate::harness::ChannelSetup;
use crate::scenarios::Market;

pub struct YandexMarket {
    pub sandbox: YandexMarketSandbox,
    pub served: Served,
    config: SandboxConfig,
}

impl YandexMarket {
    pub async fn start() -> anyhow::Result<Self> {
        let config = SandboxConfig {
            processing_delay: std::time::Duration::ZERO,
            ..SandboxConfig::default()
        };
        let sandbox = YandexMarketSandbox::new(config.clone());
        let served = sandbox.serve("127.0.0.1:0".parse()?).await?;
        Ok(Self {
            sandbox,
            served,
            config,
        })
    }
}

impl Market for YandexMarket {
    fn setup(&self) -> ChannelSetup {
        let connections: BTreeMap<String, String> = [
            ("plastic", "проводные"),
            ("glass", "беспроводные"),
            ("metal", "проводные"),
            ("wood", "деревянные"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        ChannelSetup {
            code: "YM",
            kind: cat::ChannelKind::YandexMarket,
            settings: self.config.channel_settings(&self.served.base_url()),
            credentials: [("api_key".to_owned(), self.config.api_key.clone())].into(),
            category: seed::HEADPHONES.to_string(),
            attributes: vec![("material", seed::CONNECTION.to_string(), connections)],
        }
    }

    fn creations(&self, offer: &str) -> usize {
        // The Market has no "create": an offer exists once, updates count on it.
        usize::from(
            self.sandbox
                .offer(offer)
                .is_some_and(|o| o.market_sku.is_some()),
        )
    }

    fn card_calls(&self) -> usize {
        self.sandbox
            .toolkit()
            .exchanges()
            .iter()
            .filter(|e| e.path.ends_with("/offer-mappings/update"))
            .count()
    }

    fn price(&self, offer: &str) -> Option<Decimal> {
        self.sandbox.price(offer).map(|p| p.value)
    }

    fn stock(&self, offer: &str) -> Option<u32> {
        self.sandbox
            .stock(offer, &self.config.campaign_id.to_string())
            .and_then(|s| u32::try_from(s).ok())
    }

    fn emit_order(&self, offer: &str, price: Decimal) -> String {
        self.sandbox
            .emit_order(&[OrderLine {
                offer_id: offer.to_owned(),
                quantity: 1,
                price,
            }])
            .to_string()
    }
}
