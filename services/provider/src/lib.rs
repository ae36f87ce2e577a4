//! service_provider owns getting supplier catalogs in: it fetches a supplier's feed (http(s) with
//! conditional GET, a local file, or an upload), reads it in the supplier's format (YML/XML, CSV,
//! XLSX, JSON) as a stream of offers, normalizes each into a supplier item (prices in RUB, units,
//! pictures, barcodes, packs), streams them into persist's bulk upsert, marks the offers a feed no
//! longer carries unavailable, records the run's report and announces what changed on the queue.

mod consumer;
pub mod format;
pub mod grpc;
pub mod import;
pub mod normalize;
mod schedule;
mod server;
pub mod settings;
pub mod source;

pub use server::{Error, ProviderServer, SERVICE_NAME};
pub use settings::{ColumnMapping, HttpSettings, SupplierSettings};
