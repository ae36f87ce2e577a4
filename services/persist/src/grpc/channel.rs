//! `carpetti.persist.v1.ChannelService`: channels, their category and attribute mappings, listings
//! and the publication outbox. Thin handlers; conversions live in `channel/messages.rs`
//! and `channel/enums.rs`.

use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::channel_service_server::ChannelService;
use tonic::{Request, Response, Status};

use self::messages::{
    attribute_map_from_pb, attribute_map_to_pb, category_map_from_pb, category_map_to_pb,
    channel_from_pb, channel_to_pb, listing_from_pb, listing_to_pb, outbox_from_pb, outbox_to_pb,
};
use super::convert;
use crate::StoreError;
use crate::model::Target;
use crate::model::channel::ChannelCredentials;
use crate::store::DynStore;

mod enums;
mod messages;

/// The service over a store.
#[derive(Clone)]
pub struct Channels {
    store: DynStore,
}

impl Channels {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

fn deleted(change_seq: i64) -> Response<api::DeleteResponse> {
    Response::new(api::DeleteResponse { change_seq })
}

#[tonic::async_trait]
impl ChannelService for Channels {
    async fn set_channel_credentials(
        &self,
        request: Request<api::SetChannelCredentialsRequest>,
    ) -> Result<Response<api::ChannelCredentialNames>, Status> {
        let request = request.into_inner();
        let lookup = convert::lookup(&request.channel.unwrap_or_default())?;
        let credentials = ChannelCredentials {
            secrets: request.secrets.into_iter().collect(),
        };
        let names = credentials.secrets.keys().cloned().collect();
        self.store
            .set_channel_credentials(&lookup, credentials)
            .await?;
        Ok(Response::new(api::ChannelCredentialNames { names }))
    }

    async fn get_channel_credentials(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<api::ChannelCredentials>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        let credentials = self.store.get_channel_credentials(&lookup).await?;
        Ok(Response::new(api::ChannelCredentials {
            secrets: credentials.secrets.into_iter().collect(),
        }))
    }

    async fn create_channel(
        &self,
        request: Request<pb::Channel>,
    ) -> Result<Response<pb::Channel>, Status> {
        let value = channel_from_pb(request.into_inner())?;
        Ok(Response::new(channel_to_pb(
            self.store.create_channel(value).await?,
        )))
    }

    async fn get_channel(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Channel>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(channel_to_pb(
            self.store.get_channel(&lookup).await?,
        )))
    }

    async fn update_channel(
        &self,
        request: Request<pb::Channel>,
    ) -> Result<Response<pb::Channel>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = channel_from_pb(p)?;
        Ok(Response::new(channel_to_pb(
            self.store.update_channel(target, value).await?,
        )))
    }

    async fn delete_channel(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(self.store.delete_channel(target).await?))
    }

    async fn list_channels(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListChannelsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_channels(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListChannelsResponse {
            items: page.items.into_iter().map(channel_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_channel_category_map(
        &self,
        request: Request<pb::ChannelCategoryMap>,
    ) -> Result<Response<pb::ChannelCategoryMap>, Status> {
        let value = category_map_from_pb(request.into_inner())?;
        Ok(Response::new(category_map_to_pb(
            self.store.create_channel_category_map(value).await?,
        )))
    }

    async fn get_channel_category_map(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::ChannelCategoryMap>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(category_map_to_pb(
            self.store.get_channel_category_map(&lookup).await?,
        )))
    }

    async fn update_channel_category_map(
        &self,
        request: Request<pb::ChannelCategoryMap>,
    ) -> Result<Response<pb::ChannelCategoryMap>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = category_map_from_pb(p)?;
        Ok(Response::new(category_map_to_pb(
            self.store
                .update_channel_category_map(target, value)
                .await?,
        )))
    }

    async fn delete_channel_category_map(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(
            self.store.delete_channel_category_map(target).await?,
        ))
    }

    async fn list_channel_category_maps(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListChannelCategoryMapsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_channel_category_maps(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListChannelCategoryMapsResponse {
            items: page.items.into_iter().map(category_map_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_channel_attribute_map(
        &self,
        request: Request<pb::ChannelAttributeMap>,
    ) -> Result<Response<pb::ChannelAttributeMap>, Status> {
        let value = attribute_map_from_pb(request.into_inner())?;
        Ok(Response::new(attribute_map_to_pb(
            self.store.create_channel_attribute_map(value).await?,
        )))
    }

    async fn get_channel_attribute_map(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::ChannelAttributeMap>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(attribute_map_to_pb(
            self.store.get_channel_attribute_map(&lookup).await?,
        )))
    }

    async fn update_channel_attribute_map(
        &self,
        request: Request<pb::ChannelAttributeMap>,
    ) -> Result<Response<pb::ChannelAttributeMap>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = attribute_map_from_pb(p)?;
        Ok(Response::new(attribute_map_to_pb(
            self.store
                .update_channel_attribute_map(target, value)
                .await?,
        )))
    }

    async fn delete_channel_attribute_map(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(
            self.store.delete_channel_attribute_map(target).await?,
        ))
    }

    async fn list_channel_attribute_maps(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListChannelAttributeMapsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_channel_attribute_maps(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListChannelAttributeMapsResponse {
            items: page.items.into_iter().map(attribute_map_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_listing(
        &self,
        request: Request<pb::Listing>,
    ) -> Result<Response<pb::Listing>, Status> {
        let value = listing_from_pb(request.into_inner())?;
        Ok(Response::new(listing_to_pb(
            self.store.create_listing(value).await?,
        )))
    }

    async fn get_listing(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::Listing>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(listing_to_pb(
            self.store.get_listing(&lookup).await?,
        )))
    }

    async fn update_listing(
        &self,
        request: Request<pb::Listing>,
    ) -> Result<Response<pb::Listing>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = listing_from_pb(p)?;
        Ok(Response::new(listing_to_pb(
            self.store.update_listing(target, value).await?,
        )))
    }

    async fn delete_listing(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(self.store.delete_listing(target).await?))
    }

    async fn list_listings(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListListingsResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_listings(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListListingsResponse {
            items: page.items.into_iter().map(listing_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn create_outbox_entry(
        &self,
        request: Request<pb::OutboxEntry>,
    ) -> Result<Response<pb::OutboxEntry>, Status> {
        let value = outbox_from_pb(request.into_inner())?;
        Ok(Response::new(outbox_to_pb(
            self.store.create_outbox_entry(value).await?,
        )))
    }

    async fn get_outbox_entry(
        &self,
        request: Request<api::GetRequest>,
    ) -> Result<Response<pb::OutboxEntry>, Status> {
        let lookup = convert::lookup(request.get_ref())?;
        Ok(Response::new(outbox_to_pb(
            self.store.get_outbox_entry(&lookup).await?,
        )))
    }

    async fn update_outbox_entry(
        &self,
        request: Request<pb::OutboxEntry>,
    ) -> Result<Response<pb::OutboxEntry>, Status> {
        let p = request.into_inner();
        let target = convert::target(p.meta.as_ref())?;
        let value = outbox_from_pb(p)?;
        Ok(Response::new(outbox_to_pb(
            self.store.update_outbox_entry(target, value).await?,
        )))
    }

    async fn delete_outbox_entry(
        &self,
        request: Request<api::DeleteRequest>,
    ) -> Result<Response<api::DeleteResponse>, Status> {
        let target = convert::delete_target(request.get_ref())?;
        Ok(deleted(self.store.delete_outbox_entry(target).await?))
    }

    async fn list_outbox_entries(
        &self,
        request: Request<api::ListQuery>,
    ) -> Result<Response<api::ListOutboxEntriesResponse>, Status> {
        let filter = convert::list_filter(request.get_ref())?;
        let page = self.store.list_outbox_entries(&filter).await?;
        let next_cursor = convert::cursor(&page);
        Ok(Response::new(api::ListOutboxEntriesResponse {
            items: page.items.into_iter().map(outbox_to_pb).collect(),
            next_cursor,
        }))
    }

    async fn save_listings(
        &self,
        request: Request<api::SaveListingsRequest>,
    ) -> Result<Response<api::SaveListingsResponse>, Status> {
        let items = batch(
            request.into_inner().items,
            |p| p.meta.as_ref(),
            listing_from_pb,
        )?;
        let stored = self.store.save_listings(items).await?;
        Ok(Response::new(api::SaveListingsResponse {
            items: stored.into_iter().map(listing_to_pb).collect(),
        }))
    }

    async fn save_outbox_entries(
        &self,
        request: Request<api::SaveOutboxEntriesRequest>,
    ) -> Result<Response<api::SaveOutboxEntriesResponse>, Status> {
        let items = batch(
            request.into_inner().items,
            |p| p.meta.as_ref(),
            outbox_from_pb,
        )?;
        let stored = self.store.save_outbox_entries(items).await?;
        Ok(Response::new(api::SaveOutboxEntriesResponse {
            items: stored.into_iter().map(outbox_to_pb).collect(),
        }))
    }
}

/// The most items one Save… call takes.
const MAX_BATCH: usize = 1000;

/// Parses a batch into (target, value) pairs — an item whose meta has an id replaces that row,
/// the others are created — refusing more than [`MAX_BATCH`] items and naming the first bad one.
fn batch<P, T>(
    items: Vec<P>,
    meta: impl Fn(&P) -> Option<&pb::EntityMeta>,
    parse: impl Fn(P) -> Result<T, StoreError>,
) -> Result<Vec<(Option<Target>, T)>, Status> {
    if items.len() > MAX_BATCH {
        return Err(Status::invalid_argument(format!(
            "items: {} given, at most {MAX_BATCH} per call",
            items.len()
        )));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let target = meta(&item)
                .filter(|m| !m.id.is_empty())
                .map(|m| convert::target(Some(m)))
                .transpose();
            target.and_then(|t| Ok((t, parse(item)?))).map_err(|e| {
                let status = Status::from(e);
                Status::new(
                    status.code(),
                    format!("items[{index}]: {}", status.message()),
                )
            })
        })
        .collect()
}
