//! The engine on an SQLite file (the embedded default): WAL, one writer connection (so commands
//! serialize without lock errors), readers beside it, the shared SQL compiled for `sqlx::Sqlite`.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::EngineConfig;
use crate::api::{EngineError, EngineResult};

type Db = sqlx::Sqlite;
/// The engine on SQLite.
pub type SqliteEngine = Store;
/// One writer: the write transaction itself is the lock.
const FOR_UPDATE: &str = "";
const SKIP_LOCKED: &str = "";
const FOR_UPDATE_OF_INSTANCE: &str = "";

include!("shared/backend.rs");

impl SqliteEngine {
    pub(super) async fn open(path: &Path, config: &EngineConfig) -> EngineResult<Arc<Self>> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                EngineError::Internal(format!("cannot create {}: {e}", dir.display()))
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
        sqlx::migrate!("./migrations")
            .run(&write)
            .await
            .map_err(|e| EngineError::Internal(format!("migrations: {e}")))?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        let description = format!("SQLite {}", path.display());
        Ok(Arc::new_cyclic(|me| {
            Self::with_pools(write, read, description, config, me.clone())
        }))
    }
}
