//! [`OzonSandbox`]: a loopback Ozon Seller API for tests, benchmarks and `carpetti sandbox`. It
//! serves the real paths of the methods the connector uses, with `Client-Id` + `Api-Key`, Ozon's
//! payloads and `{code, message, details}` errors, asynchronous product import tasks, the
//! documented rate limits, FBS postings with packing and PDF labels.

mod catalog;
mod inspect;
mod inventory;
mod pdf;
mod postings;
mod products;
mod rpc;
pub mod seed;
mod state;
mod validate;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use carpetti_marketplace::sandbox::{FaultResponse, RateGate, Served, Toolkit, serve};
use carpetti_marketplace::transport::Quota;

pub use inspect::{EmittedLine, PostingLineView, PostingView, ProductView};
pub use seed::{SeedAttribute, SeedCategory, SeedType, SeedValue, SeedWarehouse};

use crate::connector::{CALLS_PER_SECOND, STOCK_CALLS_PER_MINUTE, op};

/// The Client-Id the sandbox accepts by default.
pub const DEFAULT_CLIENT_ID: &str = "1234567";
/// The Api-Key the sandbox accepts by default.
pub const DEFAULT_API_KEY: &str = "0c7e7a3e-5a4d-4b0c-9d1e-5a4db0c00001";

/// How the sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The `Client-Id` / `Api-Key` it accepts (others get Ozon's 403, none its 401).
    pub client_id: String,
    pub api_key: String,
    /// Every quota and interval runs this many times faster (1.0 = Ozon's).
    pub pace: f64,
    /// How long an import task stays `pending` (0: settled when submitted).
    pub processing_delay: Duration,
    /// How long after packing the label is ready (Ozon recommends asking after 45–60 s).
    pub label_delay: Duration,
    /// The per-minute import item quota of the account, when modelled (Ozon's depends on the
    /// account; exceeding it answers 429 with `Item-Retry-After` in minutes).
    pub import_items_per_minute: Option<u32>,
    pub categories: Vec<SeedCategory>,
    pub warehouses: Vec<SeedWarehouse>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            api_key: DEFAULT_API_KEY.to_owned(),
            pace: 1.0,
            processing_delay: Duration::from_secs(1),
            label_delay: Duration::from_secs(1),
            import_items_per_minute: None,
            categories: seed::default_catalog(),
            warehouses: seed::default_warehouses(),
        }
    }
}

impl SandboxConfig {
    /// The defaults `pace` times faster (processing and label delays ~1 s / pace).
    pub fn paced(pace: f64) -> Self {
        let pace = if pace.is_finite() && pace > 0.0 {
            pace
        } else {
            1.0
        };
        Self {
            pace,
            processing_delay: Duration::from_secs(1).div_f64(pace),
            label_delay: Duration::from_secs(1).div_f64(pace),
            ..Self::default()
        }
    }

    /// Import tasks and labels ready at once (most tests).
    pub fn immediate(mut self) -> Self {
        self.processing_delay = Duration::ZERO;
        self.label_delay = Duration::ZERO;
        self
    }
}

/// What [`OzonSandbox::emit_order`] refuses.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SandboxError {
    #[error("offer `{0}` is not a created product")]
    UnknownOffer(String),
    #[error("an order needs lines with a quantity")]
    EmptyOrder,
    #[error("the sandbox has no warehouse")]
    NoWarehouse,
}

/// The loopback Ozon. Cheap to clone; clones share the state.
#[derive(Clone)]
pub struct OzonSandbox {
    config: Arc<SandboxConfig>,
    catalog: Arc<catalog::Catalog>,
    state: Arc<Mutex<state::State>>,
    toolkit: Toolkit,
    gate: RateGate,
}

impl std::fmt::Debug for OzonSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OzonSandbox")
            .field("client_id", &self.config.client_id)
            .field("pace", &self.config.pace)
            .finish_non_exhaustive()
    }
}

/// Ozon's own answer to a scripted fault.
fn fault_body(status: u16) -> FaultResponse {
    let message = match status {
        429 => rpc::RATE_LIMITED,
        500 => "Internal Server Error",
        502 | 503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "scripted fault",
    };
    FaultResponse {
        headers: Vec::new(),
        body: rpc::error_body(status, message),
    }
}

impl OzonSandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let gate = RateGate::new(
            &[
                (
                    "global",
                    Quota {
                        calls: CALLS_PER_SECOND,
                        period: Duration::from_secs(1),
                        burst: CALLS_PER_SECOND,
                    },
                ),
                (
                    "stocks",
                    Quota::per_minute(STOCK_CALLS_PER_MINUTE, STOCK_CALLS_PER_MINUTE),
                ),
            ],
            config.pace,
        );
        Self {
            catalog: Arc::new(catalog::Catalog::new(config.categories.clone())),
            config: Arc::new(config),
            state: Arc::new(Mutex::new(state::State::new())),
            toolkit: Toolkit::new(fault_body),
            gate,
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// The exchange log and scripted faults.
    pub fn toolkit(&self) -> &Toolkit {
        &self.toolkit
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, state::State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The Seller API paths (behind auth and the rate limits, logged by the toolkit) and the
    /// sandbox's own `/_sandbox/state` and `/_sandbox/orders`.
    pub fn router(&self) -> Router {
        let market = Router::new()
            .route(op::TREE, post(catalog::tree))
            .route(op::ATTRIBUTES, post(catalog::attributes))
            .route(op::VALUES, post(catalog::values))
            .route(op::IMPORT, post(products::import))
            .route(op::IMPORT_INFO, post(products::import_info))
            .route(op::INFO_LIST, post(products::info_list))
            .route(op::PRODUCT_LIST, post(products::product_list))
            .route(op::PRICES, post(inventory::prices))
            .route(op::STOCKS, post(inventory::stocks))
            .route(op::WAREHOUSES, post(inventory::warehouses))
            .route(op::POSTINGS, post(postings::list))
            .route(op::POSTING, post(postings::get))
            .route(op::SHIP, post(postings::ship))
            .route(op::LABEL, post(postings::label))
            .fallback(not_found)
            .layer(axum::middleware::from_fn_with_state(self.clone(), guard))
            .with_state(self.clone());
        let own = Router::new()
            .route("/_sandbox/state", get(inspect::state))
            .route("/_sandbox/orders", post(inspect::emit))
            .with_state(self.clone());
        own.merge(self.toolkit.wrap(market))
    }

    /// Serves on `address` (port 0 picks one). Serving again with the same sandbox after
    /// [`Served::stop`] keeps the state, like a restart of the real service.
    pub async fn serve(&self, address: SocketAddr) -> std::io::Result<Served> {
        serve(self.router(), address).await
    }
}

async fn not_found() -> Response {
    rpc::error(404, "Not Found")
}

/// Ozon's authentication (401 without the headers, 403 with wrong ones) and rate limits
/// (≈50 requests a second per Client-Id; 80 a minute for stocks), answered with its 429.
async fn guard(State(sandbox): State<OzonSandbox>, request: Request, next: Next) -> Response {
    let (client_id, api_key) = {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        (header("client-id"), header("api-key"))
    };
    let (Some(client_id), Some(api_key)) = (client_id, api_key) else {
        return rpc::error(401, "Client-Id and Api-Key headers are required");
    };
    if client_id != sandbox.config.client_id || api_key != sandbox.config.api_key {
        return rpc::error(403, "Invalid Api-Key, please contact support");
    }
    if sandbox.gate.check("global", &client_id).is_err()
        || (request.uri().path() == op::STOCKS && sandbox.gate.check("stocks", &client_id).is_err())
    {
        return rpc::error(429, rpc::RATE_LIMITED);
    }
    next.run(request).await
}
