//! [`YandexMarketSandbox`]: a loopback Yandex Market Partner API for tests, demos and benchmarks —
//! the real paths, `Api-Key` auth, payloads and error envelopes, the all-or-nothing offer
//! batches, the asynchronous card processing, the 4-parallel-requests limit and per-method
//! quotas (420), orders with packing and PDF labels, and `/_sandbox/*` control endpoints.

mod catalog;
mod config;
mod content;
mod control;
mod dictionary;
mod http;
mod inspect;
mod orders;
mod pdf;
mod prices;
mod reads;
pub mod seed;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post, put};
use carpetti_marketplace::sandbox::{RateGate, Served, Toolkit, serve};
use chrono::Utc;

pub use config::{
    DEFAULT_API_KEY, DEFAULT_BUSINESS_ID, DEFAULT_CAMPAIGN_ID, ParameterKind, SandboxConfig,
    SeedCategory, SeedParameter,
};
pub use inspect::{SandboxOffer, SandboxOrder, SandboxPrice, SandboxStock};
pub use orders::OrderLine;

use crate::quotas;
use dictionary::Dictionary;
use state::State;

/// The sandbox; clones share one state (a restart keeps it, like the real Market).
#[derive(Clone)]
pub struct YandexMarketSandbox {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    dictionary: Dictionary,
    state: Mutex<State>,
    toolkit: Toolkit,
    gate: RateGate,
}

impl YandexMarketSandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let toolkit = Toolkit::new(http::fault_body(config.campaign_id));
        let gate = RateGate::new(&quotas::documented(), config.pace);
        Self {
            inner: Arc::new(Inner {
                dictionary: Dictionary::new(config.catalog.clone()),
                config,
                state: Mutex::default(),
                toolkit,
                gate,
            }),
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// The exchange log and scripted faults.
    pub fn toolkit(&self) -> Toolkit {
        self.inner.toolkit.clone()
    }

    /// The Market's routes (wrapped by the toolkit) and the `/_sandbox/*` control endpoints.
    pub fn router(&self) -> Router {
        let api = Router::new()
            .route("/v2/categories/tree", post(dictionary::tree))
            .route(
                "/v2/category/{categoryId}/parameters",
                post(dictionary::parameters),
            )
            .route(
                "/v2/businesses/{businessId}/offer-mappings/update",
                post(catalog::update),
            )
            .route(
                "/v2/businesses/{businessId}/offer-mappings",
                post(reads::mappings),
            )
            .route(
                "/v2/businesses/{businessId}/offer-cards",
                post(reads::cards),
            )
            .route(
                "/v2/businesses/{businessId}/offer-prices/updates",
                post(prices::prices),
            )
            .route(
                "/v2/campaigns/{campaignId}/offers/stocks",
                put(prices::stocks),
            )
            .route("/v2/campaigns/{campaignId}/orders", get(orders::list))
            .route(
                "/v2/campaigns/{campaignId}/orders/{orderId}",
                get(orders::one),
            )
            .route(
                "/v2/campaigns/{campaignId}/orders/{orderId}/status",
                put(orders::status),
            )
            .route(
                "/v2/campaigns/{campaignId}/orders/{orderId}/delivery/labels",
                get(orders::labels),
            )
            .route_layer(axum::middleware::from_fn_with_state(
                self.clone(),
                http::guard,
            ))
            .fallback(|| async { http::not_found("No such method") })
            .with_state(self.clone());
        let control = Router::new()
            .route("/_sandbox/orders", post(control::emit))
            .route("/_sandbox/state", get(control::state))
            .with_state(self.clone());
        self.inner.toolkit.wrap(api).merge(control)
    }

    /// Serves on `address` (port 0 picks one) until the [`Served`] is stopped or dropped.
    pub async fn serve(&self, address: SocketAddr) -> std::io::Result<Served> {
        serve(self.router(), address).await
    }

    /// Creates an order (`PROCESSING` / `STARTED`) and returns its id.
    pub fn emit_order(&self, lines: &[OrderLine]) -> i64 {
        orders::emit(&mut self.state(), lines, Utc::now())
    }

    /// The state, with every processing due by now finished.
    fn state(&self) -> MutexGuard<'_, State> {
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.settle(Utc::now(), &self.inner.dictionary);
        state
    }

    fn check_business(&self, text: &str) -> Result<(), http::Refusal> {
        check_id(text, self.inner.config.business_id, "businessId")
    }

    fn check_campaign(&self, text: &str) -> Result<(), http::Refusal> {
        check_id(text, self.inner.config.campaign_id, "campaignId")
    }
}

/// A path id: not a number → 400, another account's → 403.
fn check_id(text: &str, expected: i64, name: &str) -> Result<(), http::Refusal> {
    match text.parse::<i64>() {
        Ok(id) if id == expected => Ok(()),
        Ok(id) => Err(http::forbidden(format!("Access denied to {name} {id}"))),
        Err(_) => Err(http::bad_request(
            "BAD_REQUEST",
            format!("{name} «{text}» is not a number"),
        )),
    }
}
