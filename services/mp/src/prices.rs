//! Prices of published listings to the marketplace, in calls of its maximum; per-item refusals
//! are saved on the listing.

use std::collections::HashMap;
use std::str::FromStr;

use carpetti_marketplace::{PriceUpdate, Problem};
use carpetti_proto::catalog::v1 as cat;
use carpetti_repo::PersistClient;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::listings::{ids_of, published_listings, save_problems};

/// What a price push did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PriceReport {
    pub channel: String,
    pub sent: usize,
    pub calls: usize,
    pub applied: usize,
    /// Items the marketplace refused, with why.
    pub refused: Vec<(String, Vec<Problem>)>,
    /// Products with no published listing on the channel (nothing to price yet).
    pub not_published: usize,
}

/// Sends the current price of every product given that is published on the channel.
pub async fn push_prices(
    persist: &PersistClient,
    ctx: &ChannelContext,
    products: &[cat::Product],
) -> Result<PriceReport, MpServiceError> {
    let listings = published_listings(persist, ctx).await?;
    let mut report = PriceReport {
        channel: ctx.code().to_owned(),
        ..PriceReport::default()
    };
    let mut updates = Vec::new();
    let mut listing_of = HashMap::new();
    for product in products {
        let id = product
            .meta
            .as_ref()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let Some(listing) = listings.get(&id) else {
            report.not_published += 1;
            continue;
        };
        let price = Decimal::from_str(product.price.trim()).unwrap_or_default();
        if price <= Decimal::ZERO {
            continue;
        }
        let old_price = product
            .old_price
            .as_deref()
            .and_then(|p| Decimal::from_str(p.trim()).ok())
            .filter(|old| *old > price);
        let ids = ids_of(listing);
        listing_of.insert(ids.offer_id.clone(), listing.clone());
        updates.push(PriceUpdate {
            ids,
            price,
            old_price,
        });
    }
    let per_call = ctx.connector.limits().prices_per_call.max(1);
    for batch in updates.chunks(per_call) {
        let outcomes = ctx.connector.update_prices(batch).await?;
        report.calls += 1;
        report.sent += batch.len();
        for outcome in outcomes {
            if outcome.is_applied() {
                report.applied += 1;
            } else {
                if let Some(listing) = listing_of.get(&outcome.offer_id) {
                    save_problems(persist, listing, "price", &outcome.problems).await?;
                }
                report.refused.push((outcome.offer_id, outcome.problems));
            }
        }
    }
    Ok(report)
}
