//! The loopback Megamarket: the real paths of the operations the connector uses, the envelope
//! and error shapes of NOTES §4 (guesses where NOTES is silent, as in megamarket-notes.yaml),
//! a small dictionary, card validation, asynchronous goodsIds, the 5 requests/s limit and
//! shipments with stickers.

mod content;
mod inspect;
mod merchant;
mod orders;
mod packing;
mod pdf;
mod reply;
pub mod seed;
mod state;
mod validate;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use carpetti_marketplace::sandbox::{RateGate, Served, Toolkit, serve};
use carpetti_marketplace::transport::Quota;
use serde_json::{Value, json};

pub use inspect::{SandboxCard, SandboxLot, SandboxShipment};
pub use orders::EmitLot;

use crate::api::{CALLS_PER_SECOND, path};
use seed::SeedCategory;
use state::State;

/// What the sandbox accepts and how fast it works.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The merchant token it accepts (header on the content API, `data.token` elsewhere).
    pub token: String,
    /// The merchant id of box codes.
    pub merchant_id: String,
    /// Quotas and the default processing delay are this many times faster.
    pub pace: f64,
    /// How long after `card/save` a card's goodsId shows.
    pub processing_delay: Duration,
    /// The category tree (leaves carry their content attributes).
    pub categories: Vec<SeedCategory>,
}

impl SandboxConfig {
    pub const DEFAULT_TOKEN: &'static str = "6C1E2F3A-0000-4000-8000-5A4DB0C5EA11";
    pub const DEFAULT_MERCHANT_ID: &'static str = "175306";

    /// The defaults with every quota `pace` times faster and a processing delay of 1 s / pace.
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

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            token: Self::DEFAULT_TOKEN.to_owned(),
            merchant_id: Self::DEFAULT_MERCHANT_ID.to_owned(),
            pace: 1.0,
            processing_delay: Duration::from_secs(1),
            categories: seed::default_tree(),
        }
    }
}

/// The sandbox: cheap to clone, state shared; serve it again after a stop and the state is
/// still there.
#[derive(Clone)]
pub struct MegamarketSandbox {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    state: Mutex<State>,
    toolkit: Toolkit,
    gate: RateGate,
}

impl MegamarketSandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let gate = RateGate::new(&[("all", Quota::per_second(CALLS_PER_SECOND))], config.pace);
        let state = State::new(config.categories.clone());
        Self {
            inner: Arc::new(Inner {
                config,
                state: Mutex::new(state),
                toolkit: Toolkit::new(reply::fault),
                gate,
            }),
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// The exchange log and scripted faults.
    pub fn toolkit(&self) -> &Toolkit {
        &self.inner.toolkit
    }

    pub(crate) fn gate(&self) -> &RateGate {
        &self.inner.gate
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn processing_delay(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.inner.config.processing_delay)
            .unwrap_or(chrono::Duration::MAX)
    }

    /// Megamarket's paths (logged, faults applied) and the sandbox's own control endpoints
    /// (`GET /_sandbox/state`, `POST /_sandbox/orders`; not logged).
    pub fn router(&self) -> Router {
        let api = Router::new()
            .route(path::CATEGORY_TREE, post(content::category_tree))
            .route(path::INFOMODEL, post(content::infomodel))
            .route(path::CARD_SAVE, post(content::card_save))
            .route(
                path::CARD_GET_ATTRIBUTES,
                post(content::card_get_attributes),
            )
            .route(path::PRICE_SAVE, post(merchant::price_save))
            .route(path::STOCK_UPDATE, post(merchant::stock_update))
            .route(path::ORDER_SEARCH, post(orders::search))
            .route(path::ORDER_GET, post(orders::get))
            .route(path::ORDER_CONFIRM, post(packing::confirm))
            .route(path::ORDER_PACKING, post(packing::packing))
            .route(path::STICKER_PRINT, post(packing::sticker))
            .with_state(self.clone());
        let control = Router::new()
            .route("/_sandbox/state", get(state_json))
            .route("/_sandbox/orders", post(emit_orders))
            .with_state(self.clone());
        self.inner.toolkit.wrap(api).merge(control)
    }

    /// Serves on `address` (port 0 picks one).
    pub async fn serve(&self, address: SocketAddr) -> std::io::Result<Served> {
        serve(self.router(), address).await
    }
}

async fn state_json(Extract(sandbox): Extract<MegamarketSandbox>) -> Response {
    axum::Json(sandbox.state_json()).into_response()
}

/// `{"items":[{"offerId","quantity","price"}]}` (or the list alone) → `{"shipmentId"}`.
async fn emit_orders(Extract(sandbox): Extract<MegamarketSandbox>, body: Bytes) -> Response {
    let parsed = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| {
            let items = match value {
                Value::Object(mut map) => map.remove("items")?,
                list @ Value::Array(_) => list,
                _ => return None,
            };
            serde_json::from_value::<Vec<EmitLot>>(items).ok()
        });
    match parsed {
        Some(lots) if !lots.is_empty() => {
            axum::Json(json!({ "shipmentId": sandbox.emit_order(&lots) })).into_response()
        }
        _ => (
            http::StatusCode::BAD_REQUEST,
            "expected {\"items\":[{\"offerId\":\"…\",\"quantity\":1,\"price\":990}]}",
        )
            .into_response(),
    }
}
