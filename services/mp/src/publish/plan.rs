//! Which products are sent: each becomes the channel's card, checked against the marketplace's
//! dictionary; what cannot be sent is settled here with its reasons, what is already published
//! with the same content is unchanged.

use carpetti_marketplace::{Card, Problem};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use futures::StreamExt;

use super::store::ChannelRows;
use super::{ItemReport, Outcome, Progress, Selection};
use crate::MpServiceError;
use crate::cards::{card_of, content_hash};
use crate::channel::ChannelContext;
use crate::dictionaries::Dictionaries;
use crate::listings::{ids_of, item_error, now, problems_of};

/// A card to send.
pub struct Prepared {
    pub product_id: String,
    pub sku: String,
    pub card: Card,
    pub hash: String,
    /// Whether the marketplace already holds the product (an update, not a creation).
    pub was_published: bool,
}

pub struct Plan {
    pub settled: Vec<ItemReport>,
    pub to_send: Vec<Prepared>,
}

pub async fn plan(
    persist: &PersistClient,
    ctx: &ChannelContext,
    rows: &ChannelRows,
    dictionaries: &Dictionaries,
    selection: &Selection,
    progress: &dyn Progress,
) -> Result<Plan, MpServiceError> {
    let (products, mut settled) = load_products(persist, selection).await?;
    progress.phase("checking", products.len() as u64);
    let mut to_send = Vec::new();
    let mut refusals = Vec::new();
    for product in products {
        progress.advance(1);
        let product_id = product
            .meta
            .as_ref()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let listing = rows.listing(&product_id);
        let mut card = match card_of(&product, ctx) {
            Ok(card) => card,
            Err(problems) => {
                refusals.push((product_id, product.sku, problems));
                continue;
            }
        };
        let attributes = match dictionaries.category(&card.category).await {
            Ok(attributes) => attributes,
            Err(MpServiceError::Dictionary {
                reason,
                transient: false,
                ..
            }) => {
                let problem = Problem::new(
                    "unknown_category",
                    format!("{} category {}: {reason}", ctx.marketplace, card.category),
                );
                refusals.push((product_id, product.sku, vec![problem]));
                continue;
            }
            Err(error) => return Err(error),
        };
        attributes.resolve(&mut card);
        let problems = attributes.check(&card);
        if !problems.is_empty() {
            refusals.push((product_id, product.sku, problems));
            continue;
        }
        let hash = content_hash(&card);
        let published = listing.as_ref().is_some_and(|l| {
            l.status() == cat::ListingStatus::Published
                && l.published_hash.as_deref() == Some(&hash)
        });
        if published {
            settled.push(ItemReport {
                sku: product.sku,
                outcome: Outcome::Unchanged,
                content_hash: hash,
                ids: listing.as_ref().map(ids_of),
                problems: Vec::new(),
            });
            continue;
        }
        let entry = rows.entry(&product_id);
        let same = entry.as_ref().filter(|e| e.payload_hash == hash);
        match same.map(|e| e.status()) {
            // Already handed over with this content: followed, not sent again.
            Some(cat::OutboxStatus::Sending) if same.is_some_and(|e| e.batch_id.is_some()) => {
                continue;
            }
            // Refused with this very content: sending it again would be refused again.
            Some(cat::OutboxStatus::Failed)
                if listing
                    .as_ref()
                    .is_some_and(|l| l.status() == cat::ListingStatus::Rejected) =>
            {
                settled.push(ItemReport {
                    sku: product.sku,
                    outcome: Outcome::Failed,
                    content_hash: hash,
                    ids: None,
                    problems: listing.as_ref().map(problems_of).unwrap_or_default(),
                });
                continue;
            }
            _ => {}
        }
        let was_published = listing.as_ref().is_some_and(|l| {
            l.external_product_id.is_some()
                || l.external_sku.is_some()
                || l.published_hash.is_some()
        });
        to_send.push(Prepared {
            product_id,
            sku: product.sku,
            card,
            hash,
            was_published,
        });
    }
    settled.extend(refuse(rows, refusals).await?);
    Ok(Plan { settled, to_send })
}

/// Saves the reasons on the listings of products that are not sent (where they changed).
async fn refuse(
    rows: &ChannelRows,
    refusals: Vec<(String, String, Vec<Problem>)>,
) -> Result<Vec<ItemReport>, MpServiceError> {
    let mut reports = Vec::with_capacity(refusals.len());
    let mut writes = Vec::new();
    for (product_id, sku, problems) in refusals {
        let errors: Vec<cat::ItemError> = problems.iter().map(item_error).collect();
        let listing = rows.listing(&product_id);
        let unchanged = listing
            .as_ref()
            .is_some_and(|l| l.status() == cat::ListingStatus::Rejected && l.errors == errors);
        if !unchanged {
            let mut listing = listing.unwrap_or_else(|| cat::Listing {
                product_id: product_id.clone(),
                external_offer_id: Some(sku.clone()),
                ..Default::default()
            });
            listing.status = cat::ListingStatus::Rejected as i32;
            listing.errors = errors;
            listing.synced_at = Some(now());
            writes.push(listing);
        }
        reports.push(ItemReport {
            sku,
            outcome: Outcome::Failed,
            content_hash: String::new(),
            ids: None,
            problems,
        });
    }
    rows.save_listings(writes).await?;
    Ok(reports)
}

async fn load_products(
    persist: &PersistClient,
    selection: &Selection,
) -> Result<(Vec<cat::Product>, Vec<ItemReport>), MpServiceError> {
    let mut products = Vec::new();
    let mut missing = Vec::new();
    match selection {
        Selection::All => {
            let mut chunks = persist
                .products()
                .stream_products(api::StreamProductsRequest {
                    status: Some(cat::ProductStatus::Active as i32),
                    after_sku: String::new(),
                })
                .await?
                .into_inner();
            while let Some(chunk) = chunks.next().await {
                products.extend(chunk?.items);
            }
        }
        Selection::Skus(skus) => {
            for sku in skus {
                let request = api::GetRequest {
                    key: sku.clone(),
                    ..Default::default()
                };
                match persist.products().get_product(request).await {
                    Ok(product) => products.push(product.into_inner()),
                    Err(status) if status.code() == tonic::Code::NotFound => {
                        missing.push(ItemReport {
                            sku: sku.clone(),
                            outcome: Outcome::Failed,
                            content_hash: String::new(),
                            ids: None,
                            problems: vec![Problem::new(
                                "unknown_sku",
                                format!("no product {sku}"),
                            )],
                        });
                    }
                    Err(status) => return Err(status.into()),
                }
            }
        }
    }
    Ok((products, missing))
}
