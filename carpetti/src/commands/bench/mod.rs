//! `carpetti bench <suite>`: benchmarks that measure Carpetti against a named limit in the same
//! run. Results go to the terminal as a table (or JSON with `--json`); docs/benchmarks.md records
//! them with the command and the machine.

pub mod adapter;
pub mod cache;
mod child;
mod copy;
mod cpu;
pub mod engine;
pub mod import;
mod items;
pub mod mp;
pub mod persist;
pub mod queue;
mod report;
pub(crate) mod rss;

use clap::{Args, Subcommand};

use crate::context::Context;

/// `carpetti bench …`
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The suite to run.
    #[command(subcommand)]
    pub suite: BenchSuite,
}

/// The benchmark suites.
#[derive(Debug, Subcommand)]
pub enum BenchSuite {
    /// Bulk upsert of supplier items through the gRPC stream into PostgreSQL and SQLite, the
    /// unchanged re-upsert, and a raw PostgreSQL COPY of the same rows as the limit.
    Persist(persist::PersistBenchArgs),
    /// Cache get/set ops/s on Redis and in-process, with raw redis-rs and raw moka as peers.
    Cache(cache::CacheBenchArgs),
    /// 1,000,000 messages of 1 KB published with confirms and consumed with acks, end to end, on
    /// RabbitMQ (carpetti-queue and raw lapin as the limit) and on the embedded backend.
    Queue(queue::QueueBenchArgs),
    /// Issue #4 on one generated feed (1,000,000 offers by default): parse + normalize beside
    /// Python lxml (the peer), the full import into PostgreSQL, the unchanged re-import, the YML
    /// export, and the peak RSS of each.
    Import(import::ImportBenchArgs),
    /// A 5-task process (tasks, an exclusive gateway) executed in memory by our engine, by
    /// SpiffWorkflow (PyPI) and by npm bpmn-engine: instances/s of each and our ratios.
    Engine(engine::EngineBenchArgs),
    /// 100,000 products published to each marketplace sandbox through service_mp, and a stock
    /// update of every SKU, against the floors the documented quotas allow; our own cost apart.
    Mp(mp::MpBenchArgs),
    /// Issue #7: 10,000 WebSocket viewers over 1,000 moving processes on one process adapter
    /// (engine requests/s, push latency, RSS, CPU), and the naive design as the peer.
    Adapter(adapter::AdapterBenchArgs),
}

/// Runs a suite.
pub async fn run(args: BenchArgs, ctx: &Context) -> anyhow::Result<()> {
    match args.suite {
        BenchSuite::Persist(args) => persist::run(args, ctx).await,
        BenchSuite::Queue(args) => queue::run(args, ctx).await,
        BenchSuite::Cache(args) => cache::run(args, ctx).await,
        BenchSuite::Import(args) => import::run(args, ctx).await,
        BenchSuite::Engine(args) => engine::run(args, ctx).await,
        BenchSuite::Mp(args) => mp::run(args, ctx).await,
        BenchSuite::Adapter(args) => adapter::run(args, ctx).await,
    }
}
