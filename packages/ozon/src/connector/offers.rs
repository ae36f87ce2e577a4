//! Everything the account holds: `/v3/product/list` pages (`last_id` cursor, 1000 a page) give
//! product ids and offer ids; `/v3/product/info/list` (1000 ids a call) adds sku and status.

use std::collections::HashMap;

use carpetti_marketplace::{ListingIds, MpError, RemoteOffer};

use super::{INFO_IDS_PER_CALL, OzonConnector, op, wire};

const PAGE: i64 = 1000;

impl OzonConnector {
    pub(crate) async fn all_offers(&self) -> Result<Vec<RemoteOffer>, MpError> {
        let mut listed = Vec::new();
        let mut last_id = String::new();
        loop {
            let page: wire::ProductListResponse = self
                .post(
                    op::PRODUCT_LIST,
                    &wire::ProductListRequest {
                        filter: wire::ProductListFilter { visibility: "ALL" },
                        last_id: last_id.clone(),
                        limit: PAGE,
                    },
                )
                .await?;
            let count = page.result.items.len();
            listed.extend(page.result.items);
            let next = page.result.last_id;
            if count < PAGE as usize || next.is_empty() || next == last_id {
                break;
            }
            last_id = next;
        }
        let mut details: HashMap<i64, wire::InfoItem> = HashMap::with_capacity(listed.len());
        for chunk in listed.chunks(INFO_IDS_PER_CALL) {
            let request = wire::InfoListRequest {
                product_id: chunk.iter().map(|p| p.product_id.to_string()).collect(),
                ..wire::InfoListRequest::default()
            };
            let info: wire::InfoListResponse = self.post(op::INFO_LIST, &request).await?;
            details.extend(info.items.into_iter().map(|item| (item.id, item)));
        }
        Ok(listed
            .into_iter()
            .map(|item| {
                let detail = details.get(&item.product_id);
                let status = if item.archived || detail.is_some_and(|d| d.is_archived) {
                    Some("archived".to_owned())
                } else {
                    detail.and_then(|d| status_words(&d.statuses))
                };
                RemoteOffer {
                    ids: ListingIds {
                        offer_id: item.offer_id,
                        product_id: Some(item.product_id.to_string()),
                        sku: detail.filter(|d| d.sku > 0).map(|d| d.sku.to_string()),
                    },
                    status,
                }
            })
            .collect())
    }
}

/// `price_sent` or `price_sent/approved`: the card status and its moderation.
fn status_words(statuses: &wire::InfoStatuses) -> Option<String> {
    match (
        statuses.status.is_empty(),
        statuses.moderate_status.is_empty(),
    ) {
        (true, true) => None,
        (false, true) => Some(statuses.status.clone()),
        (true, false) => Some(statuses.moderate_status.clone()),
        (false, false) => Some(format!("{}/{}", statuses.status, statuses.moderate_status)),
    }
}
