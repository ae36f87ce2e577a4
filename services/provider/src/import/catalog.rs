//! What an import needs from service_persist, behind a trait ([`Catalog`]) so the pipeline does not
//! care whether persist runs in this process or elsewhere; [`PersistCatalog`] is the gRPC one.

use async_trait::async_trait;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::ImportError;

/// One stored item of a supplier as the import compares against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHash {
    pub offer_id: String,
    /// The stored content hash (hex, as `SupplierItem.content_hash`).
    pub content_hash: String,
    pub available: bool,
}

/// A stream of chunks of stored hashes.
pub type HashChunks = BoxStream<'static, Result<Vec<StoredHash>, ImportError>>;
/// A stream of bulk-upsert answers (one per chunk sent, then the summary).
pub type UpsertAnswers = BoxStream<'static, Result<api::BulkUpsertResponse, ImportError>>;

/// service_persist as the import uses it.
#[async_trait]
pub trait Catalog: Send + Sync {
    async fn supplier(&self, code: &str) -> Result<cat::Supplier, ImportError>;
    /// Every active supplier (for the schedules).
    async fn active_suppliers(&self) -> Result<Vec<cat::Supplier>, ImportError>;
    async fn update_supplier(&self, supplier: cat::Supplier) -> Result<cat::Supplier, ImportError>;
    async fn create_run(&self, run: cat::ImportRun) -> Result<cat::ImportRun, ImportError>;
    async fn update_run(&self, run: cat::ImportRun) -> Result<cat::ImportRun, ImportError>;
    async fn get_run(&self, id: &str) -> Result<cat::ImportRun, ImportError>;
    /// Every RUNNING import run, of one supplier (id) or of all.
    async fn running_runs(
        &self,
        supplier_id: Option<&str>,
    ) -> Result<Vec<cat::ImportRun>, ImportError>;
    /// The rejected item reports of a run, up to `limit`.
    async fn rejected(
        &self,
        run_id: &str,
        limit: u32,
    ) -> Result<Vec<cat::ImportItemReport>, ImportError>;
    /// Every stored item of the supplier: offer id, content hash, availability.
    async fn hashes(&self, supplier_id: &str) -> Result<HashChunks, ImportError>;
    /// Opens the bulk upsert; every message sent on `chunks` is one committed chunk.
    async fn upsert(
        &self,
        chunks: mpsc::Receiver<api::UpsertSupplierItemsRequest>,
    ) -> Result<UpsertAnswers, ImportError>;
    /// Marks offers unavailable (gone from the feed); answers per offer.
    async fn mark_gone(
        &self,
        supplier_id: &str,
        run_id: &str,
        offer_ids: Vec<String>,
    ) -> Result<Vec<api::ItemResult>, ImportError>;
    async fn add_reports(
        &self,
        run_id: &str,
        reports: Vec<cat::ImportItemReport>,
    ) -> Result<u64, ImportError>;
}

/// [`Catalog`] over persist's gRPC API.
#[derive(Clone)]
pub struct PersistCatalog {
    client: PersistClient,
}

impl PersistCatalog {
    pub fn new(client: PersistClient) -> Self {
        Self { client }
    }
}

/// Up to `limit` entries of a paged list: `fetch` answers one page's entries and the next cursor
/// for `query` at its cursor.
async fn list_pages<T, F, Fut>(
    mut query: api::ListQuery,
    limit: usize,
    fetch: F,
) -> Result<Vec<T>, ImportError>
where
    F: Fn(api::ListQuery) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, String), ImportError>>,
{
    let mut found = Vec::new();
    while found.len() < limit {
        let (page, next) = fetch(query.clone()).await?;
        found.extend(page);
        if next.is_empty() {
            break;
        }
        query.cursor = next;
    }
    found.truncate(limit);
    Ok(found)
}

fn status(what: &'static str) -> impl Fn(tonic::Status) -> ImportError {
    move |status| ImportError::Persist {
        what,
        code: status.code(),
        message: status.message().to_owned(),
    }
}

#[async_trait]
impl Catalog for PersistCatalog {
    async fn supplier(&self, code: &str) -> Result<cat::Supplier, ImportError> {
        let request = api::GetRequest {
            key: code.to_owned(),
            ..Default::default()
        };
        match self.client.suppliers().get_supplier(request).await {
            Ok(found) => Ok(found.into_inner()),
            Err(s) if s.code() == tonic::Code::NotFound => {
                Err(ImportError::UnknownSupplier(code.to_owned()))
            }
            Err(s) => Err(status("reading the supplier")(s)),
        }
    }

    async fn active_suppliers(&self) -> Result<Vec<cat::Supplier>, ImportError> {
        let query = api::ListQuery {
            page_size: 1000,
            ..Default::default()
        };
        let all = list_pages(query, usize::MAX, |query| async {
            let page = self.client.suppliers().list_suppliers(query).await;
            let page = page.map_err(status("listing suppliers"))?.into_inner();
            Ok((page.items, page.next_cursor))
        })
        .await?;
        Ok(all.into_iter().filter(|s| s.active).collect())
    }

    async fn update_supplier(&self, supplier: cat::Supplier) -> Result<cat::Supplier, ImportError> {
        let saved = self.client.suppliers().update_supplier(supplier).await;
        Ok(saved.map_err(status("saving the supplier"))?.into_inner())
    }

    async fn create_run(&self, run: cat::ImportRun) -> Result<cat::ImportRun, ImportError> {
        let saved = self.client.imports().create_import_run(run).await;
        Ok(saved
            .map_err(status("recording the import run"))?
            .into_inner())
    }

    async fn update_run(&self, run: cat::ImportRun) -> Result<cat::ImportRun, ImportError> {
        let saved = self.client.imports().update_import_run(run).await;
        Ok(saved
            .map_err(status("recording the import run"))?
            .into_inner())
    }

    async fn get_run(&self, id: &str) -> Result<cat::ImportRun, ImportError> {
        let request = api::GetRequest {
            id: id.to_owned(),
            ..Default::default()
        };
        match self.client.imports().get_import_run(request).await {
            Ok(found) => Ok(found.into_inner()),
            Err(s) if s.code() == tonic::Code::NotFound => {
                Err(ImportError::UnknownRun(id.to_owned()))
            }
            Err(s) => Err(status("reading the import run")(s)),
        }
    }

    async fn running_runs(
        &self,
        supplier_id: Option<&str>,
    ) -> Result<Vec<cat::ImportRun>, ImportError> {
        let query = api::ListQuery {
            supplier_id: supplier_id.unwrap_or_default().to_owned(),
            status: "running".to_owned(),
            page_size: 1000,
            ..Default::default()
        };
        list_pages(query, usize::MAX, |query| async {
            let page = self.client.imports().list_import_runs(query).await;
            let page = page.map_err(status("listing running imports"))?;
            let page = page.into_inner();
            Ok((page.items, page.next_cursor))
        })
        .await
    }

    async fn rejected(
        &self,
        run_id: &str,
        limit: u32,
    ) -> Result<Vec<cat::ImportItemReport>, ImportError> {
        let query = api::ListQuery {
            import_run_id: run_id.to_owned(),
            status: "rejected".to_owned(),
            page_size: i32::try_from(limit.min(1000)).unwrap_or(1000),
            ..Default::default()
        };
        list_pages(query, limit as usize, |query| async {
            let page = self.client.imports().list_import_item_reports(query).await;
            let page = page.map_err(status("reading the item reports"))?;
            let page = page.into_inner();
            Ok((page.items, page.next_cursor))
        })
        .await
    }

    async fn hashes(&self, supplier_id: &str) -> Result<HashChunks, ImportError> {
        let request = api::ListSupplierItemHashesRequest {
            supplier_id: supplier_id.to_owned(),
            only_available: false,
            after_offer_id: String::new(),
        };
        let stream = self
            .client
            .suppliers()
            .list_supplier_item_hashes(request)
            .await;
        let stream = stream
            .map_err(status("reading the stored items"))?
            .into_inner();
        Ok(stream
            .map(|chunk| {
                let chunk = chunk.map_err(status("reading the stored items"))?;
                Ok(stored_hashes(chunk))
            })
            .boxed())
    }

    async fn upsert(
        &self,
        chunks: mpsc::Receiver<api::UpsertSupplierItemsRequest>,
    ) -> Result<UpsertAnswers, ImportError> {
        let answers = self
            .client
            .suppliers()
            .upsert_supplier_items(ReceiverStream::new(chunks))
            .await;
        let answers = answers.map_err(status("writing the items"))?.into_inner();
        Ok(answers
            .map(|answer| answer.map_err(status("writing the items")))
            .boxed())
    }

    async fn mark_gone(
        &self,
        supplier_id: &str,
        run_id: &str,
        offer_ids: Vec<String>,
    ) -> Result<Vec<api::ItemResult>, ImportError> {
        let request = api::MarkSupplierItemsGoneRequest {
            supplier_id: supplier_id.to_owned(),
            import_run_id: run_id.to_owned(),
            offer_ids,
        };
        let answer = self
            .client
            .suppliers()
            .mark_supplier_items_gone(request)
            .await;
        Ok(answer
            .map_err(status("marking gone items"))?
            .into_inner()
            .results)
    }

    async fn add_reports(
        &self,
        run_id: &str,
        reports: Vec<cat::ImportItemReport>,
    ) -> Result<u64, ImportError> {
        let request = api::AddImportItemReportsRequest {
            import_run_id: run_id.to_owned(),
            reports,
        };
        let answer = self.client.imports().add_import_item_reports(request).await;
        Ok(answer
            .map_err(status("storing the item reports"))?
            .into_inner()
            .added)
    }
}

/// The persist chunk as the import keeps it.
fn stored_hashes(chunk: api::SupplierItemHashesChunk) -> Vec<StoredHash> {
    let available = chunk.available;
    chunk
        .items
        .into_iter()
        .enumerate()
        .map(|(n, item)| StoredHash {
            offer_id: item.offer_id,
            content_hash: item.content_hash,
            // Absent flags (an older server) count as available: at worst a gone offer that was
            // already unavailable is sent to MarkSupplierItemsGone, which answers UNCHANGED.
            available: available.get(n).copied().unwrap_or(true),
        })
        .collect()
}
