//! The `UpsertProducts` stream: chunks of products in, one response of per-item results per
//! committed chunk out, and a final summary (see `bulk` for the shared machinery). Items that
//! cannot be parsed are rejected here and never reach the store; the rest of the chunk goes on.

use carpetti_proto::persist::v1 as api;
use tonic::{Status, Streaming};

use super::bulk::{MAX_CHUNK, ResponseStream, Tally, respond};
use crate::StoreError;
use crate::store::{DynStore, UpsertOutcome};

/// `UpsertProducts`.
pub fn products(
    store: DynStore,
    mut incoming: Streaming<api::UpsertProductsRequest>,
) -> ResponseStream {
    respond(move |out| async move {
        let mut tally = Tally::default();
        loop {
            let message = match incoming.message().await {
                Ok(Some(message)) => message,
                Ok(None) => break,
                Err(status) => {
                    tracing::warn!(%status, "bulk product stream broke off");
                    return;
                }
            };
            let answer = product_chunk(&store, &mut tally, message).await;
            let failed = answer.is_err();
            if out.send(answer).await.is_err() || failed {
                return;
            }
        }
        let _ = out.send(Ok(tally.summary())).await;
    })
}

async fn product_chunk(
    store: &DynStore,
    tally: &mut Tally,
    message: api::UpsertProductsRequest,
) -> Result<api::BulkUpsertResponse, Status> {
    if message.items.len() > MAX_CHUNK {
        return Err(
            StoreError::invalid("items", format!("at most {MAX_CHUNK} items per message")).into(),
        );
    }
    let mut results = Vec::with_capacity(message.items.len());
    let mut parsed = Vec::with_capacity(message.items.len());
    let mut positions = Vec::with_capacity(message.items.len());
    for item in message.items {
        let index = tally.next_index();
        let key = item.sku.trim().to_owned();
        match super::product::product_from_pb(item) {
            Ok(value) => {
                positions.push((index, key));
                parsed.push(value);
            }
            Err(error) => results.push(tally.result(index, key, UpsertOutcome::Rejected(error))),
        }
    }
    let outcomes = store.upsert_products(parsed).await?;
    for ((index, key), outcome) in positions.into_iter().zip(outcomes) {
        results.push(tally.result(index, key, outcome));
    }
    results.sort_by_key(|r| r.index);
    Ok(api::BulkUpsertResponse {
        results,
        summary: None,
    })
}
