//! `carpetti bench cache`: get/set throughput of carpetti-cache on Redis and in-process, with many
//! concurrent tasks, small values and a hit-heavy mix; and, as the peer, the same workloads on a
//! raw redis-rs `ConnectionManager` (GET / SET PX, no layer) and on a raw moka cache. The table
//! gives each pass's ratio to its peer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use carpetti_cache::{
    Bytes, Cache, DynCache, MemoryCache, MemoryOptions, RedisCache, RedisOptions,
};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::rss;
use crate::context::Context;
use crate::output;

const TTL: Duration = Duration::from_secs(600);

/// Flags of `carpetti bench cache`.
#[derive(Debug, Args)]
pub struct CacheBenchArgs {
    /// Operations per pass.
    #[arg(long, default_value_t = 400_000)]
    pub ops: u64,
    /// Concurrent tasks issuing operations.
    #[arg(long, default_value_t = 64)]
    pub concurrency: u64,
    /// Distinct keys (chosen pseudo-randomly per operation).
    #[arg(long, default_value_t = 10_000)]
    pub keys: u64,
    /// Size of each value in bytes.
    #[arg(long, default_value_t = 100)]
    pub value_bytes: usize,
    /// Share of reads in the mixed pass, in percent (the rest are writes).
    #[arg(long, default_value_t = 90)]
    pub read_percent: u64,
    /// Backends to measure.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "redis,memory"
    )]
    pub backend: Vec<Backend>,
    /// The Redis server (scratch namespaces are made and deleted on it).
    #[arg(
        long,
        env = "CARPETTI_BENCH_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis_url: String,
}

/// A backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Redis,
    Memory,
}

/// One measured pass.
#[derive(Debug, Clone, Serialize)]
struct Pass {
    backend: Backend,
    subject: String,
    workload: &'static str,
    ops: u64,
    seconds: f64,
    ops_per_sec: f64,
    hit_ratio: Option<f64>,
    /// ops/s of this pass ÷ ops/s of the peer's pass with the same workload.
    ratio_to_peer: Option<f64>,
    peer: bool,
}

/// What a pass drives: our cache or a raw peer.
#[derive(Clone)]
enum Subject {
    Ours(DynCache),
    RawRedis(redis::aio::ConnectionManager),
    RawMoka(moka::future::Cache<String, Bytes>),
}

impl Subject {
    /// Reads `key`: whether it was found.
    async fn get(&self, key: &str) -> anyhow::Result<bool> {
        Ok(match self {
            Subject::Ours(cache) => cache.get(key).await?.is_some(),
            Subject::RawRedis(conn) => {
                let mut conn = conn.clone();
                let found: Option<Bytes> =
                    redis::cmd("GET").arg(key).query_async(&mut conn).await?;
                found.is_some()
            }
            Subject::RawMoka(cache) => cache.get(key).await.is_some(),
        })
    }

    async fn set(&self, key: &str, value: Bytes) -> anyhow::Result<()> {
        match self {
            Subject::Ours(cache) => cache.set(key, value, TTL).await?,
            Subject::RawRedis(conn) => {
                let mut conn = conn.clone();
                redis::cmd("SET")
                    .arg(key)
                    .arg(value.as_ref())
                    .arg("PX")
                    .arg(TTL.as_millis() as u64)
                    .query_async::<()>(&mut conn)
                    .await?;
            }
            Subject::RawMoka(cache) => cache.insert(key.to_owned(), value).await,
        }
        Ok(())
    }
}

/// splitmix64: a cheap, well-spread pseudo-random sequence from the operation number.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Workload {
    Set,
    Mix,
}

const BOTH: [Workload; 2] = [Workload::Set, Workload::Mix];
const MIX: [Workload; 1] = [Workload::Mix];

/// Runs `args.ops` operations over `args.concurrency` tasks; returns seconds and the hit ratio.
async fn drive(
    args: &CacheBenchArgs,
    ctx: &Context,
    label: &str,
    subject: &Subject,
    keys: &Arc<Vec<String>>,
    workload: Workload,
) -> anyhow::Result<(f64, Option<f64>)> {
    let bar = progress(ctx, args.ops, label);
    let value = Bytes::from(vec![b'v'; args.value_bytes]);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..args.concurrency {
        let (subject, keys, value, bar) =
            (subject.clone(), keys.clone(), value.clone(), bar.clone());
        let (ops, concurrency, key_count) = (args.ops, args.concurrency, keys.len() as u64);
        let read_percent = args.read_percent;
        tasks.push(tokio::spawn(async move {
            let (mut reads, mut hits, mut done) = (0u64, 0u64, 0u64);
            let mut i = task;
            while i < ops {
                let r = mix(i);
                let key = &keys[(r % key_count) as usize];
                if workload == Workload::Mix && (r >> 32) % 100 < read_percent {
                    reads += 1;
                    hits += u64::from(subject.get(key).await?);
                } else {
                    subject.set(key, value.clone()).await?;
                }
                done += 1;
                if done.is_multiple_of(256) {
                    bar.inc(256);
                }
                i += concurrency;
            }
            anyhow::Ok((reads, hits))
        }));
    }
    let (mut reads, mut hits) = (0, 0);
    for task in tasks {
        let (r, h) = task.await??;
        reads += r;
        hits += h;
    }
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    Ok((seconds, (reads > 0).then(|| hits as f64 / reads as f64)))
}

/// Fills every key (untimed), then measures the set pass and the mixed pass of `subject`.
#[allow(clippy::too_many_arguments)]
async fn passes(
    args: &CacheBenchArgs,
    ctx: &Context,
    backend: Backend,
    name: &str,
    subject: &Subject,
    keys: &Arc<Vec<String>>,
    workloads: &[Workload],
    peer: bool,
) -> anyhow::Result<Vec<Pass>> {
    let value = Bytes::from(vec![b'v'; args.value_bytes]);
    for key in keys.iter() {
        subject.set(key, value.clone()).await?;
    }
    let mut out = Vec::new();
    for &workload in workloads {
        let label = match workload {
            Workload::Set => "set",
            Workload::Mix => "mix",
        };
        let (seconds, hit_ratio) = drive(
            args,
            ctx,
            &format!("{name} {label}"),
            subject,
            keys,
            workload,
        )
        .await?;
        out.push(Pass {
            backend,
            subject: name.to_owned(),
            workload: match workload {
                Workload::Set => "set 100%",
                Workload::Mix => "get/set mix",
            },
            ops: args.ops,
            seconds,
            ops_per_sec: args.ops as f64 / seconds.max(1e-9),
            hit_ratio,
            ratio_to_peer: None,
            peer,
        });
    }
    Ok(out)
}

fn key_set(prefix: &str, count: u64) -> Arc<Vec<String>> {
    Arc::new((0..count).map(|i| format!("{prefix}item:{i}")).collect())
}

async fn bench_redis(args: &CacheBenchArgs, ctx: &Context) -> anyhow::Result<Vec<Pass>> {
    let run = uuid::Uuid::now_v7().simple().to_string();
    let (ours_ns, raw_ns) = (format!("bench-{run}"), format!("bench-raw-{run}"));
    let direct = RedisCache::connect(&args.redis_url, no_near(&ours_ns)).await?;
    direct.ping().await.with_context(|| {
        format!(
            "Redis is not reachable at {}",
            carpetti_config::mask_url(&args.redis_url)
        )
    })?;
    let near = RedisCache::connect(&args.redis_url, RedisOptions::new(&ours_ns)).await?;
    let client = redis::Client::open(args.redis_url.as_str())?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_millis(250)));
    let raw = client.get_connection_manager_with_config(config).await?;
    let ours_keys = key_set("", args.keys);
    let raw_keys = key_set(
        &format!("{}:{raw_ns}:", carpetti_cache::KEY_ROOT),
        args.keys,
    );
    let targets = vec![
        peer("raw ConnectionManager", Subject::RawRedis(raw), raw_keys),
        ours("carpetti-cache", direct.clone(), &ours_keys, &BOTH),
        ours("carpetti-cache + near-cache", near, &ours_keys, &MIX),
    ];
    let outcome = run_targets(args, ctx, Backend::Redis, targets).await;
    direct.delete_prefix("").await?;
    let raw_cleanup = RedisCache::connect(&args.redis_url, no_near(&raw_ns)).await?;
    raw_cleanup.delete_prefix("").await?;
    outcome
}

async fn bench_memory(args: &CacheBenchArgs, ctx: &Context) -> anyhow::Result<Vec<Pass>> {
    let keys = key_set("", args.keys);
    let raw = moka::future::Cache::builder()
        .max_capacity(64 << 20)
        .weigher(|k: &String, v: &Bytes| (k.len() + v.len() + 64) as u32)
        .build();
    let ours_cache = MemoryCache::new(MemoryOptions::new("bench"))?;
    let targets = vec![
        peer("raw moka", Subject::RawMoka(raw), keys.clone()),
        ours("carpetti-cache", ours_cache, &keys, &BOTH),
    ];
    run_targets(args, ctx, Backend::Memory, targets).await
}

/// A subject to measure: name, subject, its keys, its workloads, whether it is the peer.
type Target = (
    &'static str,
    Subject,
    Arc<Vec<String>>,
    &'static [Workload],
    bool,
);

fn peer(name: &'static str, subject: Subject, keys: Arc<Vec<String>>) -> Target {
    (name, subject, keys, &BOTH, true)
}

fn ours(
    name: &'static str,
    cache: impl Cache,
    keys: &Arc<Vec<String>>,
    workloads: &'static [Workload],
) -> Target {
    (
        name,
        Subject::Ours(Arc::new(cache)),
        Arc::clone(keys),
        workloads,
        false,
    )
}

fn no_near(namespace: &str) -> RedisOptions {
    RedisOptions {
        near_cache: None,
        ..RedisOptions::new(namespace)
    }
}

async fn run_targets(
    args: &CacheBenchArgs,
    ctx: &Context,
    backend: Backend,
    targets: Vec<Target>,
) -> anyhow::Result<Vec<Pass>> {
    let mut out = Vec::new();
    for (name, subject, keys, workloads, peer) in targets {
        out.extend(passes(args, ctx, backend, name, &subject, &keys, workloads, peer).await?);
    }
    Ok(out)
}

/// Runs the suite.
pub async fn run(args: CacheBenchArgs, ctx: &Context) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.ops > 0 && args.keys > 0,
        "--ops and --keys must be at least 1"
    );
    anyhow::ensure!(
        (1..=10_000).contains(&args.concurrency),
        "--concurrency must be 1..=10000"
    );
    anyhow::ensure!(args.read_percent <= 100, "--read-percent must be 0..=100");
    let mut results = Vec::new();
    for backend in &args.backend {
        results.extend(match backend {
            Backend::Redis => bench_redis(&args, ctx).await?,
            Backend::Memory => bench_memory(&args, ctx).await?,
        });
    }
    let peers: Vec<Pass> = results.iter().filter(|p| p.peer).cloned().collect();
    for pass in results.iter_mut().filter(|p| !p.peer) {
        pass.ratio_to_peer = peers
            .iter()
            .find(|p| p.backend == pass.backend && p.workload == pass.workload)
            .map(|p| pass.ops_per_sec / p.ops_per_sec);
    }
    print(&args, ctx, &results);
    Ok(())
}

fn print(args: &CacheBenchArgs, ctx: &Context, results: &[Pass]) {
    let machine = rss::machine();
    if ctx.json {
        output::json_line(&serde_json::json!({
            "suite": "cache", "ops": args.ops, "concurrency": args.concurrency, "keys": args.keys,
            "value_bytes": args.value_bytes, "read_percent": args.read_percent,
            "machine": machine, "results": results,
        }));
        return;
    }
    let mut table = output::table([
        "backend",
        "subject",
        "workload",
        "ops",
        "seconds",
        "ops/s",
        "read hits",
        "÷ peer",
    ]);
    for pass in results {
        table.add_row([
            format!("{:?}", pass.backend).to_lowercase(),
            pass.subject.clone(),
            pass.workload.to_owned(),
            pass.ops.to_string(),
            format!("{:.2}", pass.seconds),
            format!("{:.0}", pass.ops_per_sec),
            output::or_dash(pass.hit_ratio, |h| format!("{:.1}%", h * 100.0)),
            pass.ratio_to_peer
                .map_or_else(|| "peer".to_owned(), |r| format!("{r:.2}")),
        ]);
    }
    println!(
        "carpetti bench cache --ops {} --concurrency {} --keys {} --value-bytes {} --read-percent {} on {machine}",
        args.ops, args.concurrency, args.keys, args.value_bytes, args.read_percent
    );
    println!("{table}");
    println!(
        "carpetti-cache's set on Redis is one pipelined round trip of SET PX + PUBLISH (the \
         cross-instance invalidation); a read with the near-cache live is GET + PTTL on a miss."
    );
}

fn progress(ctx: &Context, len: u64, label: &str) -> ProgressBar {
    if ctx.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{msg:36} {wide_bar} {pos}/{len} ops {per_sec} ETA {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(label.to_owned());
    bar
}
