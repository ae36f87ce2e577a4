//! The infrastructure one run of services shares, chosen by configuration: service keys,
//! discovery, the queue, the cache, the Prometheus endpoint. `carpetti up` and `carpetti serve` build it the same way;
//! only the defaults differ (`up` may run without service keys on its loopback listeners).

pub mod auth;
pub(crate) mod backends;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use carpetti_cache::DynCache;
use carpetti_config::Config;
use carpetti_handle::discovery::{
    ConsulConfig, ConsulDiscovery, Discovery, Registration, StaticDiscovery,
};
use carpetti_handle::observe::{MetricsHandle, MetricsServer, install_metrics};
use carpetti_queue::Bus;
use carpetti_repo::{CallPolicy, HeaderStamp, PersistClient, ServiceToken};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

pub use auth::ServiceKeys;

use crate::services::{RunFuture, Shutdown, Started};

/// How the services of this process were asked to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `carpetti up`: everything in one process on the embedded defaults.
    Up,
    /// `carpetti serve <service>`: one service of a distributed deployment.
    Serve,
}

/// What every service of this process is started with.
pub struct Platform {
    /// The installed recorder, when `metrics.enabled`.
    metrics: Option<MetricsHandle>,
    pub keys: ServiceKeys,
    /// The topic bus (RabbitMQ or the embedded durable queue), instrumented.
    pub bus: Arc<dyn Bus>,
    /// The cache (Redis or in-process).
    pub cache: DynCache,
    /// Consul when configured; `None` is static discovery (nothing to register with).
    pub registry: Option<Arc<dyn Discovery>>,
    static_services: BTreeMap<String, Vec<SocketAddr>>,
    advertise_host: Option<String>,
    /// Services started by this process so far, by name (later ones call earlier ones here).
    local: std::sync::Mutex<BTreeMap<String, SocketAddr>>,
}

impl Platform {
    pub async fn build(config: &Config, mode: Mode) -> anyhow::Result<Platform> {
        Self::build_for(config, mode, true).await
    }

    /// As [`Platform::build`]; `grpc`: whether the services run serve or call gRPC (only then
    /// does `auth.required` demand service keys in `serve` mode).
    pub async fn build_for(config: &Config, mode: Mode, grpc: bool) -> anyhow::Result<Platform> {
        let required = mode == Mode::Serve && config.auth.required && grpc;
        let keys = ServiceKeys::load(&config.auth, required)?;
        let registry = match &config.discovery.consul_url {
            Some(url) => {
                let mut consul = ConsulConfig::new(url.as_str());
                if let Some(token) = &config.discovery.consul_token {
                    consul = consul.with_token(token.expose_secret().to_owned().into());
                }
                let discovery = ConsulDiscovery::new(consul).context("discovery.consul_url")?;
                Some(Arc::new(discovery) as Arc<dyn Discovery>)
            }
            None => None,
        };
        // Before the backends: the cache registers its metric handles when it is built.
        let metrics = if config.metrics.enabled {
            Some(install_metrics().context("installing the metrics recorder")?)
        } else {
            None
        };
        let bus = backends::open_bus(config).await?;
        let cache = backends::open_cache(config).await?;
        Ok(Platform {
            metrics,
            keys,
            bus,
            cache,
            registry,
            static_services: config.discovery.services.clone(),
            advertise_host: config.discovery.advertise_host.clone(),
            local: std::sync::Mutex::default(),
        })
    }

    /// The registration of `service` listening on `address`, when a registry is configured:
    /// advertised at `discovery.advertise_host` (or the listen address), checked over gRPC health.
    pub fn registration(
        &self,
        service: &str,
        address: SocketAddr,
    ) -> anyhow::Result<Option<(Arc<dyn Discovery>, Registration)>> {
        let Some(registry) = &self.registry else {
            return Ok(None);
        };
        let advertised = match &self.advertise_host {
            Some(host) => format!("{host}:{}", address.port())
                .parse::<SocketAddr>()
                .with_context(|| {
                    format!("discovery.advertise_host {host:?} must be an IP address")
                })?,
            None => address,
        };
        Ok(Some((
            Arc::clone(registry),
            Registration::new(service, advertised),
        )))
    }

    /// Records that this process serves `service` at `address`.
    pub fn add_local(&self, service: &str, address: SocketAddr) {
        if let Ok(mut local) = self.local.lock() {
            local.insert(service.to_owned(), address);
        }
    }

    /// Where this process serves `service`, if it does.
    pub fn local(&self, service: &str) -> Option<SocketAddr> {
        self.local.lock().ok()?.get(service).copied()
    }

    /// A client of service_persist for `caller`: through Consul when configured, else the
    /// configured static addresses plus `local` (persist started by this process); calls carry
    /// `caller`'s service token when a signing key is configured.
    pub fn persist_client(
        &self,
        caller: &str,
        local: Option<SocketAddr>,
    ) -> anyhow::Result<PersistClient> {
        let stamps: Vec<Arc<dyn HeaderStamp>> = match self.keys.issuer(caller)? {
            Some(issuer) => vec![Arc::new(ServiceToken(issuer))],
            None => Vec::new(),
        };
        let policy = CallPolicy::default();
        if let Some(registry) = &self.registry {
            return Ok(PersistClient::discover(registry.as_ref(), policy, stamps));
        }
        let mut services = self.static_services.clone();
        let persist = services
            .entry(carpetti_persist::SERVICE_NAME.to_owned())
            .or_default();
        persist.extend(local);
        if persist.is_empty() {
            anyhow::bail!(
                "no address for service_persist: start it in this process, or list it under \
                 [discovery.services] persist = [\"host:port\"] (or configure Consul)"
            );
        }
        let discovery = StaticDiscovery::new(services);
        Ok(PersistClient::discover(&discovery, policy, stamps))
    }

    /// Stops the bus (in-flight deliveries are redelivered later).
    pub async fn close(&self) {
        self.bus.close().await;
    }

    /// For the listening table.
    pub fn describe_discovery(&self) -> String {
        match &self.registry {
            Some(_) => "Consul".to_owned(),
            None => format!(
                "static ({} service(s) configured)",
                self.static_services.len()
            ),
        }
    }
}

/// Binds `GET /metrics` when enabled, served until shutdown like a service.
pub async fn start_metrics(
    config: &Config,
    platform: &Platform,
    shutdown: &Shutdown,
) -> anyhow::Result<Option<Started>> {
    let Some(handle) = platform.metrics.clone() else {
        return Ok(None);
    };
    carpetti_handle::observe::names::describe_metrics();
    let listener = TcpListener::bind(config.metrics.listen)
        .await
        .with_context(|| format!("metrics.listen {}", config.metrics.listen))?;
    let address = listener.local_addr()?;
    let stop = shutdown.wait();
    let run: RunFuture = Box::pin(async move {
        MetricsServer::new(handle)
            .serve(listener, stop)
            .await
            .context("metrics endpoint")
    });
    Ok(Some(Started {
        service: "metrics",
        address,
        backend: "Prometheus GET /metrics".to_owned(),
        run,
    }))
}
