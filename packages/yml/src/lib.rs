//! package_yml owns the YML (Yandex Market Language) format: a streaming, tolerant **reader** that
//! turns what suppliers really send into typed [`Offer`] records (or per-offer [`OfferError`]s,
//! never aborting the stream on one bad offer), and a streaming, constant-memory **writer** for the
//! Yandex Market catalog, its Megamarket variant and the Ozon price/stock feed.
//!
//! The [`Offer`] record is also the intermediate form of every other supplier format (CSV, XLSX,
//! JSON): service_provider maps those onto it and normalizes one shape.

mod error;
mod model;
mod read;
pub mod sample;
mod write;

pub use error::{FeedError, OfferError};
pub use model::{Category, Currency, Dimensions, Offer, Outlet, Param, Position, Shop};
pub use read::{Item, Limits, YmlReader};
pub use write::{Flavor, WriteError, YmlWriter};
