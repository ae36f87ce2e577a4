//! `carpetti bench queue`: 1,000,000 (by default) messages of 1 KB published with confirms
//! (batches pipelined, several in flight) and consumed with acks at the same time, end to end:
//! on RabbitMQ through carpetti-queue's `RabbitBus`, on RabbitMQ through raw lapin (no header
//! mapping, no retry topology: the limit the bus is compared with) and on the embedded durable
//! backend (SQLite in a scratch directory). Each message carries its send time in its first 8
//! bytes, so the consumer measures the publish→consume latency of every message.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use carpetti_queue::{
    Bus, EmbeddedBus, EmbeddedOptions, OutgoingMessage, RabbitBus, RabbitConfig, Subscription,
    Topic, TopicPattern,
};
use clap::{Args, ValueEnum};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::rss;
use crate::context::Context;
use crate::output;

mod raw;

/// Flags of `carpetti bench queue`.
#[derive(Debug, Args)]
pub struct QueueBenchArgs {
    /// Messages per pass.
    #[arg(long, default_value_t = 1_000_000)]
    pub messages: u64,
    /// Payload bytes per message (at least 8: the send time).
    #[arg(long, default_value_t = 1024)]
    pub size: usize,
    /// Messages per `publish_batch` (their confirms are awaited together).
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Batches in flight at once (the publish window is batch × in-flight messages).
    #[arg(long, default_value_t = 4)]
    pub in_flight: usize,
    /// Unacked deliveries per consumer (basic.qos prefetch).
    #[arg(long, default_value_t = 1000)]
    pub prefetch: u16,
    /// What to measure.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "rabbitmq,rabbitmq-raw,embedded"
    )]
    pub backend: Vec<Backend>,
    /// The RabbitMQ broker (a scratch exchange and queues are made and deleted).
    #[arg(
        long,
        env = "CARPETTI_TEST_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    pub amqp_url: String,
}

/// A backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// carpetti-queue's RabbitBus.
    Rabbitmq,
    /// lapin alone on the same broker: the limit.
    RabbitmqRaw,
    /// carpetti-queue's EmbeddedBus (SQLite).
    Embedded,
}

/// One measured pass.
#[derive(Debug, Clone, Serialize)]
pub struct Pass {
    pub backend: Backend,
    pub description: String,
    pub messages: u64,
    pub seconds: f64,
    pub msgs_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub peak_rss_mib: Option<f64>,
}

/// Latencies (µs) of received messages, and the pass's clock.
pub(super) struct Clock {
    started: Instant,
}

impl Clock {
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
        }
    }

    /// A payload of `size` bytes starting with the current time.
    pub fn stamp(&self, size: usize) -> Vec<u8> {
        let mut payload = vec![0x5a; size.max(8)];
        let now = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        payload[..8].copy_from_slice(&now.to_le_bytes());
        payload
    }

    /// Microseconds since the payload's stamp.
    pub fn latency_us(&self, payload: &[u8]) -> u32 {
        let sent = payload
            .get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes);
        let now = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        u32::try_from(now.saturating_sub(sent) / 1_000).unwrap_or(u32::MAX)
    }
}

/// Runs the suite.
pub async fn run(args: QueueBenchArgs, ctx: &Context) -> anyhow::Result<()> {
    anyhow::ensure!(args.messages > 0, "--messages must be at least 1");
    anyhow::ensure!(args.size >= 8, "--size must be at least 8 bytes");
    anyhow::ensure!(
        args.batch > 0 && args.in_flight > 0,
        "--batch and --in-flight must be ≥ 1"
    );
    let mut passes = Vec::new();
    for backend in &args.backend {
        rss::reset_peak();
        let pass = match backend {
            Backend::Rabbitmq => bench_rabbit(&args, ctx).await?,
            Backend::RabbitmqRaw => raw::run(&args, ctx).await?,
            Backend::Embedded => bench_embedded(&args, ctx).await?,
        };
        passes.push(pass);
    }
    print(&args, ctx, &passes);
    Ok(())
}

async fn bench_rabbit(args: &QueueBenchArgs, ctx: &Context) -> anyhow::Result<Pass> {
    let name = format!("carpetti-bench-{}", uuid::Uuid::now_v7().simple());
    let config = RabbitConfig::new(&args.amqp_url)
        .with_exchange(&name)
        .with_queue_prefix(format!("{name}."))
        .with_connection_name("carpetti bench queue");
    let description = config.describe();
    let bus = RabbitBus::connect(config)
        .await
        .with_context(|| format!("RabbitMQ is not reachable: {description}"))?;
    let result = bench_bus(args, ctx, Backend::Rabbitmq, Arc::new(bus.clone())).await;
    bus.close().await;
    // The group's queue, its dead letters and the retry tiers of the default policy.
    let policy = carpetti_queue::RetryPolicy::default();
    let mut queues = vec![format!("{name}.bench"), format!("{name}.bench.dead")];
    queues.extend(
        (1..policy.max_attempts)
            .filter_map(|attempt| policy.delay_after(attempt))
            .map(|delay| format!("{name}.bench.retry.{}", delay.as_millis())),
    );
    raw::delete_scratch(&args.amqp_url, &name, &queues).await?;
    result.map(|pass| Pass {
        description,
        ..pass
    })
}

async fn bench_embedded(args: &QueueBenchArgs, ctx: &Context) -> anyhow::Result<Pass> {
    let dir = tempfile::tempdir().context("making a scratch directory")?;
    let bus = EmbeddedBus::open(&dir.path().join("queue.db"), EmbeddedOptions::default()).await?;
    let description = bus.describe();
    let result = bench_bus(args, ctx, Backend::Embedded, Arc::new(bus.clone())).await;
    bus.close().await;
    result.map(|pass| Pass {
        description,
        ..pass
    })
}

/// Publishes and consumes `args.messages` through `bus` concurrently; checks every message came.
async fn bench_bus(
    args: &QueueBenchArgs,
    ctx: &Context,
    backend: Backend,
    bus: Arc<dyn Bus>,
) -> anyhow::Result<Pass> {
    let topic = Topic::parse("bench.message")?;
    let subscription = Subscription::new("bench", vec![TopicPattern::parse("bench.#")?])
        .with_prefetch(args.prefetch);
    let mut deliveries = bus.subscribe(subscription).await?;
    let bar = progress(ctx, args.messages, &format!("{backend:?}"));
    let clock = Arc::new(Clock::new());

    let publisher = {
        let (bus, clock, count) = (Arc::clone(&bus), Arc::clone(&clock), args.messages);
        let (batch, size) = (args.batch as u64, args.size);
        let window = Arc::new(Semaphore::new(args.in_flight));
        tokio::spawn(async move {
            let mut sent = 0u64;
            let mut batches = tokio::task::JoinSet::new();
            while sent < count {
                let permit = Arc::clone(&window).acquire_owned().await?;
                let end = (sent + batch).min(count);
                let messages: Vec<OutgoingMessage> = (sent..end)
                    .map(|_| OutgoingMessage::raw(topic.clone(), clock.stamp(size)))
                    .collect();
                let bus = Arc::clone(&bus);
                batches.spawn(async move {
                    let published = bus.publish_batch(messages).await;
                    drop(permit);
                    published
                });
                while let Some(done) = batches.try_join_next() {
                    done??;
                }
                sent = end;
            }
            while let Some(done) = batches.join_next().await {
                done??;
            }
            anyhow::Ok(())
        })
    };

    let mut latencies = Vec::with_capacity(usize::try_from(args.messages).unwrap_or(0));
    let mut acks = FuturesUnordered::new();
    while (latencies.len() as u64) < args.messages {
        tokio::select! {
            Some(acked) = acks.next(), if !acks.is_empty() => {
                let acked: Result<(), carpetti_queue::QueueError> = acked;
                acked?;
            }
            next = tokio::time::timeout(Duration::from_secs(60), deliveries.next()) => {
                let delivery = next
                    .context("no delivery for 60 s")?
                    .context("the subscription ended")?;
                latencies.push(clock.latency_us(&delivery.envelope.payload));
                acks.push(delivery.ack());
                bar.inc(1);
            }
        }
    }
    while let Some(acked) = acks.next().await {
        acked?;
    }
    let seconds = clock.started.elapsed().as_secs_f64();
    publisher.await??;
    bar.finish_and_clear();
    Ok(pass(
        backend,
        String::new(),
        args.messages,
        seconds,
        latencies,
    ))
}

/// A finished pass from its latencies (µs).
pub(super) fn pass(
    backend: Backend,
    description: String,
    messages: u64,
    seconds: f64,
    mut latencies: Vec<u32>,
) -> Pass {
    latencies.sort_unstable();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies
            .get(index)
            .map_or(0.0, |&us| f64::from(us) / 1000.0)
    };
    Pass {
        backend,
        description,
        messages,
        seconds,
        msgs_per_sec: messages as f64 / seconds.max(1e-9),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        peak_rss_mib: rss::peak_mib(),
    }
}

pub(super) fn progress(ctx: &Context, len: u64, label: &str) -> ProgressBar {
    if ctx.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{msg:16} {wide_bar} {pos}/{len} messages {per_sec} ETA {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(label.to_owned());
    bar
}

fn print(args: &QueueBenchArgs, ctx: &Context, passes: &[Pass]) {
    let raw = passes
        .iter()
        .find(|p| p.backend == Backend::RabbitmqRaw)
        .map(|p| p.msgs_per_sec);
    let machine = rss::machine();
    if ctx.json {
        output::json_line(&serde_json::json!({
            "suite": "queue", "messages": args.messages, "size": args.size, "batch": args.batch,
            "in_flight": args.in_flight, "prefetch": args.prefetch, "machine": machine,
            "results": passes, "raw_lapin_msgs_per_sec": raw,
        }));
        return;
    }
    let mut table = output::table([
        "backend",
        "messages",
        "seconds",
        "msgs/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "peak RSS",
        "÷ raw lapin",
        "where",
    ]);
    for pass in passes {
        let ratio = output::or_dash(raw, |r| format!("{:.2}", pass.msgs_per_sec / r));
        table.add_row([
            serde_json::to_value(pass.backend)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            pass.messages.to_string(),
            format!("{:.1}", pass.seconds),
            format!("{:.0}", pass.msgs_per_sec),
            format!("{:.1}", pass.p50_ms),
            format!("{:.1}", pass.p99_ms),
            format!("{:.1}", pass.max_ms),
            output::mib(pass.peak_rss_mib),
            ratio,
            pass.description.clone(),
        ]);
    }
    println!(
        "carpetti bench queue --messages {} --size {} --batch {} --in-flight {} --prefetch {} on {machine}",
        args.messages, args.size, args.batch, args.in_flight, args.prefetch
    );
    println!("{table}");
}
