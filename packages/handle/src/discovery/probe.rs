//! An active gRPC health probe: `grpc.health.v1.Health/Check` against one address, with a timeout,
//! over a lazily (re)connecting channel kept per address.

use std::net::SocketAddr;
use std::time::Duration;

use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::DiscoveryError;

/// Probes one address; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    address: SocketAddr,
    channel: Channel,
    timeout: Duration,
}

impl Probe {
    /// A probe of the server at `address`; each check (connecting included) takes at most
    /// `timeout`.
    pub(crate) fn new(address: SocketAddr, timeout: Duration) -> Result<Probe, DiscoveryError> {
        let channel = Endpoint::from_shared(format!("http://{address}"))
            .map_err(|e| DiscoveryError::Config(format!("probe address {address}: {e}")))?
            .connect_timeout(timeout)
            .timeout(timeout)
            .connect_lazy();
        Ok(Probe {
            address,
            channel,
            timeout,
        })
    }

    /// Whether the server reports `SERVING` for `service` (`""`: the server as a whole).
    pub(crate) async fn serving(&self, service: &str) -> bool {
        let mut client = HealthClient::new(self.channel.clone());
        let request = HealthCheckRequest {
            service: service.to_owned(),
        };
        match tokio::time::timeout(self.timeout, client.check(request)).await {
            Ok(Ok(response)) => response.into_inner().status == ServingStatus::Serving as i32,
            Ok(Err(status)) => {
                tracing::debug!(address = %self.address, code = ?status.code(), "health probe failed");
                false
            }
            Err(_) => {
                tracing::debug!(address = %self.address, "health probe timed out");
                false
            }
        }
    }
}
