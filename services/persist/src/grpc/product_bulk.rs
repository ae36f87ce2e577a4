//! The `UpsertProducts` stream: chunks of products in, one response of per-item results per
//! committed chunk out, and a final summary (see `bulk` for the shared machinery). Items that
//! cannot be parsed are rejected here and never reach the store; the rest of the chunk goes on.

use carpetti_proto::persist::v1 as api;
use tonic::Streaming;

use super::bulk::{Parsed, ResponseStream, Tally, check_size, pipeline};
use crate::store::{BulkTable, DynStore};

/// `UpsertProducts`.
pub fn products(
    store: DynStore,
    incoming: Streaming<api::UpsertProductsRequest>,
) -> ResponseStream {
    pipeline(
        (store.clone(), BulkTable::Products),
        incoming,
        |message: api::UpsertProductsRequest, tally: &mut Tally| {
            check_size(message.items.len())?;
            let mut chunk = Parsed::with_capacity((), message.items.len());
            for item in message.items {
                let key = item.sku.trim().to_owned();
                chunk.push(tally, key, super::product::product_from_pb(item));
            }
            Ok(chunk)
        },
        move |(), items| {
            let store = store.clone();
            async move { store.upsert_products(items).await }
        },
    )
}
