//! A loopback Consul agent for tests (Consul itself cannot be installed on the build machine).
//!
//! It serves, on `127.0.0.1:0`, exactly the HTTP endpoints Carpetti's Consul discovery uses, with
//! the request and response shapes Consul documents:
//! - `PUT /v1/agent/service/register` — a service definition (`ID`, `Name`, `Tags`, `Address`,
//!   `Port`, `Meta`, `Check` or `Checks`); `200` with an empty body, `400` on a bad definition.
//!   Checks must be gRPC checks (`GRPC: "host:port[/service]"`, `Interval`, `Timeout`,
//!   `DeregisterCriticalServiceAfter`, optional initial `Status`, default `critical`); the agent
//!   **really runs them**: `grpc.health.v1.Health/Check` on the target at the interval, `passing`
//!   on `SERVING`, `critical` otherwise. Re-registering an ID replaces the service and its checks.
//! - `PUT /v1/agent/service/deregister/:service_id` — `200`, or `404` for an unknown ID.
//! - `GET /v1/health/service/:service` with `passing`, `index` and `wait` — an array of
//!   `{Node, Service, Checks}` (the node's `serfHealth` check included) and the `X-Consul-Index`
//!   header; with a non-zero `index` it is a blocking query held until that service's index
//!   passes `index` or `wait` elapses (default 5 min, capped at 10 min; no added jitter).
//!
//! With [`LoopbackConsul::start_with_acl_token`], every request must carry that token in
//! `X-Consul-Token` (or `?token=`), else `403`.
//!
//! Differences from a real agent, all outside the endpoints' shapes: one node (`loopback`,
//! `127.0.0.1`); `DeregisterCriticalServiceAfter` is honoured as given and checked at each check
//! run (Consul enforces a 1-minute minimum and reaps every 30 s); only gRPC checks, without TLS.

mod catalog;
mod checks;
mod definition;
mod duration;
mod http;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use tokio::task::JoinHandle;

use self::catalog::Catalog;

const NODE_NAME: &str = "loopback";
const NODE_ID: &str = "9d2a6a4e-2c1f-4f3b-9a55-6c1d8f7e0b01";
const NODE_ADDRESS: &str = "127.0.0.1";

/// A running loopback Consul agent; stops (server and check runners) when dropped.
pub struct LoopbackConsul {
    address: SocketAddr,
    catalog: Arc<Catalog>,
    blocking_queries: Arc<AtomicU64>,
    server: JoinHandle<()>,
}

impl LoopbackConsul {
    /// Starts an agent without ACLs.
    pub async fn start() -> Result<LoopbackConsul> {
        Self::spawn(None).await
    }

    /// Starts an agent requiring `token` on every request.
    pub async fn start_with_acl_token(token: &str) -> Result<LoopbackConsul> {
        Self::spawn(Some(token.to_owned())).await
    }

    async fn spawn(token: Option<String>) -> Result<LoopbackConsul> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the loopback Consul listener")?;
        let address = listener.local_addr()?;
        let catalog = Catalog::new();
        let blocking_queries = Arc::new(AtomicU64::new(0));
        let router = http::router(http::Shared {
            catalog: Arc::clone(&catalog),
            token,
            blocking_queries: Arc::clone(&blocking_queries),
        });
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "loopback consul stopped");
            }
        });
        Ok(LoopbackConsul {
            address,
            catalog,
            blocking_queries,
            server,
        })
    }

    /// The agent's HTTP API, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// How many `health/service` queries so far were blocking queries (carried a non-zero
    /// `index`).
    pub fn blocking_queries(&self) -> u64 {
        self.blocking_queries.load(Ordering::Relaxed)
    }

    /// The agent's listening address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for LoopbackConsul {
    fn drop(&mut self) {
        self.server.abort();
        self.catalog.stop_checks();
    }
}
