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

#[async_trait::async_trait]
impl crate::store::ChangeStore for PgStore {
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
impl crate::store::Store for PgStore {
    fn describe(&self) -> String {
        self.description.clone()
    }

    async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
