//! What the account holds: `card/getAttributes`, paged by `searchAfter` in offerId order.

use carpetti_marketplace::{ListingIds, MpError, RemoteOffer};

use super::MegamarketConnector;
use super::wire::{CardFilter, CardPage, CardQuery, CardRead, Sorting};
use crate::api::{self, path};

pub(super) async fn list(c: &MegamarketConnector) -> Result<Vec<RemoteOffer>, MpError> {
    Ok(read(c, None)
        .await?
        .into_iter()
        .map(|card| RemoteOffer {
            ids: ListingIds {
                offer_id: card.offer_id,
                product_id: card.goods_id,
                sku: None,
            },
            status: card.status,
        })
        .collect())
}

/// Every card (or only `offers`), page after page.
pub(super) async fn read(
    c: &MegamarketConnector,
    offers: Option<&[String]>,
) -> Result<Vec<CardRead>, MpError> {
    const OP: &str = "card/getAttributes";
    let mut cards = Vec::new();
    let mut search_after: Option<String> = None;
    loop {
        let query = CardQuery {
            filter: CardFilter { offer_id: offers },
            sorting: Sorting::by_offer(),
            limit: api::PAGE_LIMIT,
            search_after: search_after.clone(),
        };
        let page: CardPage = c
            .content(OP, path::CARD_GET_ATTRIBUTES, &query)
            .await?
            .done(OP)?;
        let full = page.items.len() >= api::PAGE_LIMIT;
        let last = page.items.last().map(|card| card.offer_id.clone());
        cards.extend(page.items);
        // The cursor must move forward, or the paging would never end.
        let next = page.search_after.or(last).filter(|_| full);
        match next {
            Some(next) if search_after.as_deref() != Some(next.as_str()) => {
                search_after = Some(next);
            }
            _ => return Ok(cards),
        }
    }
}
