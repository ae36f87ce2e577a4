//! [`GrpcServer`]: the gRPC server builder every Carpetti service uses.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use http::{Request, Response};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::service::RoutesBuilder;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use crate::{HandleError, RequestContextLayer};

/// Default ceiling on one request's handling (until its response headers); a caller's shorter
/// `grpc-timeout` wins. Generous so that client-streaming bulk imports fit.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(300);
/// Default time in-flight requests get to finish after the shutdown signal.
const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// HTTP/2 PING interval and how long to wait for its answer before dropping a dead peer.
const H2_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
const H2_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);
/// TCP keepalive on accepted sockets.
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);

/// Builds and runs one gRPC server: the services added, plus `grpc.health.v1.Health` and server
/// reflection (`grpc.reflection.v1` and `v1alpha`), behind the request-id and tracing layer.
/// Every request also continues (or starts) a W3C trace ([`crate::observe::ServerTraceLayer`])
/// and is counted and timed ([`crate::observe::GrpcMetricsLayer`]).
///
/// ```no_run
/// # async fn run() -> Result<(), carpetti_handle::HandleError> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// carpetti_handle::GrpcServer::new("example")
///     .serve(listener, carpetti_handle::shutdown_signal())
///     .await
/// # }
/// ```
#[derive(Debug)]
pub struct GrpcServer {
    label: &'static str,
    routes: RoutesBuilder,
    names: Vec<&'static str>,
    descriptors: Vec<&'static [u8]>,
    health: HealthReporter,
    request_timeout: Duration,
    drain_timeout: Duration,
    service_auth: Option<crate::auth::ServiceAuthLayer>,
}

impl GrpcServer {
    /// A server for the service labelled `service_label` in logs (e.g. `"persist"`), with the
    /// health service already added.
    pub fn new(service_label: &'static str) -> Self {
        let (health, health_service) = tonic_health::server::health_reporter();
        let mut routes = RoutesBuilder::default();
        routes.add_service(health_service.clone());
        GrpcServer {
            label: service_label,
            routes,
            names: vec![name_of(&health_service)],
            descriptors: Vec::new(),
            health,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            service_auth: None,
        }
    }

    /// Registers an encoded `FileDescriptorSet` (e.g. `carpetti_proto::FILE_DESCRIPTOR_SET`) with
    /// server reflection, so that grpcurl and other clients can list and call the services it
    /// describes. May be called several times. The health and reflection services are always
    /// described.
    pub fn file_descriptor_set(mut self, bytes: &'static [u8]) -> Self {
        self.descriptors.push(bytes);
        self
    }

    /// Adds a tonic service; its name (`S::NAME`) is reported `SERVING` by the health service
    /// while the server runs.
    pub fn add_service<S>(mut self, svc: S) -> Self
    where
        S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        self.routes.add_service(svc);
        self.names.push(S::NAME);
        self
    }

    /// Caps how long one request may take to produce its response (default 300 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long in-flight requests (and open streams such as health watches) may keep the
    /// server up after the shutdown signal (default 10 s).
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Requires a valid service token (see [`crate::auth`]) on every call except
    /// `grpc.health.v1.Health` and `grpc.reflection.*`; refused calls get `UNAUTHENTICATED`,
    /// accepted ones carry the [`crate::auth::Caller`] in their extensions.
    pub fn with_service_auth(mut self, verifier: crate::auth::Verifier) -> Self {
        self.service_auth = Some(crate::auth::ServiceAuthLayer::new(verifier));
        self
    }

    /// The health reporter, for a service that must report itself `NOT_SERVING` (e.g. its
    /// database is gone) and back.
    pub fn health_reporter(&self) -> HealthReporter {
        self.health.clone()
    }

    /// Serves on `listener` until `shutdown` resolves. Every added service and the server as a
    /// whole (`""`) are `SERVING` meanwhile. On shutdown everything turns `NOT_SERVING`, the
    /// listener closes, and in-flight requests get the drain timeout to finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), HandleError> {
        let address = listener.local_addr()?;
        let mut routes = self.routes;
        let mut names = self.names;

        let mut v1 = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET);
        let mut v1alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET);
        for bytes in &self.descriptors {
            v1 = v1.register_encoded_file_descriptor_set(bytes);
            v1alpha = v1alpha.register_encoded_file_descriptor_set(bytes);
        }
        let (v1, v1alpha) = (v1.build_v1()?, v1alpha.build_v1alpha()?);
        names.push(name_of(&v1));
        names.push(name_of(&v1alpha));
        routes.add_service(v1);
        routes.add_service(v1alpha);
        // Metrics label only the services served here (bounded label values).
        let metrics_layer = crate::observe::GrpcMetricsLayer::new(names.iter().copied());

        let health = self.health;
        health.set_service_status("", ServingStatus::Serving).await;
        for name in &names {
            health
                .set_service_status(name, ServingStatus::Serving)
                .await;
        }

        let (draining_tx, draining_rx) = oneshot::channel::<()>();
        let label = self.label;
        let signal = async move {
            shutdown.await;
            tracing::info!(
                service = label,
                "shutdown: reporting NOT_SERVING and draining"
            );
            health
                .set_service_status("", ServingStatus::NotServing)
                .await;
            for name in &names {
                health
                    .set_service_status(name, ServingStatus::NotServing)
                    .await;
            }
            // The receiver is gone only when serving already ended.
            let _ = draining_tx.send(());
        };

        let incoming = TcpIncoming::from(listener)
            .with_nodelay(Some(true))
            .with_keepalive(Some(TCP_KEEPALIVE));
        let mut builder = Server::builder()
            .timeout(self.request_timeout)
            .http2_keepalive_interval(Some(H2_KEEPALIVE_INTERVAL))
            .http2_keepalive_timeout(Some(H2_KEEPALIVE_TIMEOUT))
            // Outermost: the trace span encloses the request span, so its logs carry trace ids.
            .layer(crate::observe::ServerTraceLayer)
            .layer(metrics_layer)
            .layer(RequestContextLayer::new(label))
            .layer(tower::util::option_layer(self.service_auth));
        let server = builder
            .add_routes(routes.routes())
            .serve_with_incoming_shutdown(incoming, signal);
        tracing::info!(service = label, %address, "gRPC server listening");

        let drain_timeout = self.drain_timeout;
        let drain_deadline = async move {
            match draining_rx.await {
                Ok(()) => tokio::time::sleep(drain_timeout).await,
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            result = server => {
                result?;
                tracing::info!(service = label, "gRPC server stopped");
            }
            () = drain_deadline => {
                tracing::warn!(
                    service = label,
                    ?drain_timeout,
                    "drain timeout elapsed with requests still open; stopping anyway"
                );
            }
        }
        Ok(())
    }
}

fn name_of<S: NamedService>(_: &S) -> &'static str {
    S::NAME
}
