//! [`WildberriesSandbox`]: a loopback Wildberries serving the real paths of the content, prices
//! and marketplace APIs on one port, with WB's auth, payloads, error shapes, asynchronous card
//! processing, rate limits, orders, supplies and stickers. State lives in memory behind an `Arc`:
//! stopping and serving the same value again keeps it, like a restart of the real marketplace.

mod cards;
mod content;
mod control;
mod gate;
mod orders;
mod png;
mod prices;
mod process;
mod reply;
pub mod seed;
mod state;
mod stocks;
mod validate;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, patch, post, put};
use carpetti_marketplace::sandbox::{RateGate, Served, Toolkit, serve};

pub use control::{EmitOrder, SandboxError};
pub use png::is_png;
pub use seed::{Directory, Seed, SeedCharc, SeedSubject, SeedWarehouse};
pub use state::{SandboxCard, SandboxOrder, SandboxPrice, SandboxSize, SandboxSupply};

use seed::Directory as Dir;
use state::State;

/// The token a default sandbox accepts (`Authorization: <token>`).
pub const DEFAULT_TOKEN: &str = "wb-sandbox-token";

/// How a sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The only API token accepted.
    pub token: String,
    /// Every quota `pace` times faster (1.0 = WB's documented limits).
    pub pace: f64,
    /// How long an accepted card upload or update takes to be processed.
    pub processing_delay: Duration,
    /// Subjects, characteristics, directories and warehouses.
    pub seed: Seed,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            token: DEFAULT_TOKEN.to_owned(),
            pace: 1.0,
            processing_delay: Duration::from_secs(1),
            seed: Seed::default(),
        }
    }
}

impl SandboxConfig {
    /// Quotas `pace` times faster and processing in 1 s / `pace`.
    pub fn paced(pace: f64) -> Self {
        let pace = if pace.is_finite() && pace > 0.0 {
            pace
        } else {
            1.0
        };
        Self {
            pace,
            processing_delay: Duration::from_secs(1).div_f64(pace),
            ..Self::default()
        }
    }

    pub fn with_processing_delay(mut self, delay: Duration) -> Self {
        self.processing_delay = delay;
        self
    }
}

struct Inner {
    config: SandboxConfig,
    state: Mutex<State>,
    toolkit: Toolkit,
    gate: RateGate,
}

/// The loopback Wildberries (cheap to clone: every clone is the same account).
#[derive(Clone)]
pub struct WildberriesSandbox {
    inner: Arc<Inner>,
}

impl WildberriesSandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let pace = config.pace;
        let toolkit = Toolkit::new(move |status| gate::fault_body(status, pace));
        let gate = RateGate::new(&gate::quotas(), pace);
        Self {
            inner: Arc::new(Inner {
                config,
                state: Mutex::new(State::new()),
                toolkit,
                gate,
            }),
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    pub fn toolkit(&self) -> &Toolkit {
        &self.inner.toolkit
    }

    pub(crate) fn seed(&self) -> &Seed {
        &self.inner.config.seed
    }

    pub(crate) fn rate_gate(&self) -> &RateGate {
        &self.inner.gate
    }

    pub(crate) fn processing_delay(&self) -> Duration {
        self.inner.config.processing_delay
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The state after processing whatever is due.
    fn current(&self) -> MutexGuard<'_, State> {
        let mut state = self.lock();
        state.process_due(self.seed());
        state
    }

    /// WB's paths (auth, rate limits), wrapped by the toolkit, plus `/_sandbox/state` and
    /// `/_sandbox/orders`.
    pub fn router(&self) -> Router {
        let directory = |d: Dir| {
            let sb = self.clone();
            get(move || content::directory(sb.clone(), d))
        };
        let marketplace = Router::new()
            .route("/content/v2/object/all", get(content::subjects))
            .route(
                "/content/v2/object/charcs/{subjectId}",
                get(content::charcs),
            )
            .route("/content/v2/directory/colors", directory(Dir::Colors))
            .route("/content/v2/directory/kinds", directory(Dir::Kinds))
            .route("/content/v2/directory/countries", directory(Dir::Countries))
            .route("/content/v2/directory/seasons", directory(Dir::Seasons))
            .route("/content/v2/directory/vat", directory(Dir::Vat))
            .route("/content/v2/cards/upload", post(content::upload))
            .route("/content/v2/cards/update", post(content::update))
            .route("/content/v2/get/cards/list", post(content::cards_list))
            .route("/content/v2/cards/error/list", post(cards::error_list))
            .route("/api/v2/upload/task", post(prices::upload_task))
            .route("/api/v2/history/tasks", get(prices::task))
            .route("/api/v2/history/goods/task", get(prices::task_goods))
            .route("/api/v3/warehouses", get(stocks::warehouses))
            .route("/api/v3/stocks/{warehouseId}", put(stocks::put_stocks))
            .route("/api/v3/orders/new", get(orders::new_orders))
            .route("/api/v3/orders", get(orders::orders))
            .route("/api/v3/orders/status", post(orders::statuses))
            .route("/api/v3/orders/stickers", post(orders::stickers))
            .route("/api/v3/supplies", post(orders::create_supply))
            .route(
                "/api/marketplace/v3/supplies/{supplyId}/orders",
                patch(orders::add_to_supply),
            )
            .fallback(gate::not_found)
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                gate::gate,
            ))
            .with_state(self.clone());
        let control = Router::new()
            .route("/_sandbox/state", get(control::state))
            .route("/_sandbox/orders", post(control::post_order))
            .with_state(self.clone());
        control.merge(self.inner.toolkit.wrap(marketplace))
    }

    /// Serves the sandbox on `address` (port 0 picks one).
    pub async fn serve(&self, address: SocketAddr) -> std::io::Result<Served> {
        serve(self.router(), address).await
    }

    /// The card with this vendor code, once processed.
    pub fn card(&self, vendor_code: &str) -> Option<SandboxCard> {
        self.current().card_by_vendor(vendor_code).cloned()
    }

    pub fn card_count(&self) -> usize {
        self.current().cards.len()
    }

    /// Upload requests received that carried this vendor code (refused ones included).
    pub fn upload_calls(&self, vendor_code: &str) -> u32 {
        self.lock()
            .upload_calls
            .get(vendor_code)
            .copied()
            .unwrap_or(0)
    }

    /// Update requests received that carried this vendor code.
    pub fn update_calls(&self, vendor_code: &str) -> u32 {
        self.lock()
            .update_calls
            .get(vendor_code)
            .copied()
            .unwrap_or(0)
    }

    /// The error-list messages of a vendor code.
    pub fn card_errors(&self, vendor_code: &str) -> Vec<String> {
        self.current().errors_of(vendor_code)
    }

    /// Cards accepted and not processed yet.
    pub fn pending_cards(&self) -> usize {
        self.lock()
            .pending_vendors
            .values()
            .map(|n| *n as usize)
            .sum()
    }

    pub fn price(&self, nm_id: i64) -> Option<SandboxPrice> {
        self.lock().prices.get(&nm_id).copied()
    }

    pub fn stock(&self, warehouse_id: i64, chrt_id: i64) -> Option<u32> {
        self.lock()
            .stocks
            .get(&warehouse_id)
            .and_then(|s| s.get(&chrt_id))
            .copied()
    }

    /// Every stock of a warehouse, by chrtID.
    pub fn stocks(&self, warehouse_id: i64) -> std::collections::HashMap<i64, u32> {
        self.lock()
            .stocks
            .get(&warehouse_id)
            .cloned()
            .unwrap_or_default()
    }

    pub fn orders(&self) -> Vec<SandboxOrder> {
        self.lock().orders.values().cloned().collect()
    }

    pub fn order(&self, id: i64) -> Option<SandboxOrder> {
        self.lock().orders.get(&id).cloned()
    }

    pub fn supplies(&self) -> Vec<SandboxSupply> {
        self.lock().supplies.values().cloned().collect()
    }
}
