//! Ozon Seller API: the connector (cards through product import tasks, prices, FBS stocks,
//! postings, package labels) and its loopback sandbox.
//!
//! - [`Settings`]: host, Client-Id, API key (from the channel's credentials only), warehouses;
//! - [`OzonConnector`]: [`carpetti_marketplace::Connector`] over the Seller API — dictionaries
//!   (`/v1/description-category/*`), cards (`/v3/product/import` tasks polled with
//!   `/v1/product/import/info`, sku from `/v3/product/info/list`), prices, stocks, the account's
//!   products (`/v3/product/list`), FBS postings (`/v4/posting/fbs/list`), packing
//!   (`/v4/posting/fbs/ship`) and labels (`/v2/posting/fbs/package-label`);
//! - [`OzonSandbox`]: the same paths served on a loopback port, with Ozon's auth, errors,
//!   asynchronous import, rate limits, orders and PDF labels, for tests and benchmarks.
//!
//! Ozon category ids in [`carpetti_marketplace::Card::category`] are
//! `description_category_id/type_id`; [`carpetti_marketplace::ListingIds`] carry Ozon's
//! `product_id` and `sku`.

mod connector;
pub mod sandbox;
mod settings;

pub use connector::{
    CALLS_PER_SECOND, CARDS_PER_CALL, OzonConnector, OzonWarehouse, PRICES_PER_CALL,
    STOCK_CALLS_PER_MINUTE, STOCK_ITEM_INTERVAL, STOCKS_PER_CALL,
};
pub use sandbox::{
    DEFAULT_API_KEY, DEFAULT_CLIENT_ID, EmittedLine, OzonSandbox, SandboxConfig, SandboxError,
};
pub use settings::{PRODUCTION_BASE_URL, Settings};
