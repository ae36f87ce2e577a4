//! Yandex Market Partner API for Carpetti: [`YandexMarketConnector`] (the
//! [`carpetti_marketplace::Connector`] of one cabinet + FBS shop: categories and parameters, offer
//! mappings with the Market's all-or-nothing batches and asynchronous cards, business prices,
//! campaign stocks, orders, packing to `READY_TO_SHIP`, PDF labels) and
//! [`YandexMarketSandbox`], its loopback stand-in serving the same paths with the Market's
//! payloads, validation, asynchronous processing, 420 rate limits and error shapes.
//!
//! It owns the Market's wire shapes (`wire`), the documented quotas both sides share
//! ([`quotas`]), the channel settings ([`Settings`]) and the sandbox's state.

mod connector;
pub mod quotas;
pub mod sandbox;
mod settings;
mod wire;

pub use connector::YandexMarketConnector;
pub use sandbox::{OrderLine, SandboxConfig, YandexMarketSandbox};
pub use settings::{DEFAULT_BASE_URL, Settings};
