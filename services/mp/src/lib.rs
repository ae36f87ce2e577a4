//! service_mp: the marketplaces side of Carpetti.
//!
//! - [`channel`]: a channel as service_mp drives it — its persist row, credentials, category and
//!   attribute mappings, and the connector ([`connectors`]) for its marketplace;
//! - [`cards`]: a product of our catalog turned into the marketplace's card through the channel's
//!   mappings, with the content hash that makes publishing idempotent;
//! - [`dictionaries`]: the marketplaces' category attributes, cached, that every card is checked
//!   against before it is sent;
//! - [`publish`]: the deferred publication — outbox entries, batches of the marketplace's maximum,
//!   the asynchronous outcome followed to the end, the external ids and per-item errors saved on
//!   the listing (the seed's deferred link entity), recovery after a crash;
//! - [`prices`] and [`stocks`] (coalesced per offer × warehouse), [`orders`] into persist with
//!   lines matched to our products, [`labels`] kept as files, [`reconcile`];
//! - [`consumer`]: publication requests from the queue, results back on it.

pub mod cards;
pub mod channel;
pub mod connectors;
pub mod consumer;
pub mod dictionaries;
mod error;
pub mod files;
pub mod labels;
pub mod listings;
pub mod orders;
pub mod pages;
pub mod prices;
pub mod publish;
pub mod reconcile;
pub mod server;
pub mod stocks;

pub use error::MpServiceError;
pub use server::{MpServer, SERVICE_NAME};
