//! The channel's listings and content outbox entries, loaded once per run and written through
//! persist as the publication goes.

use std::collections::HashMap;
use std::sync::Mutex;

use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::listings::all_listings;
use crate::pages::{all_pages, channel_query};

/// Listings and content outbox entries of one channel, by product id.
pub struct ChannelRows {
    persist: PersistClient,
    channel_id: String,
    listings: Mutex<HashMap<String, cat::Listing>>,
    entries: Mutex<HashMap<String, cat::OutboxEntry>>,
}

impl ChannelRows {
    pub async fn load(
        persist: &PersistClient,
        ctx: &ChannelContext,
    ) -> Result<Self, MpServiceError> {
        let listings = all_listings(persist, &ctx.channel_id)
            .await?
            .into_iter()
            .map(|listing| (listing.product_id.clone(), listing))
            .collect();
        let entries = all_pages(|cursor| {
            let mut client = persist.channels();
            let query = channel_query(&ctx.channel_id, cursor);
            async move {
                let page = client.list_outbox_entries(query).await?.into_inner();
                Ok((page.items, page.next_cursor))
            }
        })
        .await?
        .into_iter()
        .filter(|entry| entry.kind() == cat::OutboxKind::Content)
        .map(|entry| (entry.product_id.clone(), entry))
        .collect();
        Ok(Self {
            persist: persist.clone(),
            channel_id: ctx.channel_id.clone(),
            listings: Mutex::new(listings),
            entries: Mutex::new(entries),
        })
    }

    pub fn listing(&self, product_id: &str) -> Option<cat::Listing> {
        lock(&self.listings).get(product_id).cloned()
    }

    pub fn entry(&self, product_id: &str) -> Option<cat::OutboxEntry> {
        lock(&self.entries).get(product_id).cloned()
    }

    /// Entries handed to the marketplace and not settled yet.
    pub fn sending(&self) -> Vec<cat::OutboxEntry> {
        lock(&self.entries)
            .values()
            .filter(|e| e.status() == cat::OutboxStatus::Sending && e.batch_id.is_some())
            .cloned()
            .collect()
    }

    /// Creates or replaces listings (the last one per product wins), [`BATCH`] per persist call,
    /// each call one transaction.
    pub async fn save_listings(&self, listings: Vec<cat::Listing>) -> Result<(), MpServiceError> {
        let listings = last_per_product(listings, |l| &l.product_id);
        for chunk in listings.chunks(BATCH) {
            let items = chunk
                .iter()
                .cloned()
                .map(|mut listing| {
                    listing.channel_id = self.channel_id.clone();
                    listing.meta = self
                        .listing(&listing.product_id)
                        .and_then(|known| known.meta)
                        .map(unchecked);
                    listing
                })
                .collect();
            let saved = self
                .persist
                .channels()
                .save_listings(api::SaveListingsRequest { items })
                .await?
                .into_inner()
                .items;
            let mut known = lock(&self.listings);
            for listing in saved {
                known.insert(listing.product_id.clone(), listing);
            }
        }
        Ok(())
    }

    /// Creates or replaces content entries (the last one per product wins), [`BATCH`] per
    /// persist call, each call one transaction.
    pub async fn save_entries(&self, entries: Vec<cat::OutboxEntry>) -> Result<(), MpServiceError> {
        let entries = last_per_product(entries, |e| &e.product_id);
        for chunk in entries.chunks(BATCH) {
            let items = chunk
                .iter()
                .cloned()
                .map(|mut entry| {
                    entry.channel_id = self.channel_id.clone();
                    entry.kind = cat::OutboxKind::Content as i32;
                    entry.meta = self
                        .entry(&entry.product_id)
                        .and_then(|known| known.meta)
                        .map(unchecked);
                    entry
                })
                .collect();
            let saved = self
                .persist
                .channels()
                .save_outbox_entries(api::SaveOutboxEntriesRequest { items })
                .await?
                .into_inner()
                .items;
            let mut known = lock(&self.entries);
            for entry in saved {
                known.insert(entry.product_id.clone(), entry);
            }
        }
        Ok(())
    }
}

/// Rows per persist call (persist takes up to 1,000).
const BATCH: usize = 500;

/// A known row's meta for a replace without a concurrency check (this run owns the channel's
/// publication rows).
fn unchecked(mut meta: cat::EntityMeta) -> cat::EntityMeta {
    meta.change_seq = 0;
    meta
}

/// The items in input order with only the last one per product kept.
fn last_per_product<T>(items: Vec<T>, product: impl Fn(&T) -> &String) -> Vec<T> {
    let mut last = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        last.insert(product(item).clone(), index);
    }
    items
        .into_iter()
        .enumerate()
        .filter(|(index, item)| last.get(product(item)) == Some(index))
        .map(|(_, item)| item)
        .collect()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
