//! The import test harness: a real service_persist on a loopback port over SQLite or PostgreSQL
//! (each test its own database), the importer on it through the gRPC client, and an embedded
//! durable bus subscribed to `provider.items_changed`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use carpetti_persist::PersistServer;
use carpetti_persist::store::DynStore;
use carpetti_persist::store::postgres::{PgOptions, PgStore};
use carpetti_persist::store::sqlite::SqliteStore;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::provider::v1 as pb;
use carpetti_proto::provider::v1::provider_service_client::ProviderServiceClient;
use carpetti_provider::ProviderServer;
use carpetti_provider::format::Format;
use carpetti_provider::import::{
    ITEMS_CHANGED_TOPIC, ImportRequest, Importer, ImporterOptions, NoProgress, PersistCatalog,
    Upload,
};
use carpetti_provider::source::{Fetcher, FetcherConfig};
use carpetti_queue::{Bus, Deliveries, EmbeddedBus, EmbeddedOptions, Subscription, TopicPattern};
use carpetti_repo::{CallPolicy, PersistClient};
use carpetti_testkit::{TestPgDatabase, TestSqliteDatabase};
use prost::Message as _;

/// Which database persist runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's system.
pub struct Harness {
    pub client: PersistClient,
    pub importer: Arc<Importer>,
    pub bus: Arc<dyn Bus>,
    pub changes: Deliveries,
    pub work: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<Result<(), carpetti_persist::Error>>>,
    _pg: Option<TestPgDatabase>,
    _sqlite: Option<TestSqliteDatabase>,
}

impl Harness {
    pub async fn start(backend: Backend) -> Result<Self> {
        let (store, pg, sqlite): (DynStore, _, _) = match backend {
            Backend::Sqlite => {
                let db = TestSqliteDatabase::create()?;
                let store = Arc::new(SqliteStore::open(&db.path()).await?);
                (store, None, Some(db))
            }
            Backend::Postgres => {
                let db = TestPgDatabase::create().await?;
                let options = PgOptions {
                    max_connections: 4,
                    connect_timeout: std::time::Duration::from_secs(10),
                    statement_timeout: std::time::Duration::from_secs(60),
                };
                let store = Arc::new(PgStore::connect(db.url(), &options).await?);
                (store, Some(db), None)
            }
        };
        let server = PersistServer::with_store(store, "127.0.0.1:0".parse()?).await?;
        let address = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let (_tx, watch) = tokio::sync::watch::channel(vec![address]);
        // The sender is dropped: the receiver keeps the last list, which is all a test needs.
        let client = PersistClient::new(watch, CallPolicy::default(), Vec::new());
        let work = tempfile::tempdir()?;
        let bus: Arc<dyn Bus> = Arc::new(
            EmbeddedBus::open(&work.path().join("queue.db"), EmbeddedOptions::default()).await?,
        );
        let subscription = Subscription::new(
            "test-process",
            vec![TopicPattern::parse(ITEMS_CHANGED_TOPIC)?],
        );
        let changes = bus.subscribe(subscription).await?;
        let importer = new_importer(&client, &bus, options(work.path()))?;
        Ok(Self {
            client,
            importer,
            bus,
            changes,
            work,
            stop: Some(stop),
            serving: Some(serving),
            _pg: pg,
            _sqlite: sqlite,
        })
    }

    /// The importer options of the tests: the harness's work directory, 2 workers, every
    /// rejected item in a report.
    pub fn options(&self) -> ImporterOptions {
        options(self.work.path())
    }

    /// Another importer on the same persist and bus, as a new provider process would build it.
    pub fn new_importer(&self, options: ImporterOptions) -> Result<Arc<Importer>> {
        new_importer(&self.client, &self.bus, options)
    }

    /// Creates a supplier with `settings` (JSON).
    pub async fn supplier(&self, code: &str, settings: serde_json::Value) -> Result<cat::Supplier> {
        self.supplier_with_feed(code, settings, None).await
    }

    /// Creates a YML supplier with `settings` (JSON) and a `feed_url` (a URL or a path).
    pub async fn supplier_with_feed(
        &self,
        code: &str,
        settings: serde_json::Value,
        feed_url: Option<String>,
    ) -> Result<cat::Supplier> {
        let supplier = cat::Supplier {
            code: code.to_owned(),
            name: format!("Поставщик {code}"),
            feed_format: cat::FeedFormat::Yml as i32,
            active: true,
            feed_url,
            settings: Some(carpetti_persist::grpc::convert::json_to_struct(&settings)),
            ..Default::default()
        };
        Ok(self
            .client
            .suppliers()
            .create_supplier(supplier)
            .await?
            .into_inner())
    }

    /// Imports the file at `path` for `code`.
    pub async fn import_file(&self, code: &str, path: &Path) -> Result<pb::ImportReport> {
        let request = ImportRequest {
            supplier_code: code.to_owned(),
            upload: Some(Upload {
                path: path.to_owned(),
                name: path.display().to_string(),
            }),
            format: Format::from_file_name(&path.display().to_string()).or(Some(Format::Yml)),
            ..Default::default()
        };
        Ok(self.importer.import(request, Arc::new(NoProgress)).await?)
    }

    /// Writes `text` to a file in the work directory and imports it.
    pub async fn import_text(
        &self,
        code: &str,
        name: &str,
        text: &str,
    ) -> Result<pb::ImportReport> {
        let path = self.work.path().join(name);
        std::fs::write(&path, text)?;
        self.import_file(code, &path).await
    }

    /// Every import run of a supplier, oldest first.
    pub async fn runs(&self, supplier_id: &str) -> Result<Vec<cat::ImportRun>> {
        let mut runs = all_pages(supplier_id, |query| async {
            let page = self.client.imports().list_import_runs(query).await?;
            let page = page.into_inner();
            Ok((page.items, page.next_cursor))
        })
        .await?;
        runs.sort_by_key(|r| r.started_at.map(|t| (t.seconds, t.nanos)));
        Ok(runs)
    }

    /// Every item of a supplier, by offer id.
    pub async fn items(&self, supplier_id: &str) -> Result<Vec<cat::SupplierItem>> {
        let mut items = all_pages(supplier_id, |query| async {
            let page = self.client.suppliers().list_supplier_items(query).await?;
            let page = page.into_inner();
            Ok((page.items, page.next_cursor))
        })
        .await?;
        items.sort_by(|a, b| a.offer_id.cmp(&b.offer_id));
        Ok(items)
    }

    /// The next items-changed announcement (acked).
    pub async fn next_change(&mut self) -> Result<pb::SupplierItemsChanged> {
        let delivery =
            tokio::time::timeout(std::time::Duration::from_secs(10), self.changes.next())
                .await
                .context("no items-changed message within 10 s")?
                .context("the subscription ended")?;
        let message = pb::SupplierItemsChanged::decode(delivery.envelope.payload.clone())?;
        delivery.ack().await?;
        Ok(message)
    }

    /// A real service_provider on 127.0.0.1:0 over `importer`, consuming import requests from
    /// `bus` when one is given, and a gRPC client of it.
    pub async fn serve_provider(
        &self,
        importer: Arc<Importer>,
        bus: Option<Arc<dyn Bus>>,
    ) -> Result<Provider> {
        let mut server = ProviderServer::bind(
            importer,
            self.work.path().to_owned(),
            "127.0.0.1:0".parse()?,
        )
        .await?;
        if let Some(bus) = bus {
            server = server.with_bus(bus);
        }
        let address = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let client = ProviderServiceClient::connect(format!("http://{address}")).await?;
        Ok(Provider {
            client,
            stop: Some(stop),
            serving: Some(serving),
        })
    }

    pub async fn stop(mut self) -> Result<()> {
        self.bus.close().await;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving.await??;
        }
        Ok(())
    }
}

fn options(work: &Path) -> ImporterOptions {
    ImporterOptions {
        work_dir: work.to_owned(),
        workers: 2,
        report_rejected: 10_000,
        ..ImporterOptions::default()
    }
}

fn new_importer(
    client: &PersistClient,
    bus: &Arc<dyn Bus>,
    options: ImporterOptions,
) -> Result<Arc<Importer>> {
    Ok(Arc::new(Importer::new(
        Arc::new(PersistCatalog::new(client.clone())),
        Arc::new(Fetcher::new(FetcherConfig::default())?),
        Some(Arc::clone(bus)),
        options,
    )))
}

/// A running service_provider and its gRPC client.
pub struct Provider {
    pub client: ProviderServiceClient<tonic::transport::Channel>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<Result<(), carpetti_provider::Error>>>,
}

impl Provider {
    /// Shuts the server down and waits for it (and its consumer) to stop.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving.await??;
        }
        Ok(())
    }
}

/// The real feeds from the field (testdata/feeds/real, copied from ../shared/testdata/feeds).
pub fn real_feed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/feeds/real")
        .join(name)
}

pub fn meta_id(meta: Option<&cat::EntityMeta>) -> String {
    meta.map(|m| m.id.clone()).unwrap_or_default()
}

/// `on_each_backend!(case, …)`: each case runs as `<case>::sqlite` and `<case>::postgres`.
macro_rules! on_each_backend {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() -> anyhow::Result<()> {
                    super::$name(crate::import::harness::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() -> anyhow::Result<()> {
                    super::$name(crate::import::harness::Backend::Postgres).await
                }
            }
        )*
    };
}
pub(crate) use on_each_backend;

/// Every page of a supplier-scoped list: `fetch` answers a page's entries and the next cursor.
async fn all_pages<T, F, Fut>(supplier_id: &str, mut fetch: F) -> Result<Vec<T>>
where
    F: FnMut(api::ListQuery) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, String)>>,
{
    let mut entries = Vec::new();
    let mut cursor = String::new();
    loop {
        let query = api::ListQuery {
            supplier_id: supplier_id.to_owned(),
            cursor: std::mem::take(&mut cursor),
            page_size: 1000,
            ..Default::default()
        };
        let (page, next) = fetch(query).await?;
        entries.extend(page);
        if next.is_empty() {
            return Ok(entries);
        }
        cursor = next;
    }
}
