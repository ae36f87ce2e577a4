//! Starting the process adapter — the one place naming the `carpetti_process_adapter` crate's
//! server: its engine client (the engine of this process, else `process_adapter.engine_url` or
//! `engine.url`), its pacing and socket limits, and, with `process_adapter.cluster`, its share of
//! the cluster (leases in the cache backend, states on the bus).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use carpetti_camunda::{CamundaClient, ClientConfig};
use carpetti_config::Config;
use carpetti_process_adapter::cluster::Cluster;
use carpetti_process_adapter::engine::CamundaEngine;
use carpetti_process_adapter::stats::Pacing;
use carpetti_process_adapter::{AdapterServer, AdapterSettings, SocketSettings};

use crate::platform::{Platform, backends};

use super::{Shutdown, Started};

/// Binds `process_adapter.listen` and serves `/ws` and the live page.
pub async fn start(
    config: &Config,
    platform: &Platform,
    shutdown: &Shutdown,
) -> anyhow::Result<Started> {
    let settings = &config.process_adapter;
    let engine_url = match (&settings.engine_url, platform.local("engine")) {
        (Some(url), _) => url.clone(),
        (None, Some(local)) => format!("http://{local}/engine-rest"),
        (None, None) => config.engine.url.clone(),
    };
    let client_config = ClientConfig::new(&engine_url)
        .context("process_adapter.engine_url")?
        .with_request_timeout(Duration::from_secs(10));
    let client = CamundaClient::new(client_config).context("the adapter's engine client")?;
    let engine = Arc::new(CamundaEngine::new(client));
    let cluster = if settings.cluster {
        let leases = backends::open_leases(config).await?;
        Some(Arc::new(Cluster::new(
            leases,
            Arc::clone(&platform.bus),
            platform.cache.clone(),
            Duration::from_millis(settings.lease_ms),
        )))
    } else {
        None
    };
    let adapter_settings = AdapterSettings {
        listen: settings.listen,
        pacing: Pacing {
            min: Duration::from_millis(settings.min_poll_ms),
            max: Duration::from_millis(settings.max_poll_ms),
            engine_budget_rps: settings.engine_budget_rps,
            ..Pacing::default()
        },
        sockets: SocketSettings {
            ping_every: Duration::from_secs(settings.ping_secs),
            ..SocketSettings::default()
        },
        max_connections: settings.max_connections,
        ..AdapterSettings::default()
    };
    let server = AdapterServer::bind(adapter_settings, engine, cluster.clone())
        .await
        .context("starting the process adapter")?;
    let address = server.local_addr();
    let mode = match &cluster {
        Some(c) => format!("cluster member {}", c.instance_id()),
        None => "single instance".to_owned(),
    };
    let stop = shutdown.wait();
    Ok(Started {
        service: "process_adapter",
        address,
        backend: format!(
            "WebSocket /ws; live page /processes/{{businessKey}}; polls {engine_url}; {mode}"
        ),
        run: Box::pin(async move { server.run(stop).await.context("the process adapter") }),
    })
}
