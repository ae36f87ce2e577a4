//! The store API of channels, their category and attribute mappings, listings and the
//! publication outbox.

use async_trait::async_trait;

use crate::error::StoreResult;
use crate::model::channel::{
    Channel, ChannelAttributeMap, ChannelCategoryMap, ChannelCredentials, Listing, OutboxEntry,
};
use crate::model::{ListFilter, Lookup, Page, Record, Target};

/// Channels and what hangs off them.
#[async_trait]
pub trait ChannelStore {
    async fn create_channel(&self, value: Channel) -> StoreResult<Record<Channel>>;
    /// By id, or by `Key(code)`.
    async fn get_channel(&self, lookup: &Lookup) -> StoreResult<Record<Channel>>;
    async fn update_channel(&self, target: Target, value: Channel) -> StoreResult<Record<Channel>>;
    /// FAILED_PRECONDITION while listings or orders of the channel exist; its mappings and outbox
    /// entries go with it.
    async fn delete_channel(&self, target: Target) -> StoreResult<i64>;
    /// Filters: text (code, name).
    async fn list_channels(&self, filter: &ListFilter) -> StoreResult<Page<Channel>>;

    /// Refs: `channel_code`, `category_code`.
    async fn create_channel_category_map(
        &self,
        value: ChannelCategoryMap,
    ) -> StoreResult<Record<ChannelCategoryMap>>;
    /// By id, or by `ScopedKey(channel_id, category_id)`.
    async fn get_channel_category_map(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<ChannelCategoryMap>>;
    async fn update_channel_category_map(
        &self,
        target: Target,
        value: ChannelCategoryMap,
    ) -> StoreResult<Record<ChannelCategoryMap>>;
    async fn delete_channel_category_map(&self, target: Target) -> StoreResult<i64>;
    /// Filters: channel_id, category_id.
    async fn list_channel_category_maps(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<ChannelCategoryMap>>;

    /// Refs: `channel_code`, `attribute_code`.
    async fn create_channel_attribute_map(
        &self,
        value: ChannelAttributeMap,
    ) -> StoreResult<Record<ChannelAttributeMap>>;
    /// By id, or by `ScopedKey(channel_id, attribute_id)`.
    async fn get_channel_attribute_map(
        &self,
        lookup: &Lookup,
    ) -> StoreResult<Record<ChannelAttributeMap>>;
    async fn update_channel_attribute_map(
        &self,
        target: Target,
        value: ChannelAttributeMap,
    ) -> StoreResult<Record<ChannelAttributeMap>>;
    async fn delete_channel_attribute_map(&self, target: Target) -> StoreResult<i64>;
    /// Filters: channel_id, attribute_id.
    async fn list_channel_attribute_maps(
        &self,
        filter: &ListFilter,
    ) -> StoreResult<Page<ChannelAttributeMap>>;

    /// Refs: `sku`, `channel_code`.
    async fn create_listing(&self, value: Listing) -> StoreResult<Record<Listing>>;
    /// By id, or by `ScopedKey(channel_id, product_id)`.
    async fn get_listing(&self, lookup: &Lookup) -> StoreResult<Record<Listing>>;
    async fn update_listing(&self, target: Target, value: Listing) -> StoreResult<Record<Listing>>;
    async fn delete_listing(&self, target: Target) -> StoreResult<i64>;
    /// Filters: channel_id, product_id, status (new, pending, published, rejected, archived).
    async fn list_listings(&self, filter: &ListFilter) -> StoreResult<Page<Listing>>;
    /// Creates (no target) or replaces (target) each listing, all in one transaction: all or
    /// nothing. The stored records come back in input order.
    async fn save_listings(
        &self,
        items: Vec<(Option<Target>, Listing)>,
    ) -> StoreResult<Vec<Record<Listing>>>;

    /// Refs: `channel_code`, `sku`. A second `pending` entry for the same (channel, product, kind)
    /// is ALREADY_EXISTS (update the pending one instead).
    async fn create_outbox_entry(&self, value: OutboxEntry) -> StoreResult<Record<OutboxEntry>>;
    /// By id only.
    async fn get_outbox_entry(&self, lookup: &Lookup) -> StoreResult<Record<OutboxEntry>>;
    async fn update_outbox_entry(
        &self,
        target: Target,
        value: OutboxEntry,
    ) -> StoreResult<Record<OutboxEntry>>;
    async fn delete_outbox_entry(&self, target: Target) -> StoreResult<i64>;
    /// Filters: channel_id, product_id, status (pending, sending, sent, failed).
    async fn list_outbox_entries(&self, filter: &ListFilter) -> StoreResult<Page<OutboxEntry>>;
    /// As [`ChannelStore::save_listings`], for outbox entries.
    async fn save_outbox_entries(
        &self,
        items: Vec<(Option<Target>, OutboxEntry)>,
    ) -> StoreResult<Vec<Record<OutboxEntry>>>;
}

/// The secret store of channel accounts: apart from the channel row, so that no channel read,
/// list or change feed carries a secret.
#[async_trait]
pub trait CredentialStore {
    /// Replaces the credentials of a channel (by id or code); an empty map removes them.
    async fn set_channel_credentials(
        &self,
        channel: &Lookup,
        credentials: ChannelCredentials,
    ) -> StoreResult<()>;
    /// The credentials of a channel (by id or code); empty when none were set.
    async fn get_channel_credentials(&self, channel: &Lookup) -> StoreResult<ChannelCredentials>;
}
