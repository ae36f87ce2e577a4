//! The tables (or the JSON line) of `carpetti bench engine`: the in-memory engines with our
//! ratios, then the persisted runs, each beside its target.

use super::peers::Peer;
use super::{EngineBenchArgs, Run, TARGET_PERSISTED_PG, TARGET_VS_SPIFF, model, persisted};
use crate::commands::bench::rss;
use crate::context::Context;
use crate::output;

/// Ours ÷ each run, by instances/s.
fn ratio(ours: Option<&Run>, run: &Run) -> Option<f64> {
    ours.filter(|_| run.instances_per_sec > 0.0)
        .map(|o| o.instances_per_sec / run.instances_per_sec)
}

pub(super) fn print(
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
            "passes": args.passes.max(1),
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
        "passes: slowest–fastest/s",
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
            output::or_dash(ratio(ours, run), |r| format!("{r:.1}×")),
            format!(
                "{}: {:.0}–{:.0}",
                run.passes, run.slowest_instances_per_sec, run.fastest_instances_per_sec
            ),
            output::mib(run.peak_rss_mib),
            format!("{}, {}", run.version, run.runtime),
        ]);
    }
    output::line(&format!(
        "carpetti bench engine --instances {} --peer-instances {} --passes {} on {machine} (median pass of each engine):",
        args.instances,
        args.peer_instances,
        args.passes.max(1)
    ));
    output::line(&table.to_string());
    output::line(&match spiff {
        Some(r) => format!(
            "target ≥ {TARGET_VS_SPIFF:.0}× SpiffWorkflow: {r:.1}× — {}",
            verdict(r >= TARGET_VS_SPIFF)
        ),
        None => format!("target ≥ {TARGET_VS_SPIFF:.0}× SpiffWorkflow: not measured (no peer)"),
    });
    print_persisted(args, persisted);
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
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
            output::or_dash(r.cpu_ms_per_instance, |v| format!("{v:.2}")),
            output::or_dash(r.steal_pct, |v| format!("{v:.0} %")),
            output::or_dash(r.idle_pct, |v| format!("{v:.0} %")),
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
            verdict(met)
        ),
        None => "target on PostgreSQL: not measured".to_owned(),
    });
}
