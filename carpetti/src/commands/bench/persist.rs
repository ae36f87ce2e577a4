//! `carpetti bench persist`: 1,000,000 (by default) realistic supplier items streamed through
//! `SupplierService.UpsertSupplierItems` into a running service_persist, once into PostgreSQL and
//! once into SQLite; then the same items again (all unchanged); and, as the limit, a raw
//! PostgreSQL `COPY` of the same rows. The server runs in this process on 127.0.0.1:0, so the
//! figures include gRPC encoding, validation, hashing and the look-ups of a real import.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use carpetti_persist::PersistServer;
use carpetti_persist::store::DynStore;
use carpetti_persist::store::postgres::{PgOptions, PgStore};
use carpetti_persist::store::sqlite::SqliteStore;
use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::supplier_service_client::SupplierServiceClient;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;
use uuid::Uuid;

use super::{copy, items, report, rss};
use crate::context::Context;

/// Flags of `carpetti bench persist`.
#[derive(Debug, Args)]
pub struct PersistBenchArgs {
    /// Supplier items per pass.
    #[arg(long, default_value_t = 1_000_000)]
    pub items: u64,
    /// Items per stream message (one transaction each).
    #[arg(long, default_value_t = 5_000)]
    pub chunk: usize,
    /// Backends to measure.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "postgres,sqlite"
    )]
    pub backend: Vec<Backend>,
    /// PostgreSQL server to make the scratch database on (it is dropped afterwards).
    #[arg(
        long,
        env = "CARPETTI_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub database_url: String,
}

/// A backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// One measured pass.
#[derive(Debug, Clone, Serialize)]
pub struct Pass {
    pub pass: &'static str,
    pub items: u64,
    pub seconds: f64,
    pub items_per_sec: f64,
    pub peak_rss_mib: Option<f64>,
    pub note: String,
}

impl Pass {
    /// A pass that just ended (reads the peak RSS now).
    pub fn new(pass: &'static str, items: u64, seconds: f64, note: String) -> Pass {
        Pass {
            pass,
            items,
            seconds,
            items_per_sec: items as f64 / seconds.max(1e-9),
            peak_rss_mib: rss::peak_mib(),
            note,
        }
    }
}

#[derive(Debug, Serialize)]
pub(super) struct BackendResult {
    pub backend: Backend,
    pub description: String,
    pub passes: Vec<Pass>,
}

/// Runs the suite.
pub async fn run(args: PersistBenchArgs, ctx: &Context) -> anyhow::Result<()> {
    anyhow::ensure!(args.items > 0, "--items must be at least 1");
    anyhow::ensure!(
        (1..=10_000).contains(&args.chunk),
        "--chunk must be between 1 and 10000"
    );
    let mut results = Vec::new();
    for backend in &args.backend {
        results.push(match backend {
            Backend::Postgres => bench_postgres(&args, ctx).await?,
            Backend::Sqlite => bench_sqlite(&args, ctx).await?,
        });
    }
    report::print(&args, ctx, &results);
    Ok(())
}

async fn bench_postgres(args: &PersistBenchArgs, ctx: &Context) -> anyhow::Result<BackendResult> {
    let admin = PgConnectOptions::from_str(&args.database_url).context("parsing --database-url")?;
    let name = format!("carpetti_bench_{}", Uuid::now_v7().simple());
    let mut conn = PgConnection::connect_with(&admin).await.with_context(|| {
        format!(
            "PostgreSQL is not reachable at {}",
            carpetti_config::mask_url(&args.database_url)
        )
    })?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await?;
    let target = admin.clone().database(&name);
    let outcome = async {
        let options = PgOptions {
            max_connections: 8,
            connect_timeout: std::time::Duration::from_secs(10),
            statement_timeout: std::time::Duration::from_secs(600),
        };
        let store: DynStore = Arc::new(PgStore::connect_with(target.clone(), &options).await?);
        let mut result = bench_store(args, ctx, Backend::Postgres, store).await?;
        let supplier_id = result.1;
        let bar = progress(ctx, args.items, "postgres raw COPY");
        let url = format!(
            "postgres://{}@{}:{}/{name}",
            target.get_username(),
            target.get_host(),
            target.get_port()
        );
        let limit = copy::run(&url, supplier_id, args.items, args.chunk, &bar).await?;
        bar.finish_and_clear();
        result.0.passes.push(limit);
        anyhow::Ok(result.0)
    }
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    outcome
}

async fn bench_sqlite(args: &PersistBenchArgs, ctx: &Context) -> anyhow::Result<BackendResult> {
    let dir = tempfile::tempdir().context("making a scratch directory")?;
    let store: DynStore = Arc::new(SqliteStore::open(&dir.path().join("carpetti.db")).await?);
    Ok(bench_store(args, ctx, Backend::Sqlite, store).await?.0)
}

/// Serves `store`, runs the first and the unchanged pass through gRPC; returns the supplier used.
async fn bench_store(
    args: &PersistBenchArgs,
    ctx: &Context,
    backend: Backend,
    store: DynStore,
) -> anyhow::Result<(BackendResult, Uuid)> {
    let server = PersistServer::with_store(store, "127.0.0.1:0".parse()?).await?;
    let description = server.backend_description();
    let address = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let mut client = SupplierServiceClient::connect(format!("http://{address}"))
        .await?
        .max_decoding_message_size(carpetti_persist::grpc::MAX_MESSAGE_BYTES)
        .max_encoding_message_size(carpetti_persist::grpc::MAX_MESSAGE_BYTES);
    let supplier = client
        .create_supplier(pb::Supplier {
            code: "bench-wholesale".into(),
            name: "Оптовик бытовой техники".into(),
            feed_format: pb::FeedFormat::Yml.into(),
            active: true,
            ..Default::default()
        })
        .await?
        .into_inner();
    let supplier_id = Uuid::parse_str(&supplier.meta.map(|m| m.id).unwrap_or_default())?;

    let mut passes = vec![client_cost(supplier_id, args, ctx, backend)?];
    for (pass, expect) in [
        ("upsert (new items)", Expect::Created),
        ("re-upsert (unchanged)", Expect::Unchanged),
        (
            "re-upsert (unchanged, fingerprints)",
            Expect::UnchangedByFingerprint,
        ),
    ] {
        let label = format!("{} {pass}", name_of(backend));
        passes.push(stream_pass(&mut client, supplier_id, args, ctx, pass, &label, expect).await?);
    }
    let _ = stop.send(());
    serving
        .await?
        .context("service_persist stopped with an error")?;
    Ok((
        BackendResult {
            backend,
            description,
            passes,
        },
        supplier_id,
    ))
}

/// What the client alone costs: generating and encoding the same messages, sending nothing. The
/// client shares this machine's two cores with the server (and PostgreSQL) in every pass.
fn client_cost(
    supplier_id: Uuid,
    args: &PersistBenchArgs,
    ctx: &Context,
    backend: Backend,
) -> anyhow::Result<Pass> {
    use prost::Message as _;
    let bar = progress(
        ctx,
        args.items,
        &format!("{} client only", name_of(backend)),
    );
    rss::reset_peak();
    let started = Instant::now();
    let mut bytes = 0usize;
    let mut index = 0;
    while index < args.items {
        let end = (index + args.chunk as u64).min(args.items);
        let items = (index..end)
            .map(|i| {
                items::item(supplier_id, i, 0)
                    .map(carpetti_persist::grpc::supplier::item_content_to_pb)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let message = api::UpsertSupplierItemsRequest {
            supplier_id: supplier_id.to_string(),
            import_run_id: String::new(),
            items,
            fingerprints: Vec::new(),
        };
        bytes += message.encode_to_vec().len();
        bar.inc(end - index);
        index = end;
    }
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let note = format!(
        "{:.0} bytes per item on the wire",
        bytes as f64 / args.items as f64
    );
    Ok(Pass::new(
        "client only (generate + encode)",
        args.items,
        seconds,
        note,
    ))
}

#[derive(Clone, Copy)]
enum Expect {
    /// Every item sent in full and new.
    Created,
    /// Every item sent in full again, unchanged.
    Unchanged,
    /// Every item sent as a fingerprint (offer id + content hash computed by the client).
    UnchangedByFingerprint,
}

async fn stream_pass(
    client: &mut SupplierServiceClient<tonic::transport::Channel>,
    supplier_id: Uuid,
    args: &PersistBenchArgs,
    ctx: &Context,
    pass: &'static str,
    label: &str,
    expect: Expect,
) -> anyhow::Result<Pass> {
    let bar = progress(ctx, args.items, label);
    rss::reset_peak();
    let started = Instant::now();
    let (tx, rx) = mpsc::channel::<api::UpsertSupplierItemsRequest>(2);
    let (count, chunk) = (args.items, args.chunk as u64);
    let fingerprints = matches!(expect, Expect::UnchangedByFingerprint);
    let producer = tokio::spawn(async move {
        let mut index = 0;
        while index < count {
            let end = (index + chunk).min(count);
            let mut message = api::UpsertSupplierItemsRequest {
                supplier_id: supplier_id.to_string(),
                ..Default::default()
            };
            for i in index..end {
                let item = items::item(supplier_id, i, 0)?;
                if fingerprints {
                    message.fingerprints.push(api::ItemFingerprint {
                        content_hash: item.content_hash().to_string(),
                        offer_id: item.offer_id.into_inner(),
                    });
                } else {
                    message
                        .items
                        .push(carpetti_persist::grpc::supplier::item_content_to_pb(item));
                }
            }
            if tx.send(message).await.is_err() {
                break;
            }
            index = end;
        }
        anyhow::Ok(())
    });
    let mut responses = client
        .upsert_supplier_items(ReceiverStream::new(rx))
        .await?
        .into_inner();
    let mut summary = None;
    while let Some(message) = responses.message().await? {
        bar.inc(message.results.len() as u64);
        if message.summary.is_some() {
            summary = message.summary;
        }
    }
    producer.await??;
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let s = summary.context("the stream ended without a summary")?;
    let expected = match expect {
        Expect::Created => s.created,
        Expect::Unchanged | Expect::UnchangedByFingerprint => s.unchanged,
    };
    anyhow::ensure!(
        expected == count && s.rejected == 0,
        "{label}: expected all {count} items {}, got {s:?}",
        match expect {
            Expect::Created => "created",
            Expect::Unchanged | Expect::UnchangedByFingerprint => "unchanged",
        }
    );
    let note = format!(
        "created {} · updated {} · unchanged {} · rejected {}",
        s.created, s.updated, s.unchanged, s.rejected
    );
    Ok(Pass::new(pass, count, seconds, note))
}

pub(super) fn name_of(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    }
}

fn progress(ctx: &Context, len: u64, label: &str) -> ProgressBar {
    if ctx.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{msg:32} {wide_bar} {pos}/{len} items {per_sec} ETA {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(label.to_owned());
    bar
}
