//! The SQLite backend, the embedded default: one WAL-mode database file, a single-connection
//! writer pool (SQLite has one writer at a time; queuing in the pool beats `SQLITE_BUSY`) and a
//! reader pool, migrations from `migrations/sqlite`, and the shared SQL compiled for
//! `sqlx::Sqlite`.

use std::path::Path;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{StoreError, StoreResult};
use carpetti_util::Money;

type Db = sqlx::Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
/// Money is canonical decimal text: SQLite has no exact decimal type.
type DbMoney = String;
type Backend = SqliteStore;

fn money_to_db(money: Money) -> DbMoney {
    money.to_string()
}

fn money_from_db(stored: DbMoney, column: &'static str) -> StoreResult<Money> {
    Money::parse(&stored)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("{column}: {e}").into())))
}

mod base {
    #![allow(dead_code)]
    use super::*;
    include!("../shared/base.rs");
}
use base::*;

mod supplier {
    use super::*;
    include!("../shared/supplier.rs");
}

mod order {
    use super::*;
    include!("../shared/order.rs");
}

mod order_customer {
    use super::*;
    include!("../shared/order_customer.rs");
}

mod crm {
    use super::*;
    include!("../shared/crm.rs");
}

mod access {
    use super::*;
    include!("../shared/access.rs");
}

mod access_user {
    use super::*;
    include!("../shared/access_user.rs");
}

mod link {
    use super::*;
    include!("../shared/link.rs");
}

mod link_type {
    use super::*;
    include!("../shared/link_type.rs");
}

mod link_item {
    use super::*;
    include!("../shared/link_item.rs");
}

mod channel {
    use super::*;
    include!("../shared/channel.rs");
}

mod channel_map {
    use super::*;
    include!("../shared/channel_map.rs");
}

mod channel_listing {
    use super::*;
    include!("../shared/channel_listing.rs");
}

mod channel_outbox {
    use super::*;
    include!("../shared/channel_outbox.rs");
}

mod supplier_bulk {
    use super::*;
    include!("../shared/supplier_bulk.rs");
}

mod completeness {
    use super::*;
    include!("../shared/completeness.rs");
}

mod structure_category {
    use super::*;
    include!("../shared/structure_category.rs");
}

mod structure_attribute {
    use super::*;
    include!("../shared/structure_attribute.rs");
}

mod structure_family {
    use super::*;
    include!("../shared/structure_family.rs");
}

mod structure_impl {
    use super::*;
    include!("../shared/structure_impl.rs");
}

mod product {
    use super::*;
    include!("../shared/product.rs");
}

mod product_values {
    use super::*;
    include!("../shared/product_values.rs");
}

mod product_upsert {
    use super::*;
    include!("../shared/product_upsert.rs");
}

mod product_bulk;

mod file {
    use super::*;
    include!("../shared/file.rs");
}

mod import {
    use super::*;
    include!("../shared/import.rs");
}

mod import_report {
    use super::*;
    include!("../shared/import_report.rs");
}

mod process {
    use super::*;
    include!("../shared/process.rs");
}

mod import_reports;

mod bulk;

/// service_persist on an SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
    description: String,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, applies the migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::FailedPrecondition(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self {
            write,
            read,
            description: format!("SQLite {}", path.display()),
        })
    }
}

#[async_trait::async_trait]
impl crate::store::ChangeStore for SqliteStore {
    async fn current_seq(&self) -> StoreResult<i64> {
        current_seq(&self.read).await
    }

    async fn list_tombstones(
        &self,
        since: i64,
        limit: u32,
        entity: Option<&str>,
    ) -> StoreResult<Vec<crate::store::Tombstone>> {
        list_tombstones(&self.read, since, limit, entity).await
    }
}

#[async_trait::async_trait]
impl crate::store::Store for SqliteStore {
    fn describe(&self) -> String {
        self.description.clone()
    }

    async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
