//! Bulk upsert streams: the client sends chunks of items, the server answers each chunk with one
//! result per item (created / updated / unchanged / rejected with field and reason) as soon as
//! the chunk is committed, and closes with a summary once the client has finished sending.
//!
//! Items that cannot be parsed are rejected here and never reach the store; the rest of the
//! chunk goes on. A failure of the store itself (database down, unknown supplier) ends the stream
//! with that status: the chunks answered before it are committed, the failed one is not.

use std::pin::Pin;

use carpetti_proto::persist::v1 as api;
use futures::Stream;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};
use uuid::Uuid;

use super::convert;
use crate::StoreError;
use crate::store::{DynStore, UpsertOutcome};

/// Largest chunk accepted in one message.
pub const MAX_CHUNK: usize = 10_000;

/// The response stream of a bulk upsert.
pub type ResponseStream =
    Pin<Box<dyn Stream<Item = Result<api::BulkUpsertResponse, Status>> + Send>>;

/// Counts what a stream did and numbers its items.
#[derive(Default)]
pub struct Tally {
    position: u64,
    summary: api::BulkSummary,
}

impl Tally {
    /// Reserves the stream position of the next item.
    pub fn next_index(&mut self) -> u64 {
        let index = self.position;
        self.position += 1;
        self.summary.received += 1;
        index
    }

    /// Turns an item's outcome into its result and counts it.
    pub fn result(&mut self, index: u64, key: String, outcome: UpsertOutcome) -> api::ItemResult {
        let mut result = api::ItemResult {
            index,
            key,
            ..Default::default()
        };
        let (code, id, seq) = match outcome {
            UpsertOutcome::Created { id, change_seq } => {
                self.summary.created += 1;
                (api::ItemOutcome::Created, id.to_string(), change_seq)
            }
            UpsertOutcome::Updated { id, change_seq } => {
                self.summary.updated += 1;
                (api::ItemOutcome::Updated, id.to_string(), change_seq)
            }
            UpsertOutcome::Unchanged { id, change_seq } => {
                self.summary.unchanged += 1;
                (api::ItemOutcome::Unchanged, id.to_string(), change_seq)
            }
            UpsertOutcome::Rejected(error) => {
                self.summary.rejected += 1;
                let (field, reason) = match error {
                    StoreError::InvalidArgument { field, reason } => (field, reason),
                    other => (String::new(), other.to_string()),
                };
                result.field = field;
                result.reason = reason;
                (api::ItemOutcome::Rejected, String::new(), 0)
            }
        };
        result.outcome = code.into();
        result.id = id;
        result.change_seq = seq;
        result
    }

    /// The final message.
    pub fn summary(self) -> api::BulkUpsertResponse {
        api::BulkUpsertResponse {
            results: Vec::new(),
            summary: Some(self.summary),
        }
    }
}

/// Runs `body` on its own task, feeding a bounded channel the client reads as the response.
pub fn respond<F, Fut>(body: F) -> ResponseStream
where
    F: FnOnce(mpsc::Sender<Result<api::BulkUpsertResponse, Status>>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(body(tx));
    Box::pin(ReceiverStream::new(rx))
}

/// `UpsertSupplierItems`.
pub fn supplier_items(
    store: DynStore,
    mut incoming: Streaming<api::UpsertSupplierItemsRequest>,
) -> ResponseStream {
    respond(move |out| async move {
        let mut tally = Tally::default();
        let mut scope: Option<(Uuid, Option<Uuid>)> = None;
        loop {
            let message = match incoming.message().await {
                Ok(Some(message)) => message,
                Ok(None) => break,
                Err(status) => {
                    tracing::warn!(%status, "bulk supplier item stream broke off");
                    return;
                }
            };
            let answer = supplier_chunk(&store, &mut scope, &mut tally, message).await;
            let failed = answer.is_err();
            if out.send(answer).await.is_err() || failed {
                return;
            }
        }
        let _ = out.send(Ok(tally.summary())).await;
    })
}

async fn supplier_chunk(
    store: &DynStore,
    scope: &mut Option<(Uuid, Option<Uuid>)>,
    tally: &mut Tally,
    message: api::UpsertSupplierItemsRequest,
) -> Result<api::BulkUpsertResponse, Status> {
    if message.items.len() > MAX_CHUNK {
        return Err(
            StoreError::invalid("items", format!("at most {MAX_CHUNK} items per message")).into(),
        );
    }
    let supplier = convert::opt_id("supplier_id", Some(&message.supplier_id))?;
    let run = convert::opt_id("import_run_id", Some(&message.import_run_id))?;
    let (supplier_id, import_run_id) = match (*scope, supplier) {
        (None, Some(id)) => (id, run),
        (None, None) => {
            return Err(
                StoreError::invalid("supplier_id", "is required in the first message").into(),
            );
        }
        (Some((id, _)), Some(other)) if other != id => {
            return Err(
                StoreError::invalid("supplier_id", "must not change within a stream").into(),
            );
        }
        (Some((id, first_run)), _) => (id, run.or(first_run)),
    };
    *scope = Some((supplier_id, import_run_id));

    let mut results = Vec::with_capacity(message.items.len());
    let mut parsed = Vec::with_capacity(message.items.len());
    let mut positions = Vec::with_capacity(message.items.len());
    for item in message.items {
        let index = tally.next_index();
        let key = item.offer_id.clone();
        match super::supplier::item_from_pb(item, Some(supplier_id)) {
            Ok(value) => {
                positions.push((index, key));
                parsed.push(value);
            }
            Err(error) => results.push(tally.result(index, key, UpsertOutcome::Rejected(error))),
        }
    }
    let outcomes = store
        .upsert_supplier_items(supplier_id, import_run_id, parsed)
        .await?;
    for ((index, key), outcome) in positions.into_iter().zip(outcomes) {
        results.push(tally.result(index, key, outcome));
    }
    results.sort_by_key(|r| r.index);
    Ok(api::BulkUpsertResponse {
        results,
        summary: None,
    })
}
