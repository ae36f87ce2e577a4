//! The Prometheus side: [`install_metrics`] installs the process's `metrics` recorder once, and
//! [`MetricsServer`] serves `GET /metrics` from it.
//!
//! The endpoint is served here on axum (already in the build through tonic's router) rather
//! than by the exporter's own `http-listener`: the caller binds the listener (so port 0 and
//! bind errors behave as for the gRPC server), it stops with the same shutdown signal, and the
//! exporter builds without its hyper server and push-gateway client.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use super::names::{LATENCY_BUCKETS, describe_metrics};
use crate::observe::ObserveError;

/// The content type of the Prometheus text exposition format.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// How often histograms are drained and idle data dropped.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

static INSTALLED: Mutex<Option<MetricsHandle>> = Mutex::new(None);

/// The installed recorder: renders the current values in the Prometheus text format.
#[derive(Debug, Clone)]
pub struct MetricsHandle {
    inner: PrometheusHandle,
}

impl MetricsHandle {
    /// Every metric now, in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.inner.render()
    }

    /// Drains histogram samples into their buckets (done every 5 s by [`MetricsServer`]).
    pub fn run_upkeep(&self) {
        self.inner.run_upkeep();
    }
}

/// Installs the Prometheus recorder as the process's `metrics` recorder (histograms of every
/// `*_seconds` metric get [`LATENCY_BUCKETS`]) and describes carpetti-handle's metrics. Calling
/// it again returns the same handle, so every service of one process (`carpetti up`) shares it.
/// Fails if another recorder was installed first.
pub fn install_metrics() -> Result<MetricsHandle, ObserveError> {
    let mut installed = INSTALLED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let inner = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)?
        .install_recorder()?;
    describe_metrics();
    let handle = MetricsHandle { inner };
    *installed = Some(handle.clone());
    Ok(handle)
}

/// Serves `GET /metrics` (Prometheus text format) for one process.
///
/// ```no_run
/// # async fn run() -> Result<(), carpetti_handle::observe::ObserveError> {
/// use carpetti_handle::observe::{MetricsServer, install_metrics};
/// let handle = install_metrics()?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:9464").await?;
/// MetricsServer::new(handle).serve(listener, carpetti_handle::shutdown_signal()).await
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MetricsServer {
    handle: MetricsHandle,
}

impl MetricsServer {
    /// A server rendering from `handle`.
    pub fn new(handle: MetricsHandle) -> MetricsServer {
        MetricsServer { handle }
    }

    /// Serves on `listener` until `shutdown` resolves, running the recorder's upkeep meanwhile.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ObserveError> {
        let address = listener.local_addr()?;
        let render = self.handle.clone();
        let app = Router::new().route(
            "/metrics",
            get(move || {
                let handle = render.clone();
                async move { ([(CONTENT_TYPE, TEXT_FORMAT)], handle.render()).into_response() }
            }),
        );
        let upkeep = self.handle.clone();
        let upkeep_task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(UPKEEP_INTERVAL);
            loop {
                tick.tick().await;
                upkeep.run_upkeep();
            }
        });
        tracing::info!(%address, "metrics endpoint listening on /metrics");
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        upkeep_task.abort();
        served?;
        tracing::info!(%address, "metrics endpoint stopped");
        Ok(())
    }
}
