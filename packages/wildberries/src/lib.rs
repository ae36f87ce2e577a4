//! Wildberries for Carpetti: the seller-API connector and its loopback sandbox.
//!
//! - [`WildberriesConnector`] implements [`carpetti_marketplace::Connector`] for one seller
//!   account over WB's three hosts (content-api: subjects, characteristics, cards; discounts-
//!   prices-api: price upload tasks; marketplace-api: warehouses, stocks, FBS orders, supplies,
//!   stickers), with WB's documented rate limits and error shapes.
//! - [`Settings`] reads a channel's settings (hosts, warehouses) and credentials (`token`).
//! - [`WildberriesSandbox`] serves the same paths on one loopback port, with WB's auth, payloads,
//!   validation, asynchronous card processing, error list, rate limits, orders and stickers.
//!
//! WB's own words: a card's category is its subject (`subjectID`); our offer id is the vendor
//! code (`vendorCode`); a listing's product id is the `nmID` and its SKU the `chrtID`.

mod connector;
pub mod sandbox;
mod settings;

pub use connector::{
    CARDS_PER_CALL, PRICES_PER_CALL, STOCKS_PER_CALL, Warehouse, WildberriesConnector,
    documented_quotas,
};
pub use sandbox::{SandboxConfig, WildberriesSandbox};
pub use settings::Settings;
