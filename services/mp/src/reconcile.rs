//! Reconciliation: what the marketplace holds against our listings — products there and not
//! here, and published here and not there — and the external ids a listing was missing.

use std::collections::HashMap;

use carpetti_marketplace::RemoteOffer;
use carpetti_proto::catalog::v1 as cat;
use carpetti_repo::PersistClient;
use serde::Serialize;

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::listings::{all_listings, now};

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReconcileReport {
    pub channel: String,
    /// Offers the marketplace holds.
    pub remote: usize,
    /// Listings of ours found there.
    pub matched: usize,
    /// Offers there with no listing here.
    pub only_there: Vec<RemoteOffer>,
    /// SKUs published here that the marketplace does not hold.
    pub only_here: Vec<String>,
    /// Listings whose missing external ids were filled from the marketplace.
    pub ids_filled: usize,
}

pub async fn reconcile(
    persist: &PersistClient,
    ctx: &ChannelContext,
) -> Result<ReconcileReport, MpServiceError> {
    let remote = ctx.connector.list_offers().await?;
    let listings = all_listings(persist, &ctx.channel_id).await?;
    let mut by_offer: HashMap<String, cat::Listing> = listings
        .into_iter()
        .map(|l| {
            (
                l.external_offer_id.clone().unwrap_or_else(|| l.sku.clone()),
                l,
            )
        })
        .collect();
    let mut report = ReconcileReport {
        channel: ctx.code().to_owned(),
        remote: remote.len(),
        ..ReconcileReport::default()
    };
    for offer in remote {
        let Some(mut listing) = by_offer.remove(&offer.ids.offer_id) else {
            report.only_there.push(offer);
            continue;
        };
        report.matched += 1;
        let missing_product =
            listing.external_product_id.is_none() && offer.ids.product_id.is_some();
        let missing_sku = listing.external_sku.is_none() && offer.ids.sku.is_some();
        if missing_product || missing_sku {
            if missing_product {
                listing.external_product_id = offer.ids.product_id.clone();
            }
            if missing_sku {
                listing.external_sku = offer.ids.sku.clone();
            }
            listing.synced_at = Some(now());
            if let Some(meta) = listing.meta.as_mut() {
                meta.change_seq = 0;
            }
            persist.channels().update_listing(listing).await?;
            report.ids_filled += 1;
        }
    }
    report.only_here = by_offer
        .into_values()
        .filter(|l| l.status() == cat::ListingStatus::Published)
        .map(|l| l.sku)
        .collect();
    report.only_here.sort();
    Ok(report)
}
