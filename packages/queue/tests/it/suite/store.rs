//! The processed-message store and the queue's migrations on each database.

use std::time::Duration;

use anyhow::{Result, ensure};
use carpetti_queue::{MessageId, migrate};
use carpetti_testkit::{TestPgDatabase, TestSqliteDatabase};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

use crate::db::TestDb;

pub async fn processed_store_detects_duplicates_and_prunes(db: &TestDb) -> Result<()> {
    let id = MessageId::new();
    ensure!(db.apply_once("g1", id, "first").await?, "new message");
    ensure!(!db.apply_once("g1", id, "again").await?, "duplicate");
    ensure!(
        db.apply_once("g2", id, "other group").await?,
        "groups remember separately"
    );
    ensure!(db.is_processed("g1", id).await?);
    ensure!(!db.is_processed("g1", MessageId::new()).await?);
    ensure!(db.widgets().await? == 2, "the duplicate changed nothing");

    ensure!(
        db.prune(Duration::from_secs(3600)).await? == 0,
        "recent entries stay"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    ensure!(
        db.prune(Duration::ZERO).await? == 2,
        "entries older than the retention go"
    );
    ensure!(!db.is_processed("g1", id).await?);
    Ok(())
}

/// A service's own `sqlx::migrate!` and the queue's migrations on one database, in any order,
/// repeatedly, and a service migration added later: none disturbs the other.
pub async fn migrations_coexist_with_service_migrator(db: &TestDb) -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("0001_service.sql"),
        "CREATE TABLE service_thing (id BIGINT PRIMARY KEY);",
    )?;
    let first = Migrator::new(dir.path()).await?;
    std::fs::write(
        dir.path().join("0002_more.sql"),
        "CREATE TABLE service_more (id BIGINT PRIMARY KEY);",
    )?;
    let second = Migrator::new(dir.path()).await?;
    match db {
        TestDb::Postgres(pool, _) => {
            first.run(pool).await?;
            migrate(pool).await?;
            second.run(pool).await?;
            migrate(pool).await?;
            ensure!(service_versions_pg(pool).await? == [1, 2]);
            let queue: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_schema_migration")
                .fetch_one(pool)
                .await?;
            ensure!(queue == 2, "queue migrations recorded: {queue}");
            // Concurrent first runs on a fresh database apply everything exactly once.
            let fresh = TestPgDatabase::create().await?;
            let pool = PgPool::connect(fresh.url()).await?;
            let runs = futures::future::join_all((0..4).map(|_| migrate(&pool))).await;
            ensure!(runs.iter().all(Result::is_ok), "{runs:?}");
            let queue: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_schema_migration")
                .fetch_one(&pool)
                .await?;
            ensure!(queue == 2);
            pool.close().await;
        }
        TestDb::Sqlite(pool, _) => {
            first.run(pool).await?;
            migrate(pool).await?;
            second.run(pool).await?;
            migrate(pool).await?;
            ensure!(service_versions_sqlite(pool).await? == [1, 2]);
            let queue: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_schema_migration")
                .fetch_one(pool)
                .await?;
            ensure!(queue == 4, "queue migrations recorded: {queue}");
            let fresh = TestSqliteDatabase::create()?;
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(
                    SqliteConnectOptions::new()
                        .filename(fresh.path())
                        .create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .busy_timeout(Duration::from_secs(30)),
                )
                .await?;
            let runs = futures::future::join_all((0..4).map(|_| migrate(&pool))).await;
            ensure!(runs.iter().all(Result::is_ok), "{runs:?}");
            let queue: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM queue_schema_migration")
                .fetch_one(&pool)
                .await?;
            ensure!(queue == 4);
            pool.close().await;
        }
    }
    Ok(())
}

async fn service_versions_pg(pool: &PgPool) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await?,
    )
}

async fn service_versions_sqlite(pool: &SqlitePool) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await?,
    )
}
