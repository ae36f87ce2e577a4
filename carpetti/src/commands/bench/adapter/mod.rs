//! `carpetti bench adapter`: the process adapter's load benchmark (issue #7's "Measure"). The
//! engine (`carpetti serve engine`, SQLite) and one adapter (`carpetti serve process_adapter`)
//! run as child processes of this binary; `--channels` instances of a looping model are started
//! and moved by a worker every `--step-ms`; `--viewers` WebSocket viewers follow them through the
//! adapter. Over the `--seconds` window: the adapter's engine requests/s (what the channels need,
//! not the viewers), the push latency after the poll that saw a change and end to end from the
//! engine, the adapter's RSS and CPU. Then the peer in the same run: the naive design, every
//! viewer polling the engine itself, as a ratio of engine requests.

mod naive;
mod report;
mod system;
#[cfg(test)]
mod tests;
mod viewers;
mod worker;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use carpetti_camunda::dto::{Deployment, StartRequest};
use carpetti_camunda::{CamundaClient, ClientConfig};
use clap::Args;
use futures::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};

use super::rss;
use crate::context::Context;
use report::{AdapterSide, Report};
use system::{CpuMark, Memory, Service, health};
use viewers::Viewers;
use worker::{Worker, wall_ms};

/// Flags of `carpetti bench adapter`.
#[derive(Debug, Args)]
pub struct AdapterBenchArgs {
    /// WebSocket viewers on the adapter; viewer i follows channel i % channels.
    #[arg(long, default_value_t = 10_000)]
    pub viewers: usize,
    /// Channels: running process instances (business keys bench-0, bench-1, …).
    #[arg(long, default_value_t = 1_000)]
    pub channels: usize,
    /// The measurement window, seconds.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// How often the worker moves each process one step, ms.
    #[arg(long, default_value_t = 5_000)]
    pub step_ms: u64,
    /// The adapter's poll interval while a process moves (process_adapter.min_poll_ms); the naive
    /// viewers poll this often too.
    #[arg(long, default_value_t = 250)]
    pub min_poll_ms: u64,
    /// The interval a quiet channel backs off to (process_adapter.max_poll_ms).
    #[arg(long, default_value_t = 10_000)]
    pub max_poll_ms: u64,
    /// Engine requests/s the adapter allows itself (process_adapter.engine_budget_rps).
    #[arg(long, default_value_t = 400.0)]
    pub engine_budget_rps: f64,
    /// The naive peer's window, seconds (0 skips it).
    #[arg(long, default_value_t = 20)]
    pub naive_seconds: u64,
}

pub async fn run(args: AdapterBenchArgs, ctx: &Context) -> anyhow::Result<()> {
    if args.viewers == 0 || args.channels == 0 || args.seconds == 0 || args.step_ms == 0 {
        bail!("--viewers, --channels, --seconds and --step-ms must be at least 1");
    }
    let dir = tempfile::tempdir().context("making a scratch directory")?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;

    let bar = spinner(
        ctx,
        "starting the engine and the adapter (child processes) …",
    );
    let processes = dir.path().join("no-processes").display().to_string();
    let mut engine = Service::start(
        "engine",
        dir.path(),
        &[
            ("CARPETTI_ENGINE__LISTEN", "127.0.0.1:0".into()),
            ("CARPETTI_ENGINE__PROCESSES_DIR", processes),
        ],
    )?;
    engine
        .wait_ready(&http, "/engine-rest/engine", Duration::from_secs(60))
        .await?;
    let engine_url = format!("http://{}/engine-rest", engine.address);
    let mut adapter = Service::start(
        "process_adapter",
        dir.path(),
        &[
            ("CARPETTI_PROCESS_ADAPTER__LISTEN", "127.0.0.1:0".into()),
            ("CARPETTI_PROCESS_ADAPTER__ENGINE_URL", engine_url.clone()),
            (
                "CARPETTI_PROCESS_ADAPTER__MIN_POLL_MS",
                args.min_poll_ms.to_string(),
            ),
            (
                "CARPETTI_PROCESS_ADAPTER__MAX_POLL_MS",
                args.max_poll_ms.to_string(),
            ),
            (
                "CARPETTI_PROCESS_ADAPTER__ENGINE_BUDGET_RPS",
                args.engine_budget_rps.to_string(),
            ),
        ],
    )?;
    adapter
        .wait_ready(&http, "/health", Duration::from_secs(60))
        .await?;
    bar.finish_and_clear();

    let client = CamundaClient::new(
        ClientConfig::new(&engine_url)?.with_request_timeout(Duration::from_secs(30)),
    )?;
    client
        .deploy(&Deployment::single(
            "bench-adapter",
            "adapter-loop.bpmn",
            worker::MODEL,
        ))
        .await
        .context("deploying testdata/bpmn/adapter-loop.bpmn")?;
    let instance_ids = start_instances(&client, args.channels, ctx).await?;
    let worker = Worker::start(
        client.clone(),
        args.channels,
        Duration::from_millis(args.step_ms),
    );

    // The viewers: all sockets open and subscribed, each with its channel's first cursor.
    let connecting = Instant::now();
    let viewers = Viewers::start(
        &format!("ws://{}/ws", adapter.address),
        args.viewers,
        args.channels,
    );
    let c = viewers.counters.clone();
    let bar = progress(ctx, args.viewers as u64, "viewers", "connected");
    let total = args.viewers as u64;
    while c.connected.load(Ordering::Relaxed) + c.failed.load(Ordering::Relaxed) < total {
        bar.set_position(c.connected.load(Ordering::Relaxed));
        if !adapter.alive() {
            bail!("the adapter stopped while the viewers connected");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready_by = Instant::now() + Duration::from_secs(60);
    while c.ready.load(Ordering::Relaxed) < c.connected.load(Ordering::Relaxed)
        && Instant::now() < ready_by
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bar.finish_and_clear();
    let seconds_to_connect = connecting.elapsed().as_secs_f64();

    // The window.
    let before = health(&http, adapter.address).await?;
    let adapter_cpu = CpuMark::now(adapter.cpu_seconds());
    let engine_cpu = CpuMark::now(engine.cpu_seconds());
    let own_cpu = CpuMark::now(rss::cpu_seconds());
    let steps_before = worker.counters.completed.load(Ordering::Relaxed);
    let window_start = wall_ms();
    let begun = Instant::now();
    let bar = progress(ctx, args.seconds, "window", "s");
    while begun.elapsed() < Duration::from_secs(args.seconds) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        bar.set_position(begun.elapsed().as_secs().min(args.seconds));
        bar.set_message(format!("{} cursors", c.cursors.load(Ordering::Relaxed)));
        if !adapter.alive() {
            bail!("the adapter stopped during the window");
        }
    }
    let window_end = wall_ms();
    let seconds = begun.elapsed().as_secs_f64();
    let after = health(&http, adapter.address).await?;
    let adapter_cpu = adapter_cpu.percent_since(adapter.cpu_seconds());
    let engine_cpu = engine_cpu.percent_since(engine.cpu_seconds());
    let client_cpu = own_cpu.percent_since(rss::cpu_seconds());
    let steps = worker.counters.completed.load(Ordering::Relaxed) - steps_before;
    let adapter_memory = adapter.memory();
    let engine_memory = engine.memory();
    let client_memory = Memory {
        rss_mib: system::rss_mib_of("self"),
        peak_mib: rss::peak_mib(),
    }
    .rounded();
    bar.finish_and_clear();
    let (dropped, protocol_errors) = (
        c.dropped.load(Ordering::Relaxed),
        c.errors.load(Ordering::Relaxed),
    );
    let last_connect_error = viewers.last_error.lock().ok().and_then(|e| e.clone());
    let arrivals = viewers.close().await;

    // The peer: each viewer polling the engine itself.
    let mut naive_run = None;
    let mut naive_engine_cpu = None;
    let mut without_viewers = None;
    if args.naive_seconds > 0 {
        // The adapter notices the closed sockets and stops polling.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let quiet = health(&http, adapter.address).await?;
        let quiet_at = Instant::now();
        let bar = progress(ctx, args.naive_seconds, "naive viewers", "s");
        let mark = CpuMark::now(engine.cpu_seconds());
        let marked = tokio::spawn({
            // The engine's CPU over the naive window only (after the warm-up).
            let pid = engine.pid.clone();
            async move {
                tokio::time::sleep(naive::WARM_UP).await;
                CpuMark::now(system::cpu_seconds_of(&pid))
            }
        });
        let run = naive::run(
            engine.address,
            &instance_ids,
            args.viewers,
            Duration::from_millis(args.min_poll_ms),
            args.naive_seconds,
            &bar,
        )
        .await?;
        let mark = marked.await.unwrap_or(mark);
        naive_engine_cpu = Some(mark.percent_since(engine.cpu_seconds()));
        bar.finish_and_clear();
        let later = health(&http, adapter.address).await?;
        without_viewers = Some(
            later.engine_calls.saturating_sub(quiet.engine_calls) as f64
                / quiet_at.elapsed().as_secs_f64().max(1e-9),
        );
        naive_run = Some(run);
    }
    let worker_errors = worker.counters.errors.load(Ordering::Relaxed);
    let completions = worker.stop().await;
    let (adapter_warnings, last_warnings) = adapter.warnings();
    let (engine_warnings, _) = engine.warnings();
    tokio::task::spawn_blocking(move || {
        adapter.stop();
        engine.stop();
    })
    .await?;

    let viewing = report::viewing(
        &arrivals,
        &completions,
        args.viewers,
        (window_start, window_end),
    );
    let requests = after.engine_calls.saturating_sub(before.engine_calls);
    let per_sec = requests as f64 / seconds.max(1e-9);
    let ceiling = (args.channels as f64 * 1000.0 / args.min_poll_ms.max(1) as f64)
        .min(args.engine_budget_rps);
    let adapter_side = AdapterSide {
        connections: after.connections,
        channels: after.channels,
        subscribers: after.subscribers,
        polling: after.polling,
        engine_requests: requests,
        engine_requests_per_sec: report::round(per_sec),
        engine_requests_per_sec_per_channel: report::round_to(per_sec / args.channels as f64, 4),
        engine_requests_per_sec_per_viewer: report::round_to(per_sec / args.viewers as f64, 5),
        pacing_ceiling_per_sec: ceiling,
        engine_errors: after.engine_errors.saturating_sub(before.engine_errors),
        engine_latency_ms: report::round(after.engine_latency_ms),
        cpu_percent: report::round(adapter_cpu),
        memory: adapter_memory,
        warnings: adapter_warnings,
        last_warnings,
        engine_requests_per_sec_without_viewers: without_viewers.map(report::round),
    };
    let (target_p99_push_met, target_rss_met) = report::targets(&viewing, &adapter_memory);
    let naive_ratio = naive_run
        .as_ref()
        .map(|n| n.requests_per_sec / per_sec.max(1e-9));
    let naive_demanded_ratio = naive_run
        .as_ref()
        .map(|n| n.demanded_per_sec / per_sec.max(1e-9));
    let report = Report {
        suite: "adapter",
        machine: rss::machine(),
        viewers: args.viewers,
        channels: args.channels,
        seconds: report::round(seconds),
        step_ms: args.step_ms,
        min_poll_ms: args.min_poll_ms,
        max_poll_ms: args.max_poll_ms,
        engine_budget_rps: args.engine_budget_rps,
        connected: c.connected.load(Ordering::Relaxed),
        connect_failed: c.failed.load(Ordering::Relaxed),
        connect_errors: c.connect_errors.load(Ordering::Relaxed),
        last_connect_error,
        seconds_to_connect: report::round(seconds_to_connect),
        dropped,
        protocol_errors,
        viewing,
        adapter: adapter_side,
        engine_cpu_percent: report::round(engine_cpu),
        engine_memory,
        engine_warnings,
        client_cpu_percent: report::round(client_cpu),
        client_memory,
        steps_completed: steps,
        steps_per_sec: report::round(steps as f64 / seconds.max(1e-9)),
        worker_errors,
        naive: naive_run,
        naive_engine_cpu_percent: naive_engine_cpu.map(report::round),
        naive_ratio: naive_ratio.map(report::round),
        naive_demanded_ratio: naive_demanded_ratio.map(report::round),
        target_p99_push_met,
        target_rss_met,
    };
    report::print(&args, ctx, &report);
    Ok(())
}

/// Starts `channels` instances of the loop model (business keys bench-0…), a few at a time;
/// their ids in channel order.
async fn start_instances(
    client: &CamundaClient,
    channels: usize,
    ctx: &Context,
) -> anyhow::Result<Vec<String>> {
    let bar = progress(ctx, channels as u64, "instances", "started");
    let ids: Vec<anyhow::Result<String>> = futures::stream::iter(0..channels)
        .map(|k| {
            let (client, bar) = (client.clone(), bar.clone());
            async move {
                let request = StartRequest::default().with_business_key(&worker::business_key(k));
                let started = client
                    .start_process_by_key(worker::PROCESS_KEY, &request)
                    .await
                    .with_context(|| format!("starting instance {k}"))?;
                bar.inc(1);
                Ok(started.instance.id)
            }
        })
        .buffered(8)
        .collect()
        .await;
    bar.finish_and_clear();
    ids.into_iter().collect()
}

fn progress(ctx: &Context, len: u64, label: &str, unit: &str) -> ProgressBar {
    if ctx.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let template = format!("{{prefix:14}} {{wide_bar}} {{pos}}/{{len}} {unit} {{msg}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.set_prefix(label.to_owned());
    bar
}

fn spinner(ctx: &Context, message: &str) -> ProgressBar {
    if ctx.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
