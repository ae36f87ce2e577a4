//! [`StaticDiscovery`]: service addresses from configuration.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::probe::Probe;
use super::{Discovery, DiscoveryError, Registration, ServiceInstance, sorted};

/// Discovery from configuration: each service's instance addresses are fixed
/// (`discovery.services.<service> = ["host:port", ...]`).
///
/// [`Discovery::register`] and [`Discovery::deregister`] change nothing (they log): the
/// configuration is the registry. Without a probe, [`Discovery::healthy`] returns every configured
/// address. With [`StaticDiscovery::with_health_probe`], each address is asked
/// `grpc.health.v1.Health/Check` (the server as a whole) and only `SERVING` ones are returned;
/// watches re-probe at the probe interval.
#[derive(Debug, Clone)]
pub struct StaticDiscovery {
    services: Arc<BTreeMap<String, Vec<ServiceInstance>>>,
    probe: Option<ProbeSettings>,
}

#[derive(Debug, Clone)]
struct ProbeSettings {
    interval: Duration,
    probes: Arc<HashMap<SocketAddr, Probe>>,
}

impl StaticDiscovery {
    /// Discovery over `services`: service name → its instances' addresses. Instance ids are
    /// `"{service}@{address}"`; duplicate addresses are listed once.
    pub fn new(services: BTreeMap<String, Vec<SocketAddr>>) -> StaticDiscovery {
        let services = services
            .into_iter()
            .map(|(service, addresses)| {
                let mut instances: Vec<ServiceInstance> = addresses
                    .into_iter()
                    .map(|address| ServiceInstance {
                        id: format!("{service}@{address}"),
                        service: service.clone(),
                        address,
                        tags: Vec::new(),
                    })
                    .collect();
                instances.sort();
                instances.dedup();
                (service, instances)
            })
            .collect();
        StaticDiscovery {
            services: Arc::new(services),
            probe: None,
        }
    }

    /// Lists only the instances answering `SERVING` to a gRPC health check that takes at most
    /// `timeout`; watches re-check every `interval`.
    pub fn with_health_probe(
        mut self,
        interval: Duration,
        timeout: Duration,
    ) -> Result<StaticDiscovery, DiscoveryError> {
        let mut probes = HashMap::new();
        for instance in self.services.values().flatten() {
            if let std::collections::hash_map::Entry::Vacant(slot) = probes.entry(instance.address)
            {
                slot.insert(Probe::new(instance.address, timeout)?);
            }
        }
        self.probe = Some(ProbeSettings {
            interval,
            probes: Arc::new(probes),
        });
        Ok(self)
    }

    fn configured(&self, service: &str) -> Vec<ServiceInstance> {
        self.services.get(service).cloned().unwrap_or_default()
    }

    async fn probed(&self, service: &str) -> Vec<ServiceInstance> {
        let configured = self.configured(service);
        let Some(settings) = &self.probe else {
            return configured;
        };
        let checks = configured.into_iter().map(|instance| async move {
            let serving = match settings.probes.get(&instance.address) {
                Some(probe) => probe.serving("").await,
                None => false,
            };
            serving.then_some(instance)
        });
        sorted(
            futures::future::join_all(checks)
                .await
                .into_iter()
                .flatten()
                .collect(),
        )
    }
}

#[async_trait::async_trait]
impl Discovery for StaticDiscovery {
    async fn register(&self, registration: Registration) -> Result<(), DiscoveryError> {
        tracing::info!(
            id = %registration.id,
            service = %registration.service,
            address = %registration.address,
            "static discovery: instances come from configuration, registration changes nothing"
        );
        Ok(())
    }

    async fn deregister(&self, instance_id: &str) -> Result<(), DiscoveryError> {
        tracing::info!(
            id = instance_id,
            "static discovery: instances come from configuration, deregistration changes nothing"
        );
        Ok(())
    }

    async fn healthy(&self, service: &str) -> Result<Vec<ServiceInstance>, DiscoveryError> {
        Ok(self.probed(service).await)
    }

    fn watch(&self, service: &str) -> watch::Receiver<Vec<ServiceInstance>> {
        let (sender, receiver) = watch::channel(Vec::new());
        let this = self.clone();
        let service = service.to_owned();
        tokio::spawn(async move {
            let Some(interval) = this.probe.as_ref().map(|p| p.interval) else {
                sender.send_replace(this.configured(&service));
                sender.closed().await;
                return;
            };
            sender.send_replace(this.probed(&service).await);
            loop {
                tokio::select! {
                    () = sender.closed() => return,
                    () = tokio::time::sleep(interval) => {}
                }
                let now = this.probed(&service).await;
                sender.send_if_modified(|current| {
                    let changed = *current != now;
                    if changed {
                        tracing::info!(%service, instances = now.len(), "static discovery: healthy instances changed");
                        *current = now;
                    }
                    changed
                });
            }
        });
        receiver
    }
}
