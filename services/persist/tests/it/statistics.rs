//! A bulk stream that wrote many rows refreshes the table's planner statistics before it answers
//! (PostgreSQL's `last_analyze` — set by an explicit ANALYZE, never by autovacuum, which sets
//! `last_autoanalyze` — and SQLite's `sqlite_stat1`); a small one leaves them to autovacuum.

use std::sync::Arc;

use carpetti_persist::grpc::bulk::REFRESH_STATISTICS_AFTER;
use carpetti_persist::store::DynStore;
use carpetti_persist::store::postgres::{PgOptions, PgStore};
use carpetti_persist::store::sqlite::SqliteStore;
use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::supplier_service_client::SupplierServiceClient;
use carpetti_testkit::{TestPgDatabase, TestSqliteDatabase};
use sqlx::Connection as _;
use tonic::transport::Channel;

use crate::suite::api::serve;

/// Streams `count` new items for a new supplier `code`, in chunks of 2,000; returns the summary.
async fn load(
    client: &mut SupplierServiceClient<Channel>,
    code: &str,
    count: u64,
) -> anyhow::Result<api::BulkSummary> {
    let supplier = client
        .create_supplier(pb::Supplier {
            code: code.into(),
            name: "Оптовик".into(),
            feed_format: pb::FeedFormat::Yml.into(),
            active: true,
            ..Default::default()
        })
        .await?
        .into_inner();
    let supplier_id = supplier.meta.map(|m| m.id).unwrap_or_default();
    let items: Vec<pb::SupplierItem> = (0..count)
        .map(|n| pb::SupplierItem {
            offer_id: format!("{code}-{n:06}"),
            name: format!("Товар {n}"),
            price: "100".into(),
            available: true,
            ..Default::default()
        })
        .collect();
    let chunks: Vec<api::UpsertSupplierItemsRequest> = items
        .chunks(2_000)
        .map(|items| api::UpsertSupplierItemsRequest {
            supplier_id: supplier_id.clone(),
            items: items.to_vec(),
            ..Default::default()
        })
        .collect();
    let mut answers = client
        .upsert_supplier_items(tokio_stream::iter(chunks))
        .await?
        .into_inner();
    let mut summary = None;
    while let Some(answer) = answers.message().await? {
        summary = answer.summary.or(summary);
    }
    summary.ok_or_else(|| anyhow::anyhow!("the stream ended without a summary"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_analyzes_after_a_large_stream_only() -> anyhow::Result<()> {
    let db = TestPgDatabase::create().await?;
    let options = PgOptions {
        max_connections: 4,
        connect_timeout: std::time::Duration::from_secs(10),
        statement_timeout: std::time::Duration::from_secs(60),
    };
    let store: DynStore = Arc::new(PgStore::connect(db.url(), &options).await?);
    let mut conn = sqlx::PgConnection::connect(db.url()).await?;
    let analyzed = "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables \
                    WHERE relname = 'supplier_item'";

    // One server for both streams: a server that stops closes its store.
    let running = serve(store).await?;
    let mut client = SupplierServiceClient::new(running.channel.clone());
    let small = load(&mut client, "small", REFRESH_STATISTICS_AFTER - 1).await?;
    assert_eq!(small.created, REFRESH_STATISTICS_AFTER - 1);
    let after_small: bool = sqlx::query_scalar(analyzed).fetch_one(&mut conn).await?;
    assert!(!after_small, "a stream under the threshold ran ANALYZE");

    let large = load(&mut client, "large", REFRESH_STATISTICS_AFTER).await?;
    assert_eq!(large.created, REFRESH_STATISTICS_AFTER);
    let after_large: bool = sqlx::query_scalar(analyzed).fetch_one(&mut conn).await?;
    assert!(
        after_large,
        "the large stream's summary came before any ANALYZE"
    );
    Ok(())
}

/// Rows of `sqlite_stat1` about supplier items (the table exists after the first ANALYZE).
async fn sqlite_stats(conn: &mut sqlx::SqliteConnection) -> Result<i64, sqlx::Error> {
    let exists: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            .fetch_one(&mut *conn)
            .await?;
    if exists == 0 {
        return Ok(0);
    }
    sqlx::query_scalar("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'supplier_item'")
        .fetch_one(conn)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_analyzes_after_a_large_stream_only() -> anyhow::Result<()> {
    let db = TestSqliteDatabase::create()?;
    let store: DynStore = Arc::new(SqliteStore::open(&db.path()).await?);
    let running = serve(store).await?;
    let mut client = SupplierServiceClient::new(running.channel.clone());
    load(&mut client, "small", REFRESH_STATISTICS_AFTER - 1).await?;
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", db.path().display()))
            .await?;
    assert_eq!(
        sqlite_stats(&mut conn).await?,
        0,
        "a small stream ran ANALYZE"
    );

    load(&mut client, "large", REFRESH_STATISTICS_AFTER).await?;
    assert!(
        sqlite_stats(&mut conn).await? > 0,
        "the large stream's summary came before any ANALYZE"
    );
    Ok(())
}
