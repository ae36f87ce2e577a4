//! `carpetti bench engine`: one 5-task process (three tasks, an exclusive gateway choosing one of
//! two, a fifth task) executed in memory, sequentially, by our engine (carpetti-engine's
//! `MemoryEngine`, external tasks completed by the driver), by PyPI SpiffWorkflow and by npm
//! bpmn-engine (child processes, the peers) — instances/s and tasks/s of each, and our ratio to
//! each peer. The three models are written from one graph (engine/model.rs).

mod model;
mod ours;
mod peers;
mod persisted;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::rss;
use crate::context::Context;
use crate::output;
use peers::Peer;

/// The target: our instances/s at least this many times SpiffWorkflow's.
const TARGET_VS_SPIFF: f64 = 100.0;
/// The target for the persisted engine on PostgreSQL, end to end (2,500 tasks/s).
const TARGET_PERSISTED_PG: f64 = 500.0;

/// Flags of `carpetti bench engine`.
#[derive(Debug, Args)]
pub struct EngineBenchArgs {
    /// Instances run by our engine (after an untimed warm-up of a tenth as many).
    #[arg(long, default_value_t = 20_000)]
    pub instances: u64,
    /// Instances run by each peer (after an untimed warm-up of a tenth as many).
    #[arg(long, default_value_t = 2_000)]
    pub peer_instances: u64,
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
        Self {
            engine,
            version,
            runtime,
            instances,
            warmup,
            tasks,
            seconds,
            instances_per_sec: instances as f64 / seconds_or_tiny,
            tasks_per_sec: tasks as f64 / seconds_or_tiny,
            peak_rss_mib,
        }
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

    let mut runs = Vec::new();
    let bar = progress(ctx, args.instances, "carpetti-engine");
    runs.push(ours::run(args.instances, &bar)?);
    for &peer in &peers {
        let model = dir.join(peer.flavour().file_name());
        std::fs::write(&model, model::render(peer.flavour()))
            .with_context(|| format!("writing {}", model.display()))?;
        let spinner = spinner(ctx, peer, args.peer_instances);
        let result = peers::run(peer, &scripts, &model, args.peer_instances);
        spinner.finish_and_clear();
        runs.push(result?);
    }
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
    print(&args, ctx, &runs, &persisted_runs);
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

/// Ours ÷ each run, by instances/s.
fn ratio(ours: Option<&Run>, run: &Run) -> Option<f64> {
    ours.filter(|_| run.instances_per_sec > 0.0)
        .map(|o| o.instances_per_sec / run.instances_per_sec)
}

fn print(
    args: &EngineBenchArgs,
    ctx: &Context,
    runs: &[Run],
    persisted: &[persisted::PersistedRun],
) {
    let ours = runs.iter().find(|r| r.engine == "carpetti-engine");
    let spiff = runs
        .iter()
        .find(|r| r.engine == Peer::SpiffWorkflow.label())
        .and_then(|r| ratio(ours, r));
    let bpmn_engine = runs
        .iter()
        .find(|r| r.engine == Peer::BpmnEngine.label())
        .and_then(|r| ratio(ours, r));
    let target_met = spiff.map(|r| r >= TARGET_VS_SPIFF);
    let machine = rss::machine();
    if ctx.json {
        output::json_line(&serde_json::json!({
            "suite": "engine", "instances": args.instances, "peer_instances": args.peer_instances,
            "tasks_per_instance": model::TASKS_PER_INSTANCE, "machine": machine, "results": runs,
            "ours_vs_spiff_workflow": spiff, "ours_vs_bpmn_engine": bpmn_engine,
            "target_vs_spiff_workflow": TARGET_VS_SPIFF, "target_met": target_met,
            "persisted": persisted, "persisted_workers": args.workers,
            "command_groups": args.command_groups,
            "target_persisted_postgres_instances_per_sec": TARGET_PERSISTED_PG,
            "persisted_target_met": persisted_target(persisted),
        }));
        return;
    }
    let mut table = output::table([
        "engine",
        "instances",
        "seconds",
        "instances/s",
        "tasks/s",
        "ours ÷ this",
        "peak RSS",
        "version, runtime",
    ]);
    for run in runs {
        table.add_row([
            run.engine.to_owned(),
            run.instances.to_string(),
            format!("{:.3}", run.seconds),
            format!("{:.0}", run.instances_per_sec),
            format!("{:.0}", run.tasks_per_sec),
            ratio(ours, run).map_or_else(|| "—".to_owned(), |r| format!("{r:.1}×")),
            run.peak_rss_mib
                .map_or_else(|| "—".to_owned(), |m| format!("{m:.0} MiB")),
            format!("{}, {}", run.version, run.runtime),
        ]);
    }
    output::line(&format!(
        "carpetti bench engine --instances {} --peer-instances {} on {machine}",
        args.instances, args.peer_instances
    ));
    output::line(&table.to_string());
    output::line(&match spiff {
        Some(r) => format!(
            "target ≥ {TARGET_VS_SPIFF:.0}× SpiffWorkflow: {r:.1}× — {}",
            if r >= TARGET_VS_SPIFF {
                "met"
            } else {
                "not met"
            }
        ),
        None => format!("target ≥ {TARGET_VS_SPIFF:.0}× SpiffWorkflow: not measured (no peer)"),
    });
    print_persisted(args, persisted);
}

/// Whether the PostgreSQL run reached the target (`None` when it was not run).
fn persisted_target(persisted: &[persisted::PersistedRun]) -> Option<bool> {
    persisted
        .iter()
        .find(|r| r.backend == "postgres")
        .map(|r| r.instances_per_sec >= TARGET_PERSISTED_PG)
}

fn print_persisted(args: &EngineBenchArgs, persisted: &[persisted::PersistedRun]) {
    if persisted.is_empty() {
        return;
    }
    let mut table = output::table([
        "persisted on",
        "instances",
        "tasks",
        "workers",
        "seconds",
        "instances/s",
        "tasks/s",
        "fetch→complete p50",
        "p99",
        "tasks per fetch",
        "completes per group",
        "ms each",
        "alone",
        "starts per group",
        "ms each",
        "alone",
        "CPU ms / instance",
        "steal",
        "idle",
    ]);
    for r in persisted {
        table.add_row([
            r.backend.to_owned(),
            r.instances.to_string(),
            r.tasks.to_string(),
            r.workers.to_string(),
            format!("{:.2}", r.seconds),
            format!("{:.0}", r.instances_per_sec),
            format!("{:.0}", r.tasks_per_sec),
            format!("{:.2} ms", r.fetch_to_complete_p50_ms),
            format!("{:.2} ms", r.fetch_to_complete_p99_ms),
            format!("{:.1}", r.tasks_per_fetch),
            format!("{:.1}", r.completes_per_group),
            format!("{:.2}", r.complete_group_ms),
            r.completes_alone.to_string(),
            format!("{:.1}", r.starts_per_group),
            format!("{:.2}", r.start_group_ms),
            r.starts_alone.to_string(),
            r.cpu_ms_per_instance
                .map_or("—".to_owned(), |v| format!("{v:.2}")),
            r.steal_pct.map_or("—".to_owned(), |v| format!("{v:.0} %")),
            r.idle_pct.map_or("—".to_owned(), |v| format!("{v:.0} %")),
        ]);
    }
    output::line(&format!(
        "end to end over REST, {} instances per backend, {} Rust workers, {} command groups at once:",
        args.persisted_instances, args.workers, args.command_groups
    ));
    output::line(&table.to_string());
    output::line(&match persisted_target(persisted) {
        Some(met) => format!(
            "target ≥ {TARGET_PERSISTED_PG:.0} instances/s on PostgreSQL: {}",
            if met { "met" } else { "not met" }
        ),
        None => "target on PostgreSQL: not measured".to_owned(),
    });
}
