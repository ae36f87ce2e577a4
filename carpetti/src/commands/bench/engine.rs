//! `carpetti bench engine`: one 5-task process (three tasks, an exclusive gateway choosing one of
//! two, a fifth task) executed in memory, sequentially, by our engine (carpetti-engine's
//! `MemoryEngine`, external tasks completed by the driver), by PyPI SpiffWorkflow and by npm
//! bpmn-engine (child processes, the peers) — instances/s and tasks/s of each, and our ratio to
//! each peer. The three models are written from one graph (engine/model.rs).

mod model;
mod ours;
mod peers;
mod persisted;
mod print;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::context::Context;
use peers::Peer;

/// The target: our instances/s at least this many times SpiffWorkflow's.
const TARGET_VS_SPIFF: f64 = 100.0;
/// The target for the persisted engine on PostgreSQL, end to end (2,500 tasks/s).
const TARGET_PERSISTED_PG: f64 = 500.0;

/// Flags of `carpetti bench engine`.
#[derive(Debug, Args)]
pub struct EngineBenchArgs {
    /// Instances run by our engine (after an untimed warm-up of a tenth as many). 100,000 make
    /// one pass last most of a second, near a SpiffWorkflow pass of 2,000 (~2 s): a short pass
    /// (20,000 took ~0.17 s) swung 80-130k instances/s with the machine's hiccups.
    #[arg(long, default_value_t = 100_000)]
    pub instances: u64,
    /// Instances run by each peer (after an untimed warm-up of a tenth as many).
    #[arg(long, default_value_t = 2_000)]
    pub peer_instances: u64,
    /// Passes of each in-memory engine, taken in turn (ours, then each peer, then again); each
    /// engine's median pass is reported, with its slowest and fastest. One pass of ours lasts a
    /// second or less, so a single pass swings with whatever else the machine does.
    #[arg(long, default_value_t = 3)]
    pub passes: usize,
    /// The peers to run.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "spiff-workflow,bpmn-engine"
    )]
    pub peers: Vec<Peer>,
    /// Skip the peers (then no ratio is reported).
    #[arg(long)]
    pub no_peer: bool,
    /// Fail instead of installing a missing peer (pip / npm ci).
    #[arg(long)]
    pub no_install: bool,
    /// Write the three generated models to this directory and keep them (default: a temporary
    /// directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,
    /// Instances run end to end on each persisted backend: started over REST, their external
    /// tasks completed by Rust workers over REST.
    #[arg(long, default_value_t = 5_000)]
    pub persisted_instances: u64,
    /// Concurrent Rust workers (each long-polls every topic, 16 tasks a fetch). On 2 cores 2–4
    /// do best; more only add context switches.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Concurrent REST clients starting the instances, each one start at a time (like order and
    /// import events arriving). Starts arriving together are written in one group.
    #[arg(long, default_value_t = 4)]
    pub starters: usize,
    /// Groups of commands (external-task completes, instance starts) the engine writes at once
    /// (its group commit); 0 writes each command in its own transaction, as before groups existed
    /// (for comparison).
    #[arg(long, default_value_t = carpetti_engine::EngineConfig::DEFAULT_COMMAND_GROUPS)]
    pub command_groups: usize,
    /// The persisted backends to measure.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "postgres,sqlite"
    )]
    pub backend: Vec<super::persist::Backend>,
    /// Skip the persisted runs.
    #[arg(long)]
    pub no_persisted: bool,
    /// PostgreSQL server to make the scratch database on (it is dropped afterwards).
    #[arg(
        long,
        env = "CARPETTI_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub database_url: String,
}

/// One engine's measured run.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// "carpetti-engine", "SpiffWorkflow", "bpmn-engine".
    pub engine: &'static str,
    pub version: String,
    pub runtime: String,
    pub instances: u64,
    pub warmup: u64,
    pub tasks: u64,
    pub seconds: f64,
    pub instances_per_sec: f64,
    pub tasks_per_sec: f64,
    pub peak_rss_mib: Option<f64>,
    /// Passes run; the figures above are the median pass's.
    pub passes: usize,
    /// The slowest and the fastest pass, instances/s.
    pub slowest_instances_per_sec: f64,
    pub fastest_instances_per_sec: f64,
}

impl Run {
    #[allow(clippy::too_many_arguments)]
    fn new(
        engine: &'static str,
        version: String,
        runtime: String,
        instances: u64,
        warmup: u64,
        tasks: u64,
        seconds: f64,
        peak_rss_mib: Option<f64>,
    ) -> Self {
        let seconds_or_tiny = seconds.max(1e-9);
        let rate = instances as f64 / seconds_or_tiny;
        Self {
            engine,
            version,
            runtime,
            instances,
            warmup,
            tasks,
            seconds,
            instances_per_sec: rate,
            tasks_per_sec: tasks as f64 / seconds_or_tiny,
            peak_rss_mib,
            passes: 1,
            slowest_instances_per_sec: rate,
            fastest_instances_per_sec: rate,
        }
    }

    /// The median of one engine's passes (by instances/s), with the spread of all of them and the
    /// highest peak RSS.
    fn median(mut passes: Vec<Run>) -> Option<Run> {
        passes.sort_by(|a, b| a.instances_per_sec.total_cmp(&b.instances_per_sec));
        let slowest = passes.first()?.instances_per_sec;
        let fastest = passes.last()?.instances_per_sec;
        let peak = passes
            .iter()
            .filter_map(|p| p.peak_rss_mib)
            .max_by(f64::total_cmp);
        let count = passes.len();
        let mut median = passes.swap_remove(count / 2);
        median.passes = count;
        median.slowest_instances_per_sec = slowest;
        median.fastest_instances_per_sec = fastest;
        median.peak_rss_mib = peak;
        Some(median)
    }
}

/// The untimed warm-up before `instances` timed ones: a tenth as many, at least one.
fn warmup_of(instances: u64) -> u64 {
    (instances / 10).max(1)
}

/// Runs the suite.
pub async fn run(args: EngineBenchArgs, ctx: &Context) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.instances > 0 && args.peer_instances > 0,
        "--instances and --peer-instances must be at least 1"
    );
    let peers: Vec<Peer> = if args.no_peer {
        Vec::new()
    } else {
        args.peers.clone()
    };
    let scratch = tempfile::tempdir().context("making a scratch directory")?;
    let dir = args
        .models_dir
        .clone()
        .unwrap_or_else(|| scratch.path().to_owned());
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;

    // The peers are checked (and installed) first: a missing one fails before anything runs.
    let scripts = if peers.is_empty() {
        PathBuf::new()
    } else {
        peers::scripts_dir()?
    };
    for &peer in &peers {
        peers::ensure_installed(peer, &scripts, !args.no_install)?;
    }

    // passes in turn, so every engine samples the machine's state alike
    let passes = args.passes.max(1);
    let mut by_engine: Vec<Vec<Run>> = vec![Vec::new(); 1 + peers.len()];
    for &peer in &peers {
        let model = dir.join(peer.flavour().file_name());
        std::fs::write(&model, model::render(peer.flavour()))
            .with_context(|| format!("writing {}", model.display()))?;
    }
    for _ in 0..passes {
        let bar = progress(ctx, args.instances, "carpetti-engine");
        by_engine[0].push(ours::run(args.instances, &bar)?);
        for (n, &peer) in peers.iter().enumerate() {
            let model = dir.join(peer.flavour().file_name());
            let spinner = spinner(ctx, peer, args.peer_instances);
            let result = peers::run(peer, &scripts, &model, args.peer_instances);
            spinner.finish_and_clear();
            by_engine[n + 1].push(result?);
        }
    }
    let runs: Vec<Run> = by_engine.into_iter().filter_map(Run::median).collect();
    let mut persisted_runs = Vec::new();
    if !args.no_persisted {
        for &backend in &args.backend {
            let bar = progress(ctx, args.persisted_instances * 5, "persisted");
            let backend = match backend {
                super::persist::Backend::Sqlite => persisted::Backend::Sqlite,
                super::persist::Backend::Postgres => persisted::Backend::Postgres {
                    admin_url: args.database_url.clone(),
                },
            };
            let run = persisted::run(
                &backend,
                args.persisted_instances,
                args.workers.max(1),
                args.starters.max(1),
                args.command_groups,
                &bar,
            )
            .await;
            bar.finish_and_clear();
            persisted_runs.push(run?);
        }
    }
    if args.models_dir.is_some() {
        let ours = dir.join(model::Flavour::Carpetti.file_name());
        std::fs::write(&ours, model::render(model::Flavour::Carpetti))
            .with_context(|| format!("writing {}", ours.display()))?;
    }
    print::print(&args, ctx, &runs, &persisted_runs);
    Ok(())
}

fn progress(ctx: &Context, len: u64, label: &str) -> ProgressBar {
    if ctx.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:16} {wide_bar} {pos}/{len} instances {per_sec} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_message(label.to_owned());
    bar
}

fn spinner(ctx: &Context, peer: Peer, instances: u64) -> ProgressBar {
    if ctx.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message(format!(
        "{}: {instances} instances (+ {} warm-up) in a child process …",
        peer.label(),
        warmup_of(instances)
    ));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(seconds: f64, rss: f64) -> Run {
        Run::new(
            "carpetti-engine",
            "0".into(),
            "Rust".into(),
            1_000,
            100,
            5_000,
            seconds,
            Some(rss),
        )
    }

    #[test]
    fn the_median_pass_is_reported_with_the_spread_and_the_highest_peak() {
        let median = Run::median(vec![pass(0.5, 10.0), pass(2.0, 30.0), pass(1.0, 20.0)])
            .expect("three passes");
        assert_eq!(median.seconds, 1.0);
        assert_eq!(median.instances_per_sec, 1_000.0);
        assert_eq!(median.passes, 3);
        assert_eq!(median.slowest_instances_per_sec, 500.0);
        assert_eq!(median.fastest_instances_per_sec, 2_000.0);
        assert_eq!(median.peak_rss_mib, Some(30.0));
        assert!(Run::median(Vec::new()).is_none());
    }
}
