//! The engine on PostgreSQL: a pool, the shared migrations, the shared SQL compiled for
//! `sqlx::Postgres`, and row locks (`FOR UPDATE`, `SKIP LOCKED`) so several engine processes share
//! the work.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::EngineConfig;
use crate::api::EngineResult;

type Db = sqlx::Postgres;
/// The engine on PostgreSQL.
pub type PgEngine = Store;
/// Locks the instance row for the command.
const FOR_UPDATE: &str = " FOR UPDATE";
/// Skips rows another engine process is acquiring.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
/// Locks the instance rows (`i`) of a join, not the rows joined to them.
const FOR_UPDATE_OF_INSTANCE: &str = " FOR UPDATE OF i";
/// The schema of the engine's tables.
pub const SCHEMA: &str = "carpetti_engine";

include!("shared/backend.rs");

impl PgEngine {
    pub(super) async fn open(
        url: &str,
        max_connections: u32,
        config: &EngineConfig,
    ) -> EngineResult<Arc<Self>> {
        // The engine's tables (and its own `_sqlx_migrations`) live in their own schema, so it can
        // share a database with service_persist, whose migrations use the same version numbers.
        let admin = PgConnectOptions::from_str(url)?;
        let mut conn = sqlx::PgConnection::connect_with(&admin).await?;
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let options = admin.options([("statement_timeout", "30000"), ("search_path", SCHEMA)]);
        let description = format!(
            "PostgreSQL {}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("postgres")
        );
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            // No ping before each acquire: it is a round trip to the server on every command
            // (measured: ~10 % of the engine's CPU under load). A connection that died while
            // idle fails its next statement, which fails that command alone, and sqlx closes
            // it when it comes back (sqlx tests every connection on release).
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| crate::api::EngineError::Internal(format!("migrations: {e}")))?;
        Ok(Arc::new_cyclic(|me| {
            Self::with_pools(pool.clone(), pool, description, config, me.clone())
        }))
    }
}
