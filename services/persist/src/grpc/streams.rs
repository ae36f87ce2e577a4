//! Server-streaming reads in business-key order: a supplier's offer fingerprints
//! (`ListSupplierItemHashes`), its items in full (`StreamSupplierItems`) and the products
//! (`StreamProducts`).
//!
//! Each stream pages through the store by key (keyset: "the rows after the last key sent"), on
//! its own task, feeding a small bounded channel: the next page is read while the previous one is
//! on the wire, and the server never holds more than a few pages whatever the table size. A
//! message carries at most one page and stays under [`MAX_MESSAGE_BYTES`] unless a single row is
//! larger, so clients with gRPC's default 4 MiB limit can read it. The first page is read before
//! the call is answered: a bad or unknown supplier fails the call itself.

use std::pin::Pin;

use carpetti_proto::persist::v1 as api;
use futures::Stream;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;
use uuid::Uuid;

use crate::StoreError;
use crate::model::product::ProductStatus;
use crate::store::{DynStore, OfferState};

/// Offer fingerprints per page (and at most per message).
pub const HASHES_PER_PAGE: u32 = 10_000;
/// Supplier items per page (and at most per message).
pub const ITEMS_PER_PAGE: u32 = 2_000;
/// Products per page (and at most per message).
pub const PRODUCTS_PER_PAGE: u32 = 2_000;
/// A message is cut before it would exceed this many bytes (below gRPC's default 4 MiB).
pub const MAX_MESSAGE_BYTES: usize = 3 * 1024 * 1024;

/// A resume key from the wire: empty means from the first row.
pub fn start_key(raw: String) -> Option<String> {
    if raw.is_empty() { None } else { Some(raw) }
}

/// Messages buffered between the page reader and the transport.
const BUFFERED_MESSAGES: usize = 4;

/// The response stream of a server-streaming read.
pub type ChunkStream<M> = Pin<Box<dyn Stream<Item = Result<M, Status>> + Send>>;

/// Cuts one page into runs of at most [`MAX_MESSAGE_BYTES`] (by encoded size; a single larger
/// entry goes alone).
pub fn split_by_size<T: prost::Message>(entries: Vec<T>) -> Vec<Vec<T>> {
    let mut runs = Vec::new();
    let mut run = Vec::new();
    let mut bytes = 0;
    for entry in entries {
        // the entry, its field tag and its length prefix
        let size = entry.encoded_len() + 1 + prost::length_delimiter_len(entry.encoded_len());
        if !run.is_empty() && bytes + size > MAX_MESSAGE_BYTES {
            runs.push(std::mem::take(&mut run));
            bytes = 0;
        }
        bytes += size;
        run.push(entry);
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Streams keyset pages from `start`: `fetch(after)` reads the page after key `after` (from the
/// first row when `None`), `key` gives a row's key, `pack` turns a page into messages. A page
/// shorter than `page_size` is the last. The first page is read before answering, so its error
/// fails the call.
pub async fn keyset<R, M, Fetch, Fut, Key, Pack>(
    page_size: u32,
    start: Option<String>,
    fetch: Fetch,
    key: Key,
    pack: Pack,
) -> Result<ChunkStream<M>, Status>
where
    R: Send + 'static,
    M: Send + 'static,
    Fetch: Fn(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<R>, StoreError>> + Send + 'static,
    Key: Fn(&R) -> String + Send + 'static,
    Pack: Fn(Vec<R>) -> Vec<M> + Send + 'static,
{
    let first = fetch(start).await?;
    let (out, rx) = mpsc::channel(BUFFERED_MESSAGES);
    tokio::spawn(async move {
        let mut page = first;
        loop {
            // Read the next page while this one is converted and sent: the database and the
            // encoding then work at the same time.
            let next = (page.len() >= page_size as usize)
                .then(|| tokio::spawn(fetch(page.last().map(&key))));
            for message in pack(page) {
                if out.send(Ok(message)).await.is_err() {
                    return; // the client went away (a page being read is simply dropped)
                }
            }
            let Some(next) = next else {
                return;
            };
            page = match next.await {
                Ok(Ok(page)) => page,
                Ok(Err(error)) => {
                    let _ = out.send(Err(error.into())).await;
                    return;
                }
                Err(join) => {
                    tracing::error!(error = %join, "page read failed");
                    let _ = out
                        .send(Err(Status::internal("the page could not be read")))
                        .await;
                    return;
                }
            };
        }
    });
    Ok(Box::pin(ReceiverStream::new(rx)))
}

/// `ListSupplierItemHashes`.
pub async fn supplier_item_hashes(
    store: DynStore,
    supplier_id: Uuid,
    only_available: bool,
    start: Option<String>,
) -> Result<ChunkStream<api::SupplierItemHashesChunk>, Status> {
    keyset(
        HASHES_PER_PAGE,
        start,
        move |after| {
            let store = store.clone();
            async move {
                store
                    .list_supplier_item_hashes(
                        supplier_id,
                        only_available,
                        after.as_deref(),
                        HASHES_PER_PAGE,
                    )
                    .await
            }
        },
        |state: &OfferState| state.offer_id.clone(),
        pack_hashes,
    )
    .await
}

fn pack_hashes(page: Vec<OfferState>) -> Vec<api::SupplierItemHashesChunk> {
    let mut available = Vec::with_capacity(page.len());
    let prints: Vec<api::ItemFingerprint> = page
        .into_iter()
        .map(|state| {
            available.push(state.available);
            api::ItemFingerprint {
                offer_id: state.offer_id,
                content_hash: state.content_hash,
            }
        })
        .collect();
    let mut flags = available.into_iter();
    split_by_size(prints)
        .into_iter()
        .map(|items| api::SupplierItemHashesChunk {
            available: flags.by_ref().take(items.len()).collect(),
            items,
        })
        .collect()
}

/// `StreamSupplierItems`.
pub async fn supplier_items(
    store: DynStore,
    supplier_id: Uuid,
    only_available: bool,
    start: Option<String>,
) -> Result<ChunkStream<api::SupplierItemsChunk>, Status> {
    keyset(
        ITEMS_PER_PAGE,
        start,
        move |after| {
            let store = store.clone();
            async move {
                store
                    .list_supplier_items_by_offer_id(
                        supplier_id,
                        only_available,
                        after.as_deref(),
                        ITEMS_PER_PAGE,
                    )
                    .await
            }
        },
        |record| record.value.offer_id.as_str().to_owned(),
        |page| {
            let items = page.into_iter().map(super::supplier::item_to_pb).collect();
            split_by_size(items)
                .into_iter()
                .map(|items| api::SupplierItemsChunk { items })
                .collect()
        },
    )
    .await
}

/// `StreamProducts`.
pub async fn products(
    store: DynStore,
    status: Option<ProductStatus>,
    start: Option<String>,
) -> Result<ChunkStream<api::ProductsChunk>, Status> {
    keyset(
        PRODUCTS_PER_PAGE,
        start,
        move |after| {
            let store = store.clone();
            async move {
                store
                    .list_products_by_sku(status, after.as_deref(), PRODUCTS_PER_PAGE)
                    .await
            }
        },
        |record| record.value.sku.as_str().to_owned(),
        |page| {
            let items = page
                .into_iter()
                .map(super::product::product_to_pb)
                .collect();
            split_by_size(items)
                .into_iter()
                .map(|items| api::ProductsChunk { items })
                .collect()
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(offer: &str, hash_len: usize) -> api::ItemFingerprint {
        api::ItemFingerprint {
            offer_id: offer.into(),
            content_hash: "a".repeat(hash_len),
        }
    }

    #[test]
    fn pages_are_cut_by_encoded_size() {
        // 1 MiB entries: three fit under the 3 MiB cap only if overhead is ignored, so two go
        // per message; a single oversized entry still goes out alone.
        let entries: Vec<_> = (0..5).map(|i| print(&format!("O-{i}"), 1 << 20)).collect();
        let runs = split_by_size(entries);
        let sizes: Vec<usize> = runs.iter().map(Vec::len).collect();
        assert_eq!(sizes, [2, 2, 1]);
        assert_eq!(runs[2][0].offer_id, "O-4");
        let huge = split_by_size(vec![print("big", 5 << 20), print("small", 32)]);
        assert_eq!(huge.iter().map(Vec::len).collect::<Vec<_>>(), [1, 1]);
        assert!(split_by_size(Vec::<api::ItemFingerprint>::new()).is_empty());
    }

    #[test]
    fn hash_chunks_keep_available_parallel_to_items() {
        let page: Vec<OfferState> = (0..4)
            .map(|i| OfferState {
                offer_id: format!("O-{i}"),
                content_hash: "a".repeat(if i == 1 || i == 2 { 2 << 20 } else { 32 }),
                available: i % 2 == 0,
            })
            .collect();
        let chunks = pack_hashes(page);
        assert_eq!(chunks.len(), 2, "two 2 MiB entries never share a message");
        for chunk in &chunks {
            assert_eq!(chunk.items.len(), chunk.available.len());
        }
        let flat: Vec<(String, bool)> = chunks
            .iter()
            .flat_map(|c| c.items.iter().zip(&c.available))
            .map(|(p, a)| (p.offer_id.clone(), *a))
            .collect();
        assert_eq!(
            flat,
            [
                ("O-0".to_owned(), true),
                ("O-1".to_owned(), false),
                ("O-2".to_owned(), true),
                ("O-3".to_owned(), false)
            ]
        );
    }
}
