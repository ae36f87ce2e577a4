//! Service discovery: a service registers its instances on start and deregisters them on stop,
//! and callers resolve the healthy instances of a service or watch them change.
//!
//! Two backends implement [`Discovery`]:
//! - [`StaticDiscovery`]: addresses from configuration (`discovery.services`); registration is a
//!   no-op that logs. Optionally probes each address with `grpc.health.v1.Health/Check` so that
//!   only answering instances are listed (see [`StaticDiscovery::with_health_probe`]).
//! - [`ConsulDiscovery`]: a Consul agent's HTTP API — agent service register/deregister with a
//!   gRPC health check the agent runs, `health/service/:service?passing=true`, and blocking queries
//!   for watches.
//!
//! [`Registered`] (and [`crate::GrpcServer::serve_registered`]) registers a running server and
//! deregisters it as soon as the shutdown signal arrives, before the server drains.

mod consul;
mod probe;
mod registered;
mod static_list;

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

pub use consul::{ConsulConfig, ConsulDiscovery};
pub use registered::Registered;
pub use static_list::StaticDiscovery;

/// One running instance of a service, as discovery reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceInstance {
    /// Unique id of the instance (Consul's service ID; `"{service}@{address}"` for static ones).
    pub id: String,
    /// The service's name, e.g. `"persist"`.
    pub service: String,
    /// Where its gRPC server listens.
    pub address: SocketAddr,
    /// Free-form tags (e.g. a version); empty for static instances.
    pub tags: Vec<String>,
}

/// What an instance registers: itself and how the registry checks its health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Unique id of this instance, e.g. `"persist-10.0.0.5-50051"`.
    pub id: String,
    /// The service's name, e.g. `"persist"`.
    pub service: String,
    /// The address other services reach it at.
    pub address: SocketAddr,
    /// Tags published with the instance.
    pub tags: Vec<String>,
    /// The gRPC health check the registry runs against it.
    pub health: HealthCheck,
}

impl Registration {
    /// A registration of `service` at `address` with id `"{service}-{ip}-{port}"`, no tags, and
    /// the default gRPC health check against `address` itself.
    pub fn new(service: impl Into<String>, address: SocketAddr) -> Registration {
        let service = service.into();
        let id = format!("{service}-{}-{}", address.ip(), address.port());
        Registration {
            id,
            service,
            address,
            tags: Vec::new(),
            health: HealthCheck::grpc(address),
        }
    }

    /// Replaces the instance id.
    pub fn with_id(mut self, id: impl Into<String>) -> Registration {
        self.id = id.into();
        self
    }

    /// Replaces the tags.
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Registration {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the health check.
    pub fn with_health(mut self, health: HealthCheck) -> Registration {
        self.health = health;
        self
    }
}

/// A gRPC health check (`grpc.health.v1.Health/Check`) the registry runs periodically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// Where the registry connects to check (often the registration's address).
    pub target: SocketAddr,
    /// The service name asked about; `None` asks about the server as a whole (`""`).
    pub grpc_service: Option<String>,
    /// How often the check runs (default 10 s).
    pub interval: Duration,
    /// How long one check may take (default 5 s).
    pub timeout: Duration,
    /// After how long in the critical state the registry removes the instance by itself, should
    /// its deregistration never come (default 1 min, Consul's minimum).
    pub deregister_critical_after: Duration,
}

impl HealthCheck {
    /// A check of the whole server at `target` with the default timings.
    pub fn grpc(target: SocketAddr) -> HealthCheck {
        HealthCheck {
            target,
            grpc_service: None,
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
            deregister_critical_after: Duration::from_secs(60),
        }
    }

    /// Checks the named gRPC service instead of the whole server.
    pub fn service(mut self, name: impl Into<String>) -> HealthCheck {
        self.grpc_service = Some(name.into());
        self
    }

    /// Sets the interval between checks.
    pub fn interval(mut self, interval: Duration) -> HealthCheck {
        self.interval = interval;
        self
    }

    /// Sets the timeout of one check.
    pub fn timeout(mut self, timeout: Duration) -> HealthCheck {
        self.timeout = timeout;
        self
    }

    /// Sets how long a critical instance stays registered.
    pub fn deregister_critical_after(mut self, after: Duration) -> HealthCheck {
        self.deregister_critical_after = after;
        self
    }
}

/// A service registry: register and deregister instances, resolve healthy ones, watch them.
#[async_trait::async_trait]
pub trait Discovery: Send + Sync + 'static {
    /// Registers (or re-registers, replacing) an instance.
    async fn register(&self, registration: Registration) -> Result<(), DiscoveryError>;

    /// Removes an instance. Removing an unknown instance is not an error.
    async fn deregister(&self, instance_id: &str) -> Result<(), DiscoveryError>;

    /// The instances of `service` currently passing their health checks, sorted by id.
    async fn healthy(&self, service: &str) -> Result<Vec<ServiceInstance>, DiscoveryError>;

    /// The healthy instances of `service`, kept current by a background task (sorted by id).
    ///
    /// The receiver starts empty and is marked changed when the first answer arrives, so a caller
    /// that needs a first list waits with `receiver.changed()` (or `wait_for`). Lookup errors keep
    /// the last known list. The task ends when every receiver is dropped. Must be called inside a
    /// Tokio runtime.
    fn watch(&self, service: &str) -> tokio::sync::watch::Receiver<Vec<ServiceInstance>>;
}

/// Why a discovery call failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The registry could not be reached, or the call timed out.
    #[error("discovery backend unreachable: {0}")]
    Unreachable(String),

    /// The registry answered with an error status.
    #[error("discovery backend answered {status} to {operation}: {body}")]
    Status {
        /// What was being done, e.g. `"register persist-1"`.
        operation: String,
        /// The HTTP status code.
        status: u16,
        /// The (truncated) body of the answer.
        body: String,
    },

    /// The registry's answer could not be understood.
    #[error("discovery backend answer to {operation} does not decode: {reason}")]
    Decode {
        /// What was being done.
        operation: String,
        /// Why it does not decode.
        reason: String,
    },

    /// The configuration is unusable (e.g. a bad Consul URL).
    #[error("discovery configuration: {0}")]
    Config(String),
}

/// Sorts instances by id, the order every backend reports.
fn sorted(mut instances: Vec<ServiceInstance>) -> Vec<ServiceInstance> {
    instances.sort();
    instances
}

impl fmt::Display for ServiceInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} at {})", self.id, self.service, self.address)
    }
}
