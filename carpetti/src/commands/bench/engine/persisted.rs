//! The persisted half of `carpetti bench engine`: the same 5-task model on the engine with its
//! store (SQLite in a scratch directory, PostgreSQL in a scratch database), served over its REST
//! API on loopback, its external tasks fetched and completed by Rust workers (carpetti-camunda
//! over HTTP) — end-to-end instances/s and tasks/s, and the latency from a fetchAndLock's answer
//! to the 204 of the task's complete.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use carpetti_camunda::dto::{FetchAndLock, FetchTopic, StartRequest};
use carpetti_camunda::{CamundaClient, ClientConfig, VariableValue, Variables};
use carpetti_engine::api::{DeployRequest, EngineApi as _};
use carpetti_engine::rest::RestAuth;
use carpetti_engine::server::EngineServer;
use carpetti_engine::{EngineConfig, EngineStorage};
use indicatif::ProgressBar;
use serde::Serialize;
use sqlx::ConnectOptions as _;
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tokio::sync::Mutex;

use super::model::{self, Flavour};

/// Topics of the model: its task ids.
const TOPICS: [&str; 6] = ["task1", "task2", "task3", "task4a", "task4b", "task5"];
/// Tasks each instance runs.
const TASKS_PER_INSTANCE: u64 = 5;

/// A persisted run's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PersistedRun {
    pub backend: &'static str,
    pub instances: u64,
    pub tasks: u64,
    pub workers: usize,
    pub seconds: f64,
    pub instances_per_sec: f64,
    pub tasks_per_sec: f64,
    pub fetch_to_complete_p50_ms: f64,
    pub fetch_to_complete_p99_ms: f64,
    /// How the engine wrote the completes: transactions of grouped completes, and completes
    /// written alone.
    pub complete_groups: u64,
    pub completes_alone: u64,
    /// Completes per group (0 when groups were off).
    pub completes_per_group: f64,
    /// fetchAndLock calls the workers made, and the tasks each answered on average.
    pub fetches: u64,
    pub tasks_per_fetch: f64,
    /// The same for the starts.
    pub start_groups: u64,
    pub starts_alone: u64,
    pub starts_per_group: f64,
    /// Mean time one group took to write, from taking its commands to answering them.
    pub complete_group_ms: f64,
    pub start_group_ms: f64,
    /// CPU milliseconds the whole machine (engine, workers, PostgreSQL) spent per instance, and
    /// the shares of the run's CPU time stolen by the hypervisor and left idle.
    pub cpu_ms_per_instance: Option<f64>,
    pub steal_pct: Option<f64>,
    pub idle_pct: Option<f64>,
}

/// Where the engine keeps its state for one run.
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

/// Runs `instances` instances through a fresh engine on `backend`.
pub async fn run(
    backend: &Backend,
    instances: u64,
    workers: usize,
    starters: usize,
    command_groups: usize,
    bar: &ProgressBar,
) -> anyhow::Result<PersistedRun> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().context("making a scratch directory")?;
            let mut config = EngineConfig::new(EngineStorage::Sqlite(dir.path().join("engine.db")));
            config.command_groups = command_groups;
            measure("sqlite", config, instances, workers, starters, bar).await
        }
        Backend::Postgres { admin_url } => {
            let admin =
                PgConnectOptions::from_str(admin_url).context("parsing the PostgreSQL URL")?;
            let name = format!("carpetti_bench_engine_{}", uuid::Uuid::now_v7().simple());
            let mut conn = PgConnection::connect_with(&admin).await.with_context(|| {
                format!(
                    "PostgreSQL is not reachable at {}",
                    carpetti_config::mask_url(admin_url)
                )
            })?;
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .await?;
            let url = admin.clone().database(&name).to_url_lossy().to_string();
            let mut config = EngineConfig::new(EngineStorage::Postgres {
                url,
                max_connections: 16,
            });
            config.command_groups = command_groups;
            let outcome = measure("postgres", config, instances, workers, starters, bar).await;
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn)
                .await?;
            outcome
        }
    }
}

async fn measure(
    label: &'static str,
    config: EngineConfig,
    instances: u64,
    workers: usize,
    starters: usize,
    bar: &ProgressBar,
) -> anyhow::Result<PersistedRun> {
    // a folder that does not exist: nothing deployed at start, the model is deployed below
    let processes = std::path::Path::new("/nonexistent/carpetti-bench-processes");
    let server = EngineServer::start(
        config,
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        RestAuth::None,
        processes,
    )
    .await
    .context("starting the engine")?;
    let engine = server.engine();
    let address = server.local_addr();
    engine
        .deploy(DeployRequest {
            name: Some("bench".into()),
            resources: vec![(
                Flavour::Carpetti.file_name().into(),
                model::render(Flavour::Carpetti).into_bytes(),
            )],
            ..Default::default()
        })
        .await
        .context("deploying the model")?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = CamundaClient::new(ClientConfig::new(&format!("http://{address}/engine-rest"))?)?;
    bar.set_length(instances * TASKS_PER_INSTANCE);
    bar.set_message(format!("{label}: REST + Rust workers"));

    let done = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(
        (instances * TASKS_PER_INSTANCE) as usize,
    )));
    let fetches = Arc::new(AtomicU64::new(0));
    let begun = Instant::now();
    let cpu = super::super::cpu::CpuSample::now();
    let mut handles = Vec::new();
    for w in 0..workers {
        let (client, done, latencies, fetches, bar) = (
            client.clone(),
            done.clone(),
            latencies.clone(),
            fetches.clone(),
            bar.clone(),
        );
        handles.push(tokio::spawn(async move {
            work(
                format!("bench-{w}"),
                client,
                done,
                latencies,
                fetches,
                bar,
                instances,
            )
            .await
        }));
    }
    // starters: a few concurrent clients, like order and import events arriving
    let next = Arc::new(AtomicU64::new(0));
    let mut starting = Vec::new();
    for _ in 0..starters {
        let (client, next) = (client.clone(), next.clone());
        starting.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= instances {
                    return anyhow::Ok(());
                }
                let mut variables = Variables::new();
                variables.insert(
                    model::VARIABLE.into(),
                    VariableValue::untyped(model::amount(i).into()),
                );
                let request = StartRequest {
                    variables,
                    business_key: Some(format!("bench-{i}")),
                    ..Default::default()
                };
                client
                    .start_process_by_key(model::PROCESS_ID, &request)
                    .await?;
            }
        }));
    }
    for s in starting {
        s.await??;
    }
    for h in handles {
        h.await??;
    }
    let seconds = begun.elapsed().as_secs_f64();
    let cpu = cpu.and_then(|c| c.elapsed());
    let _ = stop.send(());
    serving.await??;
    let ended = engine
        .instance_count(&carpetti_engine::api::InstanceQuery {
            finished: Some(true),
            ..Default::default()
        })
        .await?;
    anyhow::ensure!(ended == instances, "{ended} of {instances} instances ended");
    let mut latencies = latencies.lock().await.clone();
    latencies.sort_by(f64::total_cmp);
    let tasks = instances * TASKS_PER_INSTANCE;
    let stats = engine.completion_stats();
    let starts = engine.start_stats();
    let per_group = |s: carpetti_engine::api::GroupStats| {
        if s.groups == 0 {
            0.0
        } else {
            round(s.grouped as f64 / s.groups as f64, 1)
        }
    };
    Ok(PersistedRun {
        backend: label,
        instances,
        tasks,
        workers,
        seconds: round(seconds, 2),
        instances_per_sec: round(instances as f64 / seconds, 1),
        tasks_per_sec: round(tasks as f64 / seconds, 1),
        fetch_to_complete_p50_ms: round(percentile(&latencies, 0.50), 2),
        fetch_to_complete_p99_ms: round(percentile(&latencies, 0.99), 2),
        complete_groups: stats.groups,
        completes_alone: stats.alone,
        completes_per_group: per_group(stats),
        fetches: fetches.load(Ordering::Relaxed),
        tasks_per_fetch: round(
            tasks as f64 / fetches.load(Ordering::Relaxed).max(1) as f64,
            1,
        ),
        start_groups: starts.groups,
        starts_alone: starts.alone,
        starts_per_group: per_group(starts),
        complete_group_ms: group_ms(stats),
        start_group_ms: group_ms(starts),
        cpu_ms_per_instance: cpu.map(|c| round(c.busy_seconds * 1000.0 / instances as f64, 2)),
        steal_pct: cpu.map(|c| round(c.steal_pct, 1)),
        idle_pct: cpu.map(|c| round(c.idle_pct, 1)),
    })
}

/// One worker: long-polls every topic, completes each task at once, records how long from the
/// fetch's answer to the complete's 204.
async fn work(
    worker_id: String,
    client: CamundaClient,
    done: Arc<AtomicU64>,
    latencies: Arc<Mutex<Vec<f64>>>,
    fetches: Arc<AtomicU64>,
    bar: ProgressBar,
    instances: u64,
) -> anyhow::Result<()> {
    let total = instances * TASKS_PER_INSTANCE;
    let topics: Vec<FetchTopic> = TOPICS
        .iter()
        .map(|t| FetchTopic::new(t, Duration::from_secs(60)))
        .collect();
    while done.load(Ordering::Relaxed) < total {
        let request = FetchAndLock {
            worker_id: worker_id.clone(),
            max_tasks: 16,
            use_priority: None,
            async_response_timeout: Some(500),
            sorting: None,
            topics: topics.clone(),
        };
        let tasks = client
            .fetch_and_lock(&request)
            .await
            .context("fetchAndLock")?;
        fetches.fetch_add(1, Ordering::Relaxed);
        let fetched = Instant::now();
        let completes = tasks.iter().map(|t| {
            let (client, worker_id) = (&client, &worker_id);
            async move {
                client
                    .complete(&t.id, worker_id, &Variables::new(), &Variables::new())
                    .await?;
                anyhow::Ok(fetched.elapsed().as_secs_f64() * 1000.0)
            }
        });
        let results = futures::future::join_all(completes).await;
        let mut mine = Vec::with_capacity(results.len());
        for r in results {
            mine.push(r.context("complete")?);
        }
        let n = mine.len() as u64;
        latencies.lock().await.extend(mine);
        done.fetch_add(n, Ordering::Relaxed);
        bar.inc(n);
    }
    Ok(())
}

fn group_ms(stats: carpetti_engine::api::GroupStats) -> f64 {
    if stats.groups == 0 {
        return 0.0;
    }
    round(
        stats.writing.as_secs_f64() * 1000.0 / stats.groups as f64,
        2,
    )
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}
