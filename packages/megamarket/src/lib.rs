//! Megamarket merchant API: the connector (cards, prices, stocks, shipments, stickers) and its
//! loopback sandbox, as far as the public notes tell it.
//!
//! Megamarket publishes no OpenAPI: `testdata/marketplaces/specs/megamarket-notes.yaml` describes
//! what the research notes (NOTES §4, "less certain") say of the operations used, with every
//! guessed part marked `x-unverified`. This crate owns:
//! - [`MegamarketConnector`]: the [`carpetti_marketplace::Connector`] of one merchant account —
//!   the content API (`X-Merchant-Token` header) for categories, info models and cards, the
//!   Merchant API (token in the body envelope) for prices, stocks, shipments and stickers;
//! - [`MegamarketSandbox`]: a loopback stand-in serving the same paths and shapes, with a small
//!   dictionary, card validation, asynchronous goodsIds, the 5 requests/s limit and shipments.

mod api;
mod connector;
mod sandbox;
mod settings;

pub use api::{
    CALLS_PER_SECOND, CARDS_PER_CALL, MAX_PHOTOS, PAGE_LIMIT, PRICES_PER_CALL, SHIPMENTS_PER_GET,
    STOCKS_PER_CALL, master, path,
};
pub use connector::MegamarketConnector;
pub use sandbox::{
    EmitLot, MegamarketSandbox, SandboxCard, SandboxConfig, SandboxLot, SandboxShipment, seed,
};
pub use settings::{PRODUCTION_URL, Settings, TEST_URL};
