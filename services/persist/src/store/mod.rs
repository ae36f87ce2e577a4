//! Storage behind one trait, two backends.
//!
//! [`Store`] is the whole persistence API, split into one trait per business concept. It has two
//! implementations: [`postgres::PgStore`] (sqlx, set-based bulk writes with `UNNEST` arrays) and
//! [`sqlite::SqliteStore`] (the embedded default, WAL). Most SQL is the same text on both: the
//! files under `store/shared/` are compiled once per backend (`include!`), each time against that
//! backend's concrete `Db` type, so a query exists once and is checked by the compiler twice.
//! Where the dialects differ (money columns, bulk paths) each backend has its own module.

use std::sync::Arc;

mod access;
mod change;
mod channel;
mod crm;
mod file;
mod import;
mod link;
mod order;
pub mod postgres;
mod process;
mod product;
pub mod sqlite;
mod structure;
mod supplier;

pub use access::AccessStore;
pub use change::{ChangeStore, Tombstone};
pub use channel::{ChannelStore, CredentialStore};
pub use crm::CrmStore;
pub use file::FileStore;
pub use import::ImportStore;
pub use link::LinkStore;
pub use order::OrderStore;
pub use process::ProcessReportStore;
pub use product::ProductStore;
pub use structure::StructureStore;
pub use supplier::SupplierStore;
pub use supplier::{MAX_GONE_PER_CALL, OfferState};

/// The whole persistence API. Every write is one transaction and bumps the change sequence.
#[async_trait::async_trait]
pub trait Store:
    SupplierStore
    + StructureStore
    + LinkStore
    + ChannelStore
    + CredentialStore
    + ProductStore
    + FileStore
    + ImportStore
    + ProcessReportStore
    + OrderStore
    + CrmStore
    + AccessStore
    + ChangeStore
    + Send
    + Sync
    + 'static
{
    /// A human description of the backend ("PostgreSQL host:port/db", "SQLite path").
    fn describe(&self) -> String;

    /// Closes the connection pools (SQLite checkpoints and removes its WAL on the last close).
    async fn close(&self);

    /// Refreshes the planner's statistics of `table` after a bulk write changed many of its
    /// rows (`ANALYZE`). Until autovacuum gets to a freshly
    /// loaded table, PostgreSQL plans it as if it were small: a keyset page of a million-row
    /// supplier then took 1.8 s instead of 28 ms (bitmap scan and sort instead of the ordered
    /// index). Correctness never depends on it.
    async fn refresh_statistics(&self, table: BulkTable) -> crate::StoreResult<()>;
}

/// The tables bulk streams write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkTable {
    SupplierItems,
    Products,
}

impl BulkTable {
    /// The table's name in both schemas.
    pub fn table(self) -> &'static str {
        match self {
            BulkTable::SupplierItems => "supplier_item",
            BulkTable::Products => "product",
        }
    }
}

/// A shared handle to a store.
pub type DynStore = Arc<dyn Store>;

/// What a bulk upsert did with one item.
#[derive(Debug)]
pub enum UpsertOutcome {
    /// A new entity was written.
    Created { id: uuid::Uuid, change_seq: i64 },
    /// The stored entity was replaced.
    Updated { id: uuid::Uuid, change_seq: i64 },
    /// Same content hash: nothing written.
    Unchanged { id: uuid::Uuid, change_seq: i64 },
    /// Not written, with the reason; the rest of the chunk goes on.
    Rejected(crate::StoreError),
    /// A fingerprint whose offer is new or differs: the client must send the item in full.
    ContentNeeded,
}
