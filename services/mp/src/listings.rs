//! Reading and annotating the channel's listings (the seed's deferred link entity).

use std::collections::HashMap;

use carpetti_marketplace::{ListingIds, Problem};
use carpetti_proto::catalog::v1 as cat;
use carpetti_repo::PersistClient;

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::pages::{all_pages, channel_query};

/// Every listing of the channel.
pub async fn all_listings(
    persist: &PersistClient,
    channel_id: &str,
) -> Result<Vec<cat::Listing>, MpServiceError> {
    Ok(all_pages(|cursor| {
        let mut client = persist.channels();
        let query = channel_query(channel_id, cursor);
        async move {
            let page = client.list_listings(query).await?.into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await?)
}

/// The channel's published listings, by product id.
pub async fn published_listings(
    persist: &PersistClient,
    ctx: &ChannelContext,
) -> Result<HashMap<String, cat::Listing>, MpServiceError> {
    Ok(all_listings(persist, &ctx.channel_id)
        .await?
        .into_iter()
        .filter(|l| l.status() == cat::ListingStatus::Published)
        .map(|l| (l.product_id.clone(), l))
        .collect())
}

/// The marketplace's ids of a listing.
pub fn ids_of(listing: &cat::Listing) -> ListingIds {
    ListingIds {
        offer_id: listing
            .external_offer_id
            .clone()
            .unwrap_or_else(|| listing.sku.clone()),
        product_id: listing.external_product_id.clone(),
        sku: listing.external_sku.clone(),
    }
}

/// The listing's errors as problems.
pub fn problems_of(listing: &cat::Listing) -> Vec<Problem> {
    listing
        .errors
        .iter()
        .map(|e| Problem {
            code: e.code.clone(),
            message: e.message.clone(),
            attribute: e.attribute.clone().filter(|a| !a.is_empty()),
        })
        .collect()
}

pub fn item_error(problem: &Problem) -> cat::ItemError {
    cat::ItemError {
        code: problem.code.clone(),
        message: problem.message.clone(),
        attribute: problem.attribute.clone(),
    }
}

/// Saves problems of a price or stock update on the listing (replacing earlier ones of the same
/// kind), so they are not lost in a log.
pub async fn save_problems(
    persist: &PersistClient,
    listing: &cat::Listing,
    kind: &str,
    problems: &[Problem],
) -> Result<(), MpServiceError> {
    let prefix = format!("{kind}:");
    let mut listing = listing.clone();
    listing.errors.retain(|e| !e.code.starts_with(&prefix));
    listing
        .errors
        .extend(problems.iter().map(|p| cat::ItemError {
            code: format!("{prefix}{}", p.code),
            message: p.message.clone(),
            attribute: p.attribute.clone(),
        }));
    listing.synced_at = Some(now());
    if let Some(meta) = listing.meta.as_mut() {
        meta.change_seq = 0;
    }
    persist.channels().update_listing(listing).await?;
    Ok(())
}

pub fn now() -> prost_types::Timestamp {
    timestamp(chrono::Utc::now())
}

/// An instant as a protobuf timestamp.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    }
}
