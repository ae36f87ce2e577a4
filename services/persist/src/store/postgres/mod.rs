//! The PostgreSQL backend: a connection pool, migrations from `migrations/postgres`, the shared
//! SQL compiled for `sqlx::Postgres`, and `COPY`-based bulk writes.

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

use crate::error::{StoreError, StoreResult};
use carpetti_util::Money;

type Db = sqlx::Postgres;
type DbRow = sqlx::postgres::PgRow;
/// Money is `NUMERIC(18,4)`.
type DbMoney = Decimal;
type Backend = PgStore;

fn money_to_db(money: Money) -> DbMoney {
    money.amount()
}

fn money_from_db(stored: DbMoney, column: &'static str) -> StoreResult<Money> {
    Money::from_decimal(stored)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("{column}: {e}").into())))
}

include!("../shared/backend.rs");

mod product_bulk;

mod import_reports;

mod bulk;

mod gone;

/// Options of the PostgreSQL pool.
#[derive(Debug, Clone)]
pub struct PgOptions {
    pub max_connections: u32,
    pub connect_timeout: Duration,
    pub statement_timeout: Duration,
}

/// service_persist on PostgreSQL.
#[derive(Clone)]
pub struct PgStore {
    write: PgPool,
    read: PgPool,
    description: String,
}

impl PgStore {
    /// Connects, applies the migrations and returns the store.
    pub async fn connect(url: &str, options: &PgOptions) -> StoreResult<Self> {
        Self::connect_with(PgConnectOptions::from_str(url)?, options).await
    }

    /// Like [`PgStore::connect`], from parsed connection options.
    pub async fn connect_with(connect: PgConnectOptions, options: &PgOptions) -> StoreResult<Self> {
        let connect = connect
            .options([(
                "statement_timeout",
                format!("{}", options.statement_timeout.as_millis()),
            )])
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2));
        let description = format!(
            "PostgreSQL {}:{}/{}",
            connect.get_host(),
            connect.get_port(),
            connect.get_database().unwrap_or("postgres")
        );
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.connect_timeout)
            .connect_with(connect)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self {
            write: pool.clone(),
            read: pool,
            description,
        })
    }

    /// The pool, for benchmarks and tests that compare with raw SQL.
    pub fn pool(&self) -> &PgPool {
        &self.write
    }
}
