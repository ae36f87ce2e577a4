//! Backends for the suite: a store plus the guard that removes its database afterwards.

use std::sync::Arc;

use carpetti_persist::store::DynStore;
use carpetti_persist::store::postgres::{PgOptions, PgStore};
use carpetti_persist::store::sqlite::SqliteStore;
use carpetti_testkit::{TestPgDatabase, TestSqliteDatabase};

/// Keeps whatever the store's database needs alive for the test.
#[allow(dead_code)]
enum Guard {
    Pg(TestPgDatabase),
    Sqlite(TestSqliteDatabase),
}

pub struct Backend {
    pub store: DynStore,
    _guard: Guard,
}

impl Backend {
    pub async fn postgres() -> anyhow::Result<Self> {
        let db = TestPgDatabase::create().await?;
        let options = PgOptions {
            max_connections: 4,
            connect_timeout: std::time::Duration::from_secs(10),
            statement_timeout: std::time::Duration::from_secs(30),
        };
        let store = PgStore::connect(db.url(), &options).await?;
        Ok(Self {
            store: Arc::new(store),
            _guard: Guard::Pg(db),
        })
    }

    pub async fn sqlite() -> anyhow::Result<Self> {
        let db = TestSqliteDatabase::create()?;
        let store = SqliteStore::open(&db.path()).await?;
        Ok(Self {
            store: Arc::new(store),
            _guard: Guard::Sqlite(db),
        })
    }
}
