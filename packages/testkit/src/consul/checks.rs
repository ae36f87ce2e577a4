//! The check runner: calls `grpc.health.v1.Health/Check` on the registered target at the check's
//! interval, with its timeout, and records `passing` (answer `SERVING`) or `critical` (anything
//! else: refused connection, timeout, error status, other serving status) — as Consul's agent does.

use std::sync::Weak;

use tonic::transport::Endpoint;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::catalog::Catalog;
use super::definition::GrpcCheck;

/// Runs one check until its service is deregistered or the catalog is gone.
pub(super) async fn run(
    catalog: Weak<Catalog>,
    service_id: String,
    check_id: String,
    check: GrpcCheck,
) {
    let endpoint = match Endpoint::from_shared(format!("http://{}", check.target)) {
        Ok(endpoint) => endpoint
            .connect_timeout(check.timeout)
            .timeout(check.timeout),
        Err(error) => {
            let output = format!("invalid gRPC target {}: {error}", check.target);
            if let Some(catalog) = catalog.upgrade() {
                catalog.record(&service_id, &check_id, false, output);
            }
            return;
        }
    };
    let channel = endpoint.connect_lazy();
    loop {
        let mut client = HealthClient::new(channel.clone());
        let request = HealthCheckRequest {
            service: check.service.clone(),
        };
        let (passing, output) =
            match tokio::time::timeout(check.timeout, client.check(request)).await {
                Ok(Ok(response)) => {
                    let status = response.into_inner().status;
                    let passing = status == ServingStatus::Serving as i32;
                    let name = ServingStatus::try_from(status)
                        .map(|s| s.as_str_name())
                        .unwrap_or("UNKNOWN");
                    (passing, format!("gRPC check {}: {name}", check.target))
                }
                Ok(Err(status)) => (
                    false,
                    format!(
                        "gRPC check {}: {:?}: {}",
                        check.target,
                        status.code(),
                        status.message()
                    ),
                ),
                Err(_) => (false, format!("gRPC check {}: timed out", check.target)),
            };
        let Some(catalog) = catalog.upgrade() else {
            return;
        };
        if !catalog.record(&service_id, &check_id, passing, output) {
            return;
        }
        drop(catalog);
        tokio::time::sleep(check.interval).await;
    }
}
