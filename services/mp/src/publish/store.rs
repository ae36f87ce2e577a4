//! The channel's listings and content outbox entries, loaded once per run and written through
//! persist as the publication goes.

use std::collections::HashMap;
use std::sync::Mutex;

use carpetti_proto::catalog::v1 as cat;
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

    /// Creates or replaces the listing of `listing.product_id` on this channel.
    pub async fn save_listing(&self, mut listing: cat::Listing) -> Result<(), MpServiceError> {
        listing.channel_id = self.channel_id.clone();
        let known = self.listing(&listing.product_id);
        if let Some(known) = &known {
            listing.meta = known.meta.clone().map(|mut m| {
                m.change_seq = 0;
                m
            });
        }
        let saved = match known {
            Some(_) => self.persist.channels().update_listing(listing).await?,
            None => self.persist.channels().create_listing(listing).await?,
        }
        .into_inner();
        lock(&self.listings).insert(saved.product_id.clone(), saved);
        Ok(())
    }

    /// Creates or replaces the content entry of `entry.product_id`.
    pub async fn save_entry(&self, mut entry: cat::OutboxEntry) -> Result<(), MpServiceError> {
        entry.channel_id = self.channel_id.clone();
        entry.kind = cat::OutboxKind::Content as i32;
        let known = self.entry(&entry.product_id);
        if let Some(known) = &known {
            entry.meta = known.meta.clone().map(|mut m| {
                m.change_seq = 0;
                m
            });
        }
        let saved = match known {
            Some(_) => self.persist.channels().update_outbox_entry(entry).await?,
            None => self.persist.channels().create_outbox_entry(entry).await?,
        }
        .into_inner();
        lock(&self.entries).insert(saved.product_id.clone(), saved);
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
