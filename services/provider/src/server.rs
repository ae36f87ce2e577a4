//! service_provider as a server: the gRPC API, the queue consumer of import requests and the
//! schedules, run together until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use carpetti_handle::GrpcServer;
use carpetti_handle::auth::Verifier;
use carpetti_handle::discovery::{Discovery, Registration};
use carpetti_proto::provider::v1::provider_service_server::ProviderServiceServer;
use carpetti_queue::Bus;
use tokio::net::TcpListener;

use crate::grpc::Provider;
use crate::import::Importer;
use crate::{consumer, schedule};

/// The discovery name of service_provider.
pub const SERVICE_NAME: &str = "provider";
/// Imports are long: a gRPC import may take this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3600);

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on {address}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Serve(#[from] carpetti_handle::HandleError),
    #[error("queue: {0}")]
    Queue(#[from] carpetti_queue::QueueError),
}

/// A bound, not yet serving, service_provider.
pub struct ProviderServer {
    importer: Arc<Importer>,
    work_dir: std::path::PathBuf,
    listener: TcpListener,
    address: SocketAddr,
    bus: Option<Arc<dyn Bus>>,
    schedules: bool,
    service_auth: Option<Verifier>,
    registration: Option<(Arc<dyn Discovery>, Registration)>,
}

impl ProviderServer {
    pub async fn bind(
        importer: Arc<Importer>,
        work_dir: std::path::PathBuf,
        address: SocketAddr,
    ) -> Result<Self, Error> {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| Error::Bind { address, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| Error::Bind { address, source })?;
        Ok(Self {
            importer,
            work_dir,
            listener,
            address,
            bus: None,
            schedules: false,
            service_auth: None,
            registration: None,
        })
    }

    /// Consumes import requests from `bus`.
    pub fn with_bus(mut self, bus: Arc<dyn Bus>) -> Self {
        self.bus = Some(bus);
        self
    }

    /// Runs the suppliers' schedules.
    pub fn with_schedules(mut self, on: bool) -> Self {
        self.schedules = on;
        self
    }

    pub fn with_service_auth(mut self, verifier: Verifier) -> Self {
        self.service_auth = Some(verifier);
        self
    }

    pub fn with_registration(
        mut self,
        discovery: Arc<dyn Discovery>,
        registration: Registration,
    ) -> Self {
        self.registration = Some((discovery, registration));
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `shutdown` resolves.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        tracing::info!(address = %self.address, "service_provider listening");
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = move || {
            let mut rx = stop_rx.clone();
            async move {
                let _ = rx.wait_for(|stop| *stop).await;
            }
        };
        let mut background = tokio::task::JoinSet::new();
        background.spawn(close_interrupted(Arc::clone(&self.importer), stopped()));
        if let Some(bus) = self.bus.clone() {
            let handler = consumer::ImportRequests::new(Arc::clone(&self.importer));
            let subscription = consumer::subscription()?;
            let stop = stopped();
            background.spawn(async move {
                if let Err(err) =
                    carpetti_queue::run_consumer(bus.as_ref(), subscription, handler, 2, stop).await
                {
                    tracing::error!(%err, "the import-request consumer stopped");
                }
            });
        }
        if self.schedules {
            background.spawn(schedule::run(Arc::clone(&self.importer), stopped()));
        }
        let mut server = GrpcServer::new(SERVICE_NAME)
            .file_descriptor_set(carpetti_proto::FILE_DESCRIPTOR_SET)
            .request_timeout(REQUEST_TIMEOUT)
            .add_service(
                ProviderServiceServer::new(Provider::new(
                    Arc::clone(&self.importer),
                    self.work_dir,
                ))
                .max_decoding_message_size(8 << 20),
            );
        if let Some(verifier) = self.service_auth {
            server = server.with_service_auth(verifier);
        }
        let served = server
            .serve_maybe_registered(self.listener, shutdown, self.registration)
            .await;
        let _ = stop_tx.send(true);
        while background.join_next().await.is_some() {}
        served?;
        Ok(())
    }
}

/// Closes the import runs left RUNNING by a provider that stopped during them: when the server
/// starts (this process owns no run yet; another provider's live runs keep beating), then every
/// half `stale_after`, so a crashed run does not wait for its supplier's next import.
async fn close_interrupted(importer: Arc<Importer>, shutdown: impl Future<Output = ()> + Send) {
    tokio::pin!(shutdown);
    let every = (importer.options().stale_after / 2).max(Duration::from_secs(1));
    loop {
        match importer.close_interrupted().await {
            Ok(0) => {}
            Ok(closed) => tracing::info!(
                closed,
                "closed import runs interrupted by a stopped provider"
            ),
            Err(err) => tracing::warn!(%err, "could not close interrupted import runs"),
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}
