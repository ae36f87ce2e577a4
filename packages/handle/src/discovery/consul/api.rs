//! The Consul HTTP API shapes this backend uses (field names as Consul documents them), and the
//! conversions from and to the crate's types.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::discovery::{Registration, ServiceInstance};

/// The body of `PUT /v1/agent/service/register`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ServiceDefinition<'a> {
    #[serde(rename = "ID")]
    pub id: &'a str,
    pub name: &'a str,
    pub tags: &'a [String],
    pub address: String,
    pub port: u16,
    pub check: CheckDefinition,
}

/// The `Check` of a service definition: a gRPC health check the agent runs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CheckDefinition {
    pub name: String,
    /// `host:port` or `host:port/service`.
    #[serde(rename = "GRPC")]
    pub grpc: String,
    #[serde(rename = "GRPCUseTLS")]
    pub grpc_use_tls: bool,
    pub interval: String,
    pub timeout: String,
    pub deregister_critical_service_after: String,
}

impl<'a> ServiceDefinition<'a> {
    pub(super) fn of(registration: &'a Registration) -> ServiceDefinition<'a> {
        let health = &registration.health;
        let grpc = match &health.grpc_service {
            Some(name) => format!("{}/{name}", health.target),
            None => health.target.to_string(),
        };
        ServiceDefinition {
            id: &registration.id,
            name: &registration.service,
            tags: &registration.tags,
            address: registration.address.ip().to_string(),
            port: registration.address.port(),
            check: CheckDefinition {
                name: format!("gRPC health of {}", registration.id),
                grpc,
                grpc_use_tls: false,
                interval: go_duration(health.interval),
                timeout: go_duration(health.timeout),
                deregister_critical_service_after: go_duration(health.deregister_critical_after),
            },
        }
    }
}

/// One element of the `GET /v1/health/service/:service` answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ServiceEntry {
    pub node: Node,
    pub service: AgentService,
    #[serde(default)]
    pub checks: Vec<HealthCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Node {
    #[serde(default)]
    pub address: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AgentService {
    #[serde(rename = "ID")]
    pub id: String,
    pub service: String,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub address: String,
    pub port: u16,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HealthCheck {
    pub status: String,
}

impl ServiceEntry {
    /// The instance, if every check passes and its address is an IP address (the service's own,
    /// else its node's, as Consul documents).
    pub(super) fn into_instance(self) -> Option<ServiceInstance> {
        if !self.checks.iter().all(|c| c.status == "passing") {
            return None;
        }
        let host = if self.service.address.is_empty() {
            &self.node.address
        } else {
            &self.service.address
        };
        let Ok(ip) = host.parse::<IpAddr>() else {
            tracing::warn!(
                id = %self.service.id,
                host = %host,
                "consul: instance address is not an IP address; skipped"
            );
            return None;
        };
        Some(ServiceInstance {
            id: self.service.id,
            service: self.service.service,
            address: SocketAddr::new(ip, self.service.port),
            tags: self.service.tags.unwrap_or_default(),
        })
    }
}

/// A duration as Go's `time.ParseDuration` reads it: whole seconds as `"10s"`, else milliseconds.
pub(super) fn go_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::go_duration;

    #[test]
    fn durations_are_written_the_go_way() {
        assert_eq!(go_duration(Duration::from_secs(10)), "10s");
        assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }
}
