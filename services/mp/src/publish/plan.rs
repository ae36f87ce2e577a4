//! Which products are sent: each becomes the channel's card, checked against the marketplace's
//! dictionary, and goes to the sending as soon as it is ready; what cannot be sent is settled
//! here with its reasons, what is already published with the same content is unchanged.

use carpetti_marketplace::{Card, Problem};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use futures::StreamExt;
use tokio::sync::mpsc;

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

/// Plans the selection product by product as persist streams it, handing each card to send to
/// `to_send` as soon as it is ready (the sending starts with the first full batch, not after the
/// whole catalog is read); returns what is settled here: refused, unchanged or unknown.
pub async fn plan(
    persist: &PersistClient,
    ctx: &ChannelContext,
    rows: &ChannelRows,
    dictionaries: &Dictionaries,
    selection: &Selection,
    to_send: mpsc::Sender<Prepared>,
    progress: &dyn Progress,
) -> Result<Vec<ItemReport>, MpServiceError> {
    let mut planner = Planner {
        ctx,
        rows,
        dictionaries,
        to_send,
        settled: Vec::new(),
        refusals: Vec::new(),
    };
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
                let products = chunk?.items;
                progress.grow(products.len() as u64);
                for product in products {
                    planner.take(product).await?;
                }
            }
        }
        Selection::Skus(skus) => {
            progress.grow(skus.len() as u64);
            for sku in skus {
                match find(persist, sku).await? {
                    Ok(product) => planner.take(product).await?,
                    Err(unknown) => planner.settled.push(unknown),
                }
            }
        }
    }
    let Planner {
        mut settled,
        refusals,
        ..
    } = planner;
    settled.extend(refuse(rows, refusals).await?);
    progress.advance(settled.len() as u64);
    Ok(settled)
}

struct Planner<'a> {
    ctx: &'a ChannelContext,
    rows: &'a ChannelRows,
    dictionaries: &'a Dictionaries,
    to_send: mpsc::Sender<Prepared>,
    settled: Vec<ItemReport>,
    refusals: Vec<(String, String, Vec<Problem>)>,
}

impl Planner<'_> {
    /// Decides one product: its card handed to the sending, or its outcome kept.
    async fn take(&mut self, product: cat::Product) -> Result<(), MpServiceError> {
        let (ctx, rows, dictionaries) = (self.ctx, self.rows, self.dictionaries);
        let (settled, refusals) = (&mut self.settled, &mut self.refusals);
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
                return Ok(());
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
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        attributes.resolve(&mut card);
        let problems = attributes.check(&card);
        if !problems.is_empty() {
            refusals.push((product_id, product.sku, problems));
            return Ok(());
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
            return Ok(());
        }
        let entry = rows.entry(&product_id);
        let same = entry.as_ref().filter(|e| e.payload_hash == hash);
        match same.map(|e| e.status()) {
            // Already handed over with this content: followed, not sent again.
            Some(cat::OutboxStatus::Sending) if same.is_some_and(|e| e.batch_id.is_some()) => {
                return Ok(());
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
                return Ok(());
            }
            _ => {}
        }
        let was_published = listing.as_ref().is_some_and(|l| {
            l.external_product_id.is_some()
                || l.external_sku.is_some()
                || l.published_hash.is_some()
        });
        let prepared = Prepared {
            product_id,
            sku: product.sku,
            card,
            hash,
            was_published,
        };
        // The sending only goes away with an error that ends the run.
        self.to_send
            .send(prepared)
            .await
            .map_err(|_| MpServiceError::channel(ctx.code(), "the sending stopped before the plan"))
    }
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

/// The product with `sku`, or the report of an unknown one.
async fn find(
    persist: &PersistClient,
    sku: &str,
) -> Result<Result<cat::Product, ItemReport>, MpServiceError> {
    let request = api::GetRequest {
        key: sku.to_owned(),
        ..Default::default()
    };
    match persist.products().get_product(request).await {
        Ok(product) => Ok(Ok(product.into_inner())),
        Err(status) if status.code() == tonic::Code::NotFound => Ok(Err(ItemReport {
            sku: sku.to_owned(),
            outcome: Outcome::Failed,
            content_hash: String::new(),
            ids: None,
            problems: vec![Problem::new("unknown_sku", format!("no product {sku}"))],
        })),
        Err(status) => Err(status.into()),
    }
}
