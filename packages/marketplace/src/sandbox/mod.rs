//! The toolkit of the loopback marketplace sandboxes: each sandbox is an axum router of the
//! marketplace's real paths; this module wraps it with a log of every exchange (what tests check
//! against the official OpenAPI), scripted faults (429 / 420 / 500 storms), server-side rate
//! limits and the `/_sandbox/*` control endpoints, and serves it on a loopback port.

mod gate;
mod record;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

pub use gate::{ParallelGuard, RateGate};
pub use record::{Exchange, FaultResponse};

/// One scripted fault: the next `count` requests whose path starts with `path_prefix` get
/// `status` with the marketplace's own error body for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub path_prefix: String,
    pub status: u16,
    pub count: u32,
    /// Sent as `Retry-After` (and the marketplace's own header) on 429 / 420.
    #[serde(default)]
    pub retry_after_secs: Option<u32>,
}

/// What every sandbox shares: the exchange log and the scripted faults.
#[derive(Clone)]
pub struct Toolkit {
    inner: Arc<Mutex<ToolkitState>>,
    fault_body: Arc<dyn Fn(u16) -> FaultResponse + Send + Sync>,
}

#[derive(Default)]
struct ToolkitState {
    exchanges: Vec<Exchange>,
    faults: Vec<Fault>,
    recording: bool,
}

impl Toolkit {
    /// `fault_body` gives the marketplace's own error answer for a status.
    pub fn new(fault_body: impl Fn(u16) -> FaultResponse + Send + Sync + 'static) -> Self {
        Self {
            inner: Arc::new(Mutex::new(ToolkitState {
                recording: true,
                ..ToolkitState::default()
            })),
            fault_body: Arc::new(fault_body),
        }
    }

    fn state(&self) -> MutexGuard<'_, ToolkitState> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every exchange so far (control endpoints excluded).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state().exchanges.clone()
    }

    /// Exchanges whose path starts with `prefix`.
    pub fn exchanges_to(&self, prefix: &str) -> Vec<Exchange> {
        self.state()
            .exchanges
            .iter()
            .filter(|e| e.path.starts_with(prefix))
            .cloned()
            .collect()
    }

    pub fn clear_exchanges(&self) {
        self.state().exchanges.clear();
    }

    /// Whether exchanges are logged (benchmarks turn it off: the log grows with every call).
    pub fn set_recording(&self, on: bool) {
        self.state().recording = on;
    }

    pub fn add_fault(&self, fault: Fault) {
        self.state().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// The fault to answer `path` with, if one is scripted (and counts it down).
    fn take_fault(&self, path: &str) -> Option<Fault> {
        let mut state = self.state();
        let index = state
            .faults
            .iter()
            .position(|f| f.count > 0 && path.starts_with(&f.path_prefix))?;
        let fault = &mut state.faults[index];
        fault.count -= 1;
        let taken = fault.clone();
        if fault.count == 0 {
            state.faults.remove(index);
        }
        Some(taken)
    }

    fn record(&self, exchange: Exchange) {
        let mut state = self.state();
        if state.recording {
            state.exchanges.push(exchange);
        }
    }

    /// Wraps a marketplace router: control endpoints, faults and the exchange log.
    pub fn wrap(&self, marketplace: Router) -> Router {
        let control = Router::new()
            .route("/_sandbox/faults", post(add_fault).delete(clear_faults))
            .route(
                "/_sandbox/exchanges",
                get(list_exchanges).delete(clear_exchanges),
            )
            .with_state(self.clone());
        let recorded = marketplace.layer(axum::middleware::from_fn_with_state(
            self.clone(),
            record::record,
        ));
        control.merge(recorded)
    }
}

async fn add_fault(
    State(kit): State<Toolkit>,
    axum::Json(fault): axum::Json<Fault>,
) -> &'static str {
    kit.add_fault(fault);
    "ok"
}

async fn clear_faults(State(kit): State<Toolkit>) -> &'static str {
    kit.clear_faults();
    "ok"
}

async fn list_exchanges(State(kit): State<Toolkit>) -> axum::Json<Vec<Exchange>> {
    axum::Json(kit.exchanges())
}

async fn clear_exchanges(State(kit): State<Toolkit>) -> &'static str {
    kit.clear_exchanges();
    "ok"
}

/// A sandbox serving on a loopback port until dropped or stopped.
pub struct Served {
    pub address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    /// `http://127.0.0.1:port`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops serving and waits until the port is closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves `router` on `address` (port 0 picks one).
pub async fn serve(router: Router, address: SocketAddr) -> std::io::Result<Served> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!(%error, "sandbox stopped");
        }
    });
    Ok(Served {
        address,
        stop: Some(stop),
        task,
    })
}
