//! `PersistServer`: opens the configured store, binds the listener and serves the persist
//! services with health and reflection until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use carpetti_config::{Config, DatabaseTarget};
use carpetti_handle::GrpcServer;
use carpetti_handle::auth::Verifier;
use carpetti_handle::discovery::{Discovery, Registration};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::store::DynStore;
use crate::store::postgres::{PgOptions, PgStore};
use crate::store::sqlite::SqliteStore;

/// Why service_persist could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Opening or migrating the database failed.
    #[error("cannot open the database: {0}")]
    Store(#[from] crate::StoreError),
    /// Binding the listen address failed.
    #[error("cannot listen on {address}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    /// The gRPC server failed.
    #[error(transparent)]
    Serve(#[from] carpetti_handle::HandleError),
}

/// Opens the store the configuration names: PostgreSQL for a `postgres://` URL, else the SQLite
/// file (by default `{data_dir}/carpetti.db`).
pub async fn open_store(config: &Config) -> Result<DynStore, crate::StoreError> {
    Ok(match config.database_target() {
        DatabaseTarget::Postgres(url) => {
            let options = PgOptions {
                max_connections: config.database.max_connections,
                connect_timeout: Duration::from_secs(config.database.connect_timeout_secs),
                statement_timeout: Duration::from_secs(config.database.statement_timeout_secs),
            };
            Arc::new(PgStore::connect(url.expose_secret(), &options).await?)
        }
        DatabaseTarget::Sqlite(path) => Arc::new(SqliteStore::open(&path).await?),
    })
}

/// How often old tombstones are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The discovery name of service_persist (and the audience of the tokens sent to it).
pub const SERVICE_NAME: &str = "persist";

/// service_persist, ready to run.
pub struct PersistServer {
    store: DynStore,
    listener: TcpListener,
    address: SocketAddr,
    /// Tombstones older than this are pruned hourly; `None` keeps them.
    tombstone_retention: Option<Duration>,
    /// Verifies the service token of every call (health and reflection stay open).
    service_auth: Option<Verifier>,
    /// Registered there while serving, deregistered on shutdown.
    registration: Option<(Arc<dyn Discovery>, Registration)>,
}

impl PersistServer {
    /// Connects and migrates the database and binds `config.persist.listen`.
    pub async fn build(config: &Config) -> Result<PersistServer, Error> {
        let store = open_store(config).await?;
        let days = config.persist.tombstone_retention_days;
        let server = Self::with_store(store, config.persist.listen).await?;
        Ok(server
            .tombstone_retention((days > 0).then(|| Duration::from_secs(u64::from(days) * 86_400))))
    }

    /// Prunes tombstones older than `retention` (at start, then hourly); `None` keeps them.
    pub fn tombstone_retention(mut self, retention: Option<Duration>) -> Self {
        self.tombstone_retention = retention;
        self
    }

    /// Serves an already opened store on `address` (port 0 picks a free port).
    pub async fn with_store(store: DynStore, address: SocketAddr) -> Result<PersistServer, Error> {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| Error::Bind { address, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| Error::Bind { address, source })?;
        Ok(PersistServer {
            store,
            listener,
            address,
            tombstone_retention: None,
            service_auth: None,
            registration: None,
        })
    }

    /// Requires a valid service token on every call (see `carpetti_handle::auth`).
    pub fn with_service_auth(mut self, verifier: Verifier) -> Self {
        self.service_auth = Some(verifier);
        self
    }

    /// Registers in `discovery` while serving (with a gRPC health check against itself) and
    /// deregisters as soon as shutdown begins.
    pub fn with_registration(
        mut self,
        discovery: Arc<dyn Discovery>,
        registration: Registration,
    ) -> Self {
        self.registration = Some((discovery, registration));
        self
    }

    /// The address actually listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// What the data lives in.
    pub fn backend_description(&self) -> String {
        self.store.describe()
    }

    /// The store (for in-process callers such as benchmarks).
    pub fn store(&self) -> DynStore {
        self.store.clone()
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        tracing::info!(address = %self.address, backend = %self.store.describe(), "service_persist listening");
        let pruner = self
            .tombstone_retention
            .map(|retention| tokio::spawn(prune_tombstones(self.store.clone(), retention)));
        let mut server = crate::grpc::register(GrpcServer::new(SERVICE_NAME), self.store.clone());
        if let Some(verifier) = self.service_auth {
            server = server.with_service_auth(verifier);
        }
        let served = server
            .serve_maybe_registered(self.listener, shutdown, self.registration)
            .await;
        if let Some(pruner) = pruner {
            // An interrupted prune rolls back; the next start prunes again.
            pruner.abort();
        }
        // Close the pools so SQLite checkpoints its WAL and PostgreSQL sessions end cleanly.
        self.store.close().await;
        served?;
        Ok(())
    }
}

/// Prunes tombstones older than `retention` now and then every [`PRUNE_EVERY`]. Failures are
/// logged and retried at the next tick: pruning is housekeeping, never a reason to stop serving.
async fn prune_tombstones(store: DynStore, retention: Duration) {
    let mut ticks = tokio::time::interval(PRUNE_EVERY);
    loop {
        ticks.tick().await;
        let Ok(age) = chrono::Duration::from_std(retention) else {
            return;
        };
        let before = carpetti_util::now() - age;
        match store.prune_tombstones(before).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, %before, "pruned old tombstones"),
            Err(error) => tracing::warn!(%error, "pruning tombstones failed; retrying later"),
        }
    }
}
