//! The connector of a channel's marketplace, built from the channel's settings and credentials.

use std::sync::Arc;

use carpetti_marketplace::{Connector, Credentials, Marketplace, MpError, RetryPolicy};

/// How connectors call: retries and pacing (pace > 1 compresses every documented quota, for
/// benchmarks against sandboxes paced the same way).
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub policy: RetryPolicy,
    pub pace: f64,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            policy: RetryPolicy::default(),
            pace: 1.0,
        }
    }
}

/// The connector of `marketplace` for one account.
pub fn connect(
    marketplace: Marketplace,
    settings: &serde_json::Value,
    credentials: &Credentials,
    options: &ConnectOptions,
) -> Result<Arc<dyn Connector>, MpError> {
    let policy = options.policy.clone();
    let pace = options.pace;
    Ok(match marketplace {
        Marketplace::Ozon => Arc::new(carpetti_ozon::OzonConnector::new(
            carpetti_ozon::Settings::from_channel(settings, credentials)?,
            policy,
            pace,
        )?),
        Marketplace::Wildberries => Arc::new(carpetti_wildberries::WildberriesConnector::new(
            carpetti_wildberries::Settings::from_channel(settings, credentials)?,
            policy,
            pace,
        )?),
        Marketplace::YandexMarket => Arc::new(carpetti_yandex_market::YandexMarketConnector::new(
            carpetti_yandex_market::Settings::from_channel(settings, credentials)?,
            policy,
            pace,
        )?),
        Marketplace::Megamarket => Arc::new(carpetti_megamarket::MegamarketConnector::new(
            carpetti_megamarket::Settings::from_channel(settings, credentials)?,
            policy,
            pace,
        )?),
    })
}
