//! The databases the outbox and idempotent-consumer cases run on: a fresh PostgreSQL database on
//! the machine's server, or a fresh SQLite file. Each gets the queue's migrations and a `widget`
//! table standing for a service's own state.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use carpetti_queue::{
    Bus, MessageId, Outbox, OutboxRelay, OutgoingMessage, ProcessedMessages, RelayOptions, migrate,
};
use carpetti_testkit::{TestPgDatabase, TestSqliteDatabase};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

/// A pool and the guard that drops its database with the test.
pub enum TestDb {
    Postgres(PgPool, #[allow(dead_code)] TestPgDatabase),
    Sqlite(SqlitePool, #[allow(dead_code)] TestSqliteDatabase),
}

/// The widget rows a message names, or a rollback.
pub enum Commit {
    Yes,
    No,
}

impl TestDb {
    pub async fn postgres() -> Result<Self> {
        let db = TestPgDatabase::create().await?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(db.url())
            .await?;
        sqlx::query("CREATE TABLE widget (name TEXT PRIMARY KEY)")
            .execute(&pool)
            .await?;
        migrate(&pool).await?;
        Ok(Self::Postgres(pool, db))
    }

    pub async fn sqlite() -> Result<Self> {
        let db = TestSqliteDatabase::create()?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(db.path())
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(30)),
            )
            .await?;
        sqlx::query("CREATE TABLE widget (name TEXT PRIMARY KEY)")
            .execute(&pool)
            .await?;
        migrate(&pool).await?;
        Ok(Self::Sqlite(pool, db))
    }

    /// One transaction: inserts a widget row per name and enqueues `messages`; commits or rolls
    /// back.
    pub async fn change(
        &self,
        names: &[String],
        messages: &[OutgoingMessage],
        commit: Commit,
    ) -> Result<()> {
        match self {
            Self::Postgres(pool, _) => {
                let mut tx = pool.begin().await?;
                for name in names {
                    sqlx::query("INSERT INTO widget (name) VALUES ($1)")
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                Outbox::enqueue_all(&mut tx, messages).await?;
                match commit {
                    Commit::Yes => tx.commit().await?,
                    Commit::No => tx.rollback().await?,
                }
            }
            Self::Sqlite(pool, _) => {
                let mut tx = pool.begin().await?;
                for name in names {
                    sqlx::query("INSERT INTO widget (name) VALUES ($1)")
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                Outbox::enqueue_all(&mut tx, messages).await?;
                match commit {
                    Commit::Yes => tx.commit().await?,
                    Commit::No => tx.rollback().await?,
                }
            }
        }
        Ok(())
    }

    /// The idempotent consumer's transaction: records `(group, id)` and, if it is new, inserts the
    /// widget `name`. Whether it was new.
    pub async fn apply_once(&self, group: &str, id: MessageId, name: &str) -> Result<bool> {
        match self {
            Self::Postgres(pool, _) => {
                let mut tx = pool.begin().await?;
                let fresh = ProcessedMessages::mark_processed(&mut tx, group, id).await?;
                if fresh {
                    sqlx::query("INSERT INTO widget (name) VALUES ($1)")
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(fresh)
            }
            Self::Sqlite(pool, _) => {
                let mut tx = pool.begin().await?;
                let fresh = ProcessedMessages::mark_processed(&mut tx, group, id).await?;
                if fresh {
                    sqlx::query("INSERT INTO widget (name) VALUES ($1)")
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(fresh)
            }
        }
    }

    pub async fn is_processed(&self, group: &str, id: MessageId) -> Result<bool> {
        Ok(match self {
            Self::Postgres(pool, _) => ProcessedMessages::is_processed(pool, group, id).await?,
            Self::Sqlite(pool, _) => ProcessedMessages::is_processed(pool, group, id).await?,
        })
    }

    pub async fn prune(&self, retention: Duration) -> Result<u64> {
        Ok(match self {
            Self::Postgres(pool, _) => ProcessedMessages::prune(pool, retention).await?,
            Self::Sqlite(pool, _) => ProcessedMessages::prune(pool, retention).await?,
        })
    }

    pub async fn widgets(&self) -> Result<i64> {
        Ok(match self {
            Self::Postgres(pool, _) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM widget")
                    .fetch_one(pool)
                    .await?
            }
            Self::Sqlite(pool, _) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM widget")
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    pub async fn outbox_pending(&self) -> Result<u64> {
        Ok(match self {
            Self::Postgres(pool, _) => Outbox::pending(pool).await?,
            Self::Sqlite(pool, _) => Outbox::pending(pool).await?,
        })
    }

    /// One `relay_pending` pass of a relay over `bus`.
    pub async fn relay_pending(&self, bus: Arc<dyn Bus>) -> Result<usize> {
        Ok(match self {
            Self::Postgres(pool, _) => OutboxRelay::new(pool.clone(), bus).relay_pending().await?,
            Self::Sqlite(pool, _) => OutboxRelay::new(pool.clone(), bus).relay_pending().await?,
        })
    }

    /// Spawns a relay over `bus` until `stop` is notified; its notifier.
    pub fn spawn_relay(
        &self,
        bus: Arc<dyn Bus>,
        options: RelayOptions,
        stop: Arc<tokio::sync::Notify>,
    ) -> (carpetti_queue::OutboxNotifier, tokio::task::JoinHandle<()>) {
        match self {
            Self::Postgres(pool, _) => {
                let relay = OutboxRelay::new(pool.clone(), bus).with_options(options);
                let notifier = relay.notifier();
                (
                    notifier,
                    tokio::spawn(async move { relay.run(stop.notified()).await }),
                )
            }
            Self::Sqlite(pool, _) => {
                let relay = OutboxRelay::new(pool.clone(), bus).with_options(options);
                let notifier = relay.notifier();
                (
                    notifier,
                    tokio::spawn(async move { relay.run(stop.notified()).await }),
                )
            }
        }
    }
}
