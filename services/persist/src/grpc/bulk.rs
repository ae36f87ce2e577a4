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
use crate::store::{BulkTable, DynStore, UpsertOutcome};

/// Largest chunk accepted in one message.
pub const MAX_CHUNK: usize = 10_000;

/// A stream that created or updated at least this many rows refreshes the table's planner
/// statistics before its summary (see [`crate::store::Store::refresh_statistics`]): the reads
/// that follow a bulk load — an unchanged re-import's fingerprints, an export — then get the
/// ordered index plan at once instead of after autovacuum's next visit.
pub const REFRESH_STATISTICS_AFTER: u64 = 10_000;

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
            UpsertOutcome::ContentNeeded => {
                self.summary.content_needed += 1;
                (api::ItemOutcome::ContentNeeded, String::new(), 0)
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

/// One chunk after parsing: the items for the store (with the context the store call needs), their
/// stream positions and keys, and the results of the items already rejected while parsing.
pub struct Parsed<T, C> {
    pub context: C,
    pub items: Vec<T>,
    pub positions: Vec<(u64, String)>,
    pub rejected: Vec<api::ItemResult>,
}

impl<T, C> Parsed<T, C> {
    /// An empty chunk with room for `capacity` items.
    pub fn with_capacity(context: C, capacity: usize) -> Self {
        Self {
            context,
            items: Vec::with_capacity(capacity),
            positions: Vec::with_capacity(capacity),
            rejected: Vec::new(),
        }
    }

    /// Adds an item as parsed (`Ok`) or rejected (`Err`), at the next stream position.
    pub fn push(&mut self, tally: &mut Tally, key: String, item: Result<T, StoreError>) {
        let index = tally.next_index();
        match item {
            Ok(value) => {
                self.positions.push((index, key));
                self.items.push(value);
            }
            Err(error) => {
                self.rejected
                    .push(tally.result(index, key, UpsertOutcome::Rejected(error)))
            }
        }
    }
}

type Written = Result<Vec<UpsertOutcome>, StoreError>;

/// A chunk whose store call is running.
struct InFlight {
    write: tokio::task::JoinHandle<Written>,
    positions: Vec<(u64, String)>,
    rejected: Vec<api::ItemResult>,
}

/// Drives a bulk stream as a two-stage pipeline: while chunk *k* is written to the store (its own
/// task), chunk *k+1* is received and parsed. Writes still happen one at a time and in stream
/// order, so a later item for the same key always wins. Answers go out in stream order.
/// (Overlapping the look-ups of fingerprint-only chunks was tried and halved their throughput on
/// two cores: PostgreSQL backends and the server then compete for the same CPU.)
pub fn pipeline<M, T, C, Parse, Write, Fut>(
    (store, table): (DynStore, BulkTable),
    mut incoming: Streaming<M>,
    mut parse: Parse,
    write: Write,
) -> ResponseStream
where
    M: Send + 'static,
    T: Send + 'static,
    C: Send + 'static,
    Parse: FnMut(M, &mut Tally) -> Result<Parsed<T, C>, Status> + Send + 'static,
    Write: Fn(C, Vec<T>) -> Fut + Send + 'static,
    Fut: Future<Output = Written> + Send + 'static,
{
    respond(move |out| async move {
        let mut tally = Tally::default();
        let mut in_flight: Option<InFlight> = None;
        loop {
            let message = match incoming.message().await {
                Ok(Some(message)) => message,
                Ok(None) => break,
                Err(status) => {
                    // The client is gone or broke the stream; committed chunks stay committed.
                    let what = table.table();
                    tracing::warn!(%status, what, "bulk stream broke off");
                    return;
                }
            };
            let parsed = parse(message, &mut tally);
            if let Some(previous) = in_flight.take()
                && !finish(previous, &mut tally, &out).await
            {
                return;
            }
            let parsed = match parsed {
                Ok(parsed) => parsed,
                Err(status) => {
                    let _ = out.send(Err(status)).await;
                    return;
                }
            };
            in_flight = Some(InFlight {
                write: tokio::spawn(write(parsed.context, parsed.items)),
                positions: parsed.positions,
                rejected: parsed.rejected,
            });
        }
        if let Some(previous) = in_flight.take()
            && !finish(previous, &mut tally, &out).await
        {
            return;
        }
        let written = tally.summary.created + tally.summary.updated;
        if written >= REFRESH_STATISTICS_AFTER {
            // Everything is committed: a failure here only costs plan quality until autovacuum.
            if let Err(error) = store.refresh_statistics(table).await {
                tracing::warn!(%error, table = table.table(), "refreshing statistics failed");
            }
        }
        let _ = out.send(Ok(tally.summary())).await;
    })
}

/// Waits for a chunk's write and sends its answer; false when the stream must end.
async fn finish(
    chunk: InFlight,
    tally: &mut Tally,
    out: &mpsc::Sender<Result<api::BulkUpsertResponse, Status>>,
) -> bool {
    let outcomes = match chunk.write.await {
        Ok(Ok(outcomes)) => outcomes,
        Ok(Err(error)) => {
            let _ = out.send(Err(error.into())).await;
            return false;
        }
        Err(join) => {
            tracing::error!(error = %join, "bulk write task failed");
            let _ = out
                .send(Err(Status::internal("the chunk could not be written")))
                .await;
            return false;
        }
    };
    let mut results = chunk.rejected;
    results.reserve(outcomes.len());
    for ((index, key), outcome) in chunk.positions.into_iter().zip(outcomes) {
        results.push(tally.result(index, key, outcome));
    }
    results.sort_by_key(|r| r.index);
    out.send(Ok(api::BulkUpsertResponse {
        results,
        summary: None,
    }))
    .await
    .is_ok()
}

/// Rejects an oversized message.
pub fn check_size(items: usize) -> Result<(), Status> {
    if items > MAX_CHUNK {
        return Err(
            StoreError::invalid("items", format!("at most {MAX_CHUNK} items per message")).into(),
        );
    }
    Ok(())
}

/// `UpsertSupplierItems`.
pub fn supplier_items(
    store: DynStore,
    incoming: Streaming<api::UpsertSupplierItemsRequest>,
) -> ResponseStream {
    let mut scope: Option<(Uuid, Option<Uuid>)> = None;
    pipeline(
        (store.clone(), BulkTable::SupplierItems),
        incoming,
        move |message, tally| parse_supplier_chunk(&mut scope, tally, message),
        move |scope: SupplierScope, items| {
            let store = store.clone();
            async move {
                // Items first, so a fingerprint in the same message sees what they wrote; the
                // outcomes follow the order in which the positions were handed out.
                let mut outcomes = if items.is_empty() {
                    Vec::new()
                } else {
                    store
                        .upsert_supplier_items(scope.supplier_id, scope.import_run_id, items)
                        .await?
                };
                if !scope.fingerprints.is_empty() {
                    outcomes.extend(
                        store
                            .match_supplier_item_hashes(scope.supplier_id, scope.fingerprints)
                            .await?,
                    );
                }
                Ok(outcomes)
            }
        },
    )
}

/// What the store call of one supplier chunk needs besides the items.
struct SupplierScope {
    supplier_id: Uuid,
    import_run_id: Option<Uuid>,
    /// Valid fingerprints `(offer_id, content_hash)`, answered after the items.
    fingerprints: Vec<(String, String)>,
}

type SupplierChunk = Parsed<crate::model::supplier::SupplierItem, SupplierScope>;

/// Parses a fingerprint: a valid offer id and a 32-character lower-case hex hash.
fn fingerprint(i: usize, f: api::ItemFingerprint) -> Result<(String, String), StoreError> {
    let offer = carpetti_util::OfferId::parse(&f.offer_id)
        .map_err(StoreError::parse(format!("fingerprints[{i}].offer_id")))?;
    let hash = f.content_hash.trim();
    if hash.len() != 32
        || !hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(StoreError::invalid(
            format!("fingerprints[{i}].content_hash"),
            "must be 32 lower-case hex characters, as SupplierItem.content_hash",
        ));
    }
    Ok((offer.into_inner(), hash.to_owned()))
}

fn parse_supplier_chunk(
    scope: &mut Option<(Uuid, Option<Uuid>)>,
    tally: &mut Tally,
    message: api::UpsertSupplierItemsRequest,
) -> Result<SupplierChunk, Status> {
    check_size(message.items.len() + message.fingerprints.len())?;
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
    let scope = SupplierScope {
        supplier_id,
        import_run_id,
        fingerprints: Vec::new(),
    };
    let mut chunk = Parsed::with_capacity(scope, message.items.len());
    for item in message.items {
        let key = item.offer_id.clone();
        chunk.push(
            tally,
            key,
            super::supplier::item_from_pb(item, Some(supplier_id)),
        );
    }
    // Fingerprints are numbered after the items; the valid ones join `items` positions but are
    // carried in the scope (they are answered, never written).
    for (i, f) in message.fingerprints.into_iter().enumerate() {
        let index = tally.next_index();
        let key = f.offer_id.clone();
        match fingerprint(i, f) {
            Ok(valid) => {
                chunk.positions.push((index, key));
                chunk.context.fingerprints.push(valid);
            }
            Err(error) => {
                chunk
                    .rejected
                    .push(tally.result(index, key, UpsertOutcome::Rejected(error)))
            }
        }
    }
    Ok(chunk)
}
