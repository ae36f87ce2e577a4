//! The whole catalog: `POST offer-mappings` without a filter, page by page.

use carpetti_marketplace::{ListingIds, MpError, RemoteOffer};

use super::YandexMarketConnector;
use crate::wire::offers::OfferMappingsRequest;

impl YandexMarketConnector {
    pub(super) async fn catalog(&self) -> Result<Vec<RemoteOffer>, MpError> {
        let entries = self.mappings(&OfferMappingsRequest::default()).await?;
        Ok(entries
            .into_iter()
            .map(|entry| RemoteOffer {
                ids: ListingIds {
                    offer_id: entry.offer.offer_id,
                    product_id: None,
                    sku: entry
                        .mapping
                        .and_then(|m| m.market_sku)
                        .map(|sku| sku.to_string()),
                },
                status: entry.offer.card_status,
            })
            .collect())
    }
}
