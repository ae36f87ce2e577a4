//! `[process_adapter]`: the WebSocket service streaming processes' schemas and live cursors —
//! where it listens, which engine it reads, how it paces polls and whether it shares channels
//! with other instances.

use std::net::{Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// `[process_adapter]` — the process adapter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcessAdapterConfig {
    /// `process_adapter.listen` — the HTTP port of `/ws`, the live page `/processes/{key}` and
    /// `/health` (default `127.0.0.1:8090`; port 0 picks a free port).
    pub listen: SocketAddr,
    /// `process_adapter.engine_url` — the engine's REST base URL. Unset: the engine of this
    /// process (`carpetti up`), else `engine.url`.
    pub engine_url: Option<String>,
    /// `process_adapter.min_poll_ms` — the poll interval while a process moves (default 250).
    pub min_poll_ms: u64,
    /// `process_adapter.max_poll_ms` — the interval a quiet channel backs off to (default 10000).
    pub max_poll_ms: u64,
    /// `process_adapter.engine_budget_rps` — engine requests per second one adapter allows
    /// itself over all its channels; many channels stretch every interval (default 400).
    pub engine_budget_rps: f64,
    /// `process_adapter.ping_secs` — WebSocket ping interval; a client silent for two is dropped
    /// (default 25).
    pub ping_secs: u64,
    /// `process_adapter.max_connections` — open sockets allowed at once (default 18000).
    pub max_connections: usize,
    /// `process_adapter.cluster` — share channels with the other adapter instances through the
    /// cache's leases and the queue, so each channel is polled once cluster-wide (default false:
    /// a single instance; turn it on with Redis and RabbitMQ when running several).
    pub cluster: bool,
    /// `process_adapter.lease_ms` — how long a dead instance keeps its channels before another
    /// takes them over (default 3000).
    pub lease_ms: u64,
}

impl Default for ProcessAdapterConfig {
    fn default() -> Self {
        ProcessAdapterConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8090)),
            engine_url: None,
            min_poll_ms: 250,
            max_poll_ms: 10_000,
            engine_budget_rps: 400.0,
            ping_secs: 25,
            max_connections: 18_000,
            cluster: false,
            lease_ms: 3000,
        }
    }
}

impl ProcessAdapterConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| ConfigError::Invalid {
            key,
            reason: reason.into(),
        };
        if self.min_poll_ms == 0 || self.min_poll_ms > self.max_poll_ms {
            return Err(invalid(
                "process_adapter.min_poll_ms",
                "must be at least 1 and at most process_adapter.max_poll_ms",
            ));
        }
        if !(self.engine_budget_rps.is_finite() && self.engine_budget_rps > 0.0) {
            return Err(invalid(
                "process_adapter.engine_budget_rps",
                "must be a positive number",
            ));
        }
        if self.ping_secs == 0 {
            return Err(invalid("process_adapter.ping_secs", "must be at least 1"));
        }
        if self.max_connections == 0 {
            return Err(invalid(
                "process_adapter.max_connections",
                "must be at least 1",
            ));
        }
        if self.lease_ms < 300 {
            return Err(invalid("process_adapter.lease_ms", "must be at least 300"));
        }
        if let Some(url) = &self.engine_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(
                "process_adapter.engine_url",
                "must be an http(s) URL",
            ));
        }
        Ok(())
    }
}
