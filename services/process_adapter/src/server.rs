//! The adapter as a service: binds its HTTP port and serves `/ws` (the protocol), the live page
//! `/processes/{businessKey}` with its assets, and `/health` (JSON statistics); in a cluster it
//! also consumes the other instances' channel states.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use carpetti_proto::process_adapter::v1::ChannelState;
use prost::Message as _;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::channel::{Channels, DriverContext};
use crate::cluster::Cluster;
use crate::engine::ProcessEngine;
use crate::error::AdapterError;
use crate::metrics as m;
use crate::protocol::SUBPROTOCOL;
use crate::stats::PollingChannels;
use crate::ws::{self, SocketSettings};
use crate::{page, settings::AdapterSettings};

/// A bound adapter, not yet serving.
pub struct AdapterServer {
    listener: TcpListener,
    state: AppState,
    cluster: Option<Arc<Cluster>>,
}

#[derive(Clone)]
struct AppState {
    channels: Arc<Channels>,
    engine: Arc<dyn ProcessEngine>,
    sockets: Arc<SocketSettings>,
    settings: Arc<AdapterSettings>,
    connections: Arc<Semaphore>,
    open: Arc<AtomicUsize>,
    shutdown: CancellationToken,
}

/// `GET /health`: what this instance does now.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AdapterStats {
    pub status: String,
    pub connections: usize,
    pub channels: usize,
    pub subscribers: usize,
    pub polling: usize,
    pub engine_calls: u64,
    pub engine_errors: u64,
    pub engine_latency_ms: f64,
    pub instance: Option<String>,
}

impl AdapterServer {
    /// Binds `settings.listen`. `cluster`: share channels with other instances (`None`: alone).
    pub async fn bind(
        settings: AdapterSettings,
        engine: Arc<dyn ProcessEngine>,
        cluster: Option<Arc<Cluster>>,
    ) -> Result<Self, AdapterError> {
        m::describe();
        let listener =
            TcpListener::bind(settings.listen)
                .await
                .map_err(|source| AdapterError::Bind {
                    address: settings.listen,
                    source,
                })?;
        let shutdown = CancellationToken::new();
        let ctx = Arc::new(DriverContext {
            engine: engine.clone(),
            pacing: settings.pacing.clone(),
            cluster: cluster.clone(),
            polling: PollingChannels::default(),
            shutdown: shutdown.clone(),
        });
        let state = AppState {
            channels: Channels::new(ctx),
            engine,
            sockets: Arc::new(settings.sockets.clone()),
            connections: Arc::new(Semaphore::new(settings.max_connections)),
            settings: Arc::new(settings),
            open: Arc::new(AtomicUsize::new(0)),
            shutdown,
        };
        Ok(Self {
            listener,
            state,
            cluster,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The channel objects (for statistics and tests).
    pub fn channels(&self) -> Arc<Channels> {
        self.state.channels.clone()
    }

    /// Serves until `shutdown`, then closes every socket and stops every poll.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AdapterError> {
        let stop = self.state.shutdown.clone();
        let router_task = match &self.cluster {
            Some(cluster) => Some(tokio::spawn(route_states(
                cluster.clone(),
                self.state.channels.clone(),
                stop.clone(),
            ))),
            None => None,
        };
        let app = Router::new()
            .route("/ws", get(upgrade))
            .route("/processes/{business_key}", get(page::page))
            .route("/assets/process-viewer.js", get(page::script))
            .route("/assets/process-viewer.css", get(page::style))
            .route("/health", get(health))
            .with_state(self.state.clone());
        let graceful = {
            let stop = stop.clone();
            async move {
                shutdown.await;
                stop.cancel();
            }
        };
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(graceful)
            .await;
        stop.cancel();
        if let Some(task) = router_task {
            let _ = task.await;
        }
        served.map_err(AdapterError::Serve)
    }
}

async fn upgrade(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    let Ok(permit) = state.connections.clone().try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the adapter holds as many connections as it allows",
        )
            .into_response();
    };
    let limits = &state.settings;
    upgrade
        .protocols([SUBPROTOCOL])
        .read_buffer_size(limits.read_buffer)
        .write_buffer_size(0)
        .max_write_buffer_size(limits.max_write_buffer)
        .max_message_size(limits.max_incoming)
        .max_frame_size(limits.max_incoming)
        .on_upgrade(move |socket| async move {
            m::gauge(
                m::CONNECTIONS,
                state.open.fetch_add(1, Ordering::Relaxed) + 1,
            );
            ws::serve(
                socket,
                state.channels.clone(),
                state.sockets.clone(),
                state.shutdown.clone(),
            )
            .await;
            m::gauge(
                m::CONNECTIONS,
                state.open.fetch_sub(1, Ordering::Relaxed).saturating_sub(1),
            );
            drop(permit);
        })
}

async fn health(State(state): State<AppState>) -> axum::Json<AdapterStats> {
    let stats = state.engine.stats();
    axum::Json(AdapterStats {
        status: "SERVING".into(),
        connections: state.open.load(Ordering::Relaxed),
        channels: state.channels.len(),
        subscribers: state.channels.subscribers(),
        polling: state.channels.polling(),
        engine_calls: stats.calls(),
        engine_errors: stats.errors(),
        engine_latency_ms: stats.latency().as_secs_f64() * 1000.0,
        instance: state.channels.instance_id(),
    })
}

/// Feeds the other instances' channel states to the local channel objects.
async fn route_states(cluster: Arc<Cluster>, channels: Arc<Channels>, stop: CancellationToken) {
    let mut deliveries = match cluster.states().await {
        Ok(deliveries) => deliveries,
        Err(e) => {
            tracing::error!(error = %e, "cannot receive the other adapters' channel states");
            return;
        }
    };
    loop {
        let delivery = tokio::select! {
            () = stop.cancelled() => return,
            delivery = deliveries.next() => delivery,
        };
        let Some(delivery) = delivery else {
            return;
        };
        match ChannelState::decode(delivery.envelope.payload.clone()) {
            Ok(state) => {
                if state.holder != cluster.instance_id() {
                    channels.apply_remote(state);
                }
                if let Err(e) = delivery.ack().await {
                    tracing::debug!(error = %e, "ack of a channel state failed");
                }
            }
            Err(e) => {
                let _ = delivery.reject(format!("not a ChannelState: {e}")).await;
            }
        }
    }
}
