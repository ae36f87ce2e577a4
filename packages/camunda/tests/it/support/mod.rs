//! Test support: the loopback Camunda REST server and client helpers.

pub mod engine;
pub mod loopback;
pub mod multipart;
pub mod tasks;

use std::time::Duration;

use carpetti_camunda::{BreakerConfig, CamundaClient, ClientConfig, RetryConfig};

pub use loopback::{Loopback, TaskState};

/// A client of `loopback` with fast retries (3 attempts) and a breaker that stays closed.
pub fn client(loopback: &Loopback) -> CamundaClient {
    CamundaClient::new(config(loopback)).expect("client")
}

pub fn config(loopback: &Loopback) -> ClientConfig {
    ClientConfig::new(&loopback.base_url)
        .expect("base url")
        .with_request_timeout(Duration::from_secs(5))
        .with_retry(RetryConfig {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
        .with_breaker(BreakerConfig {
            failure_threshold: 100,
            open_for: Duration::from_secs(60),
        })
}
