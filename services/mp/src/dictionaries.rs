//! The marketplaces' category attributes, fetched once and cached (package_cache) per channel and
//! category, so that every card is checked before it is sent.

use std::sync::Arc;
use std::time::Duration;

use carpetti_cache::{CacheExt, DynCache};
use carpetti_marketplace::{CategoryAttributes, Connector};

use crate::MpServiceError;

/// Dictionaries change rarely; a day keeps the marketplaces' dictionary endpoints quiet.
pub const TTL: Duration = Duration::from_secs(24 * 3600);

/// Cached dictionaries of one channel.
#[derive(Clone)]
pub struct Dictionaries {
    cache: DynCache,
    channel: String,
    connector: Arc<dyn Connector>,
}

impl Dictionaries {
    pub fn new(cache: DynCache, channel: &str, connector: Arc<dyn Connector>) -> Self {
        Self {
            cache,
            channel: channel.to_owned(),
            connector,
        }
    }

    /// The attributes of a marketplace category (one fetch per category across concurrent
    /// callers and instances sharing the cache).
    pub async fn category(&self, category: &str) -> Result<CategoryAttributes, MpServiceError> {
        let key = format!("dictionary:{}:{}", self.channel, category);
        let connector = Arc::clone(&self.connector);
        let wanted = category.to_owned();
        self.cache
            .get_or_load_json(&key, TTL, move || async move {
                connector.category_attributes(&wanted).await
            })
            .await
            .map_err(|error| {
                let marketplace = match &error {
                    carpetti_cache::CacheError::Load { source, .. } => {
                        source.downcast_ref::<carpetti_marketplace::MpError>()
                    }
                    _ => None,
                };
                MpServiceError::Dictionary {
                    category: category.to_owned(),
                    reason: marketplace.map_or_else(|| error.to_string(), ToString::to_string),
                    transient: marketplace.is_none_or(|e| e.is_transient()),
                }
            })
    }
}
