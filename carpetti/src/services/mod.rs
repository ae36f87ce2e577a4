//! The services this binary runs, started the same way by `carpetti up` (all of them) and
//! `carpetti serve <service>` (one), and the loop that runs them until shutdown.

mod engine;
mod mp;
mod persist;
mod process_adapter;
mod provider;

pub use provider::importer as provider_importer;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use carpetti_config::Config;

use crate::platform::Platform;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;
use tokio::sync::watch;

/// A service's run future: resolves when the service has stopped.
pub type RunFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'static>>;

/// A service this binary can run. Add a variant (and a module) per new service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServiceName {
    /// service_persist: the database, over gRPC.
    Persist,
    /// service_provider: supplier imports (feeds in, supplier items out).
    Provider,
    /// The embedded BPMN engine: the Camunda 7 REST API at `/engine-rest`.
    Engine,
    /// service_mp: the marketplaces (publication, orders, labels).
    Mp,
    /// process_adapter: live process diagrams over WebSocket (`/ws`, `/processes/{key}`).
    #[value(name = "process_adapter", alias = "process-adapter")]
    ProcessAdapter,
}

impl ServiceName {
    /// Whether the service serves or calls gRPC (and so takes part in service authentication).
    /// The engine and the process adapter speak HTTP only.
    pub fn speaks_grpc(self) -> bool {
        !matches!(self, ServiceName::Engine | ServiceName::ProcessAdapter)
    }

    /// Starts the service: connects its backends and binds its listener, but does not serve yet.
    pub async fn start(
        self,
        config: &Config,
        platform: &Platform,
        shutdown: &Shutdown,
    ) -> anyhow::Result<Started> {
        match self {
            ServiceName::Persist => persist::start(config, platform, shutdown).await,
            ServiceName::Provider => provider::start(config, platform, shutdown).await,
            ServiceName::Engine => engine::start(config, platform, shutdown).await,
            ServiceName::Mp => mp::start(config, platform, shutdown).await,
            ServiceName::ProcessAdapter => process_adapter::start(config, platform, shutdown).await,
        }
    }
}

/// A started service: where it listens, on what, and the future that runs it.
pub struct Started {
    /// The service's name, e.g. `persist`.
    pub service: &'static str,
    /// The address it listens on.
    pub address: SocketAddr,
    /// Its backend, for people, e.g. `SQLite ./data/carpetti.db`.
    pub backend: String,
    /// Serves until the shutdown signal, then drains.
    pub run: RunFuture,
}

/// A row of the listening table.
#[derive(Debug, Clone, Serialize)]
pub struct Listening {
    /// Service name.
    pub service: &'static str,
    /// Address it listens on.
    pub address: String,
    /// Backend description.
    pub backend: String,
}

impl Started {
    /// The row describing this service.
    pub fn listening(&self) -> Listening {
        Listening {
            service: self.service,
            address: self.address.to_string(),
            backend: self.backend.clone(),
        }
    }
}

/// One process-wide stop signal that every service of the process observes.
#[derive(Debug, Clone)]
pub struct Shutdown {
    tx: watch::Sender<bool>,
}

impl Shutdown {
    /// A signal not yet triggered.
    pub fn new() -> Shutdown {
        Shutdown {
            tx: watch::Sender::new(false),
        }
    }

    /// Stops every service.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// A future resolving once [`Shutdown::trigger`] was called.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            // An error means the sender is gone, which also means: stop.
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }
}

/// How one service ended.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Service name.
    pub service: &'static str,
    /// `stopped`, or the error that stopped it.
    pub result: String,
    /// How long it ran.
    pub uptime_secs: f64,
    /// Whether it ended as asked.
    #[serde(skip)]
    pub ok: bool,
}

/// Runs the started services until SIGTERM/Ctrl-C, or until one of them stops on its own (which
/// stops the others too). A second signal while draining abandons the services still running.
/// Returns how each ended.
pub async fn run_until_stopped(
    started: Vec<Started>,
    shutdown: Shutdown,
    signal: impl Future<Output = ()> + Send + 'static,
) -> Vec<Outcome> {
    let begun = Instant::now();
    let mut remaining: Vec<&'static str> = started.iter().map(|s| s.service).collect();
    let mut running: FuturesUnordered<_> = started
        .into_iter()
        .map(|s| {
            let handle = tokio::spawn(s.run);
            async move { (s.service, handle.await) }
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut stopping = false;
    let mut signal: std::pin::Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(signal);
    let outcome = |service, result: anyhow::Result<()>| Outcome {
        service,
        ok: result.is_ok(),
        result: result.map_or_else(|e| format!("{e:#}"), |()| "stopped".to_owned()),
        uptime_secs: round_secs(begun.elapsed()),
    };

    loop {
        tokio::select! {
            () = &mut signal => {
                if stopping {
                    tracing::warn!(?remaining, "second stop signal: not waiting for the drain");
                    for service in remaining.drain(..) {
                        outcomes.push(outcome(service, Err(anyhow!("abandoned while draining"))));
                    }
                    break;
                }
                stopping = true;
                shutdown.trigger();
                signal = Box::pin(carpetti_handle::shutdown_signal());
            }
            next = running.next() => {
                let Some((service, joined)) = next else { break };
                remaining.retain(|s| *s != service);
                let result = match joined {
                    Ok(Ok(())) if stopping => Ok(()),
                    Ok(Ok(())) => Err(anyhow!("stopped on its own")),
                    Ok(Err(e)) => Err(e),
                    Err(e) => Err(anyhow!("crashed: {e}")),
                };
                if let Err(e) = &result {
                    tracing::error!(service, error = format!("{e:#}"), "service stopped");
                }
                if !stopping {
                    stopping = true;
                    shutdown.trigger();
                }
                outcomes.push(outcome(service, result));
            }
        }
    }
    outcomes
}

fn round_secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}
