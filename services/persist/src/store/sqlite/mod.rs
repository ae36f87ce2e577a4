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

include!("../shared/backend.rs");

mod product_bulk;

mod import_reports;

mod bulk;

mod gone;

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
