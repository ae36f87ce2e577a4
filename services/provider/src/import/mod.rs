//! One import run of one supplier, end to end: fetch the feed to a local file, scan it (parse,
//! normalize, spool every offer by bucket) while what persist holds is spooled the same way,
//! compare the two bucket by bucket (duplicates, unchanged, new or changed, gone), and only when
//! the whole feed was read and compared write it — the new and changed items through persist's
//! bulk upsert, the item reports, the offers the feed no longer carries marked unavailable — then
//! close the run with its totals and announce the changes on the queue. A feed that cannot be
//! fetched or read to its end changes nothing and closes the run as failed with the reason.

mod bucket;
mod catalog;
mod error;
mod events;
mod interrupted;
mod known;
mod merge;
mod payload;
mod remember;
mod request;
mod run;
mod scan;
mod spool;
mod turns;
mod write;

pub use catalog::{Catalog, HashChunks, PersistCatalog, StoredHash, UpsertAnswers};
pub use error::ImportError;
pub use events::{IMPORT_REQUESTED_TOPIC, ITEMS_CHANGED_TOPIC};
pub use interrupted::INTERRUPTED;
pub use request::{ImportRequest, ImporterOptions, Upload};
pub use run::Importer;
pub use scan::{ScanCounts, dry_run};

/// Where a run is, for progress bars. Every method has a no-op default.
pub trait Progress: Send + Sync {
    /// Downloading: bytes so far.
    fn downloaded(&self, _bytes: u64) {}
    /// Scanning the local file of `total_bytes`.
    fn scan_started(&self, _total_bytes: u64) {}
    /// Scanning: bytes of the file consumed, offers read.
    fn scanned(&self, _bytes: u64, _offers: u64) {}
    /// Writing `total` new or changed items.
    fn write_started(&self, _total: u64) {}
    /// Writing: items answered by persist so far.
    fn written(&self, _items: u64) {}
    /// Marking `total` gone offers.
    fn gone_started(&self, _total: u64) {}
}

/// No progress display.
pub struct NoProgress;

impl Progress for NoProgress {}
