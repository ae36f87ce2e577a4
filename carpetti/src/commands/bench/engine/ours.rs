//! Our side of `carpetti bench engine`: the model deployed in carpetti-engine's `MemoryEngine`,
//! instances started and their external tasks completed one at a time by this driver.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, ensure};
use carpetti_engine::memory::MemoryEngine;
use carpetti_engine::runtime::EndState;
use carpetti_engine::variables::{TypedValue, Variables};
use indicatif::ProgressBar;

use super::model::{self, Flavour};
use super::{Run, warmup_of};
use crate::commands::bench::rss;

/// Completed tasks by activity id, and the total.
#[derive(Debug, Default)]
pub struct Counts {
    pub by_task: BTreeMap<String, u64>,
    pub total: u64,
}

/// Starts instance number `n` of the model and completes its external tasks until it ends.
pub fn run_instance(engine: &mut MemoryEngine, n: u64, counts: &mut Counts) -> anyhow::Result<()> {
    let mut variables = Variables::new();
    variables.insert(
        model::VARIABLE.to_owned(),
        TypedValue::infer(serde_json::json!(model::amount(n))),
    );
    let instance = engine.start(model::PROCESS_ID, None, variables)?;
    while let Some((task, activity)) = engine
        .external_tasks
        .iter()
        .find(|(_, t)| *t.instance_id == *instance)
        .map(|(id, t)| (id.clone(), Arc::clone(&t.item.activity_id)))
    {
        engine.complete(&task, Variables::new())?;
        match counts.by_task.get_mut(&*activity) {
            Some(count) => *count += 1,
            None => {
                counts.by_task.insert(activity.to_string(), 1);
            }
        }
        counts.total += 1;
    }
    let ended = engine.instance(&instance).and_then(|s| s.ended);
    // Done with it, as the peers' drivers are done with theirs: drop the finished instance and
    // its history, so memory stays flat however many instances run (the engine still writes
    // both, for every instance).
    engine.ended.remove(&instance);
    engine.history.clear();
    ensure!(
        ended == Some(EndState::Completed),
        "instance {n} stopped without completing ({ended:?}); open incidents: {:?}",
        engine
            .incidents
            .values()
            .map(|i| &i.item.message)
            .collect::<Vec<_>>()
    );
    Ok(())
}

/// Deploys the model and runs `instances` instances, after a warm-up, in one engine.
pub fn run(instances: u64, bar: &ProgressBar) -> anyhow::Result<Run> {
    let warmup = warmup_of(instances);
    let mut engine = MemoryEngine::new();
    engine
        .deploy(&model::render(Flavour::Carpetti))
        .context("deploying the benchmark model")?;
    for n in 0..warmup {
        run_instance(&mut engine, n, &mut Counts::default())?;
    }
    rss::reset_peak();
    let mut counts = Counts::default();
    let started = Instant::now();
    for n in 0..instances {
        run_instance(&mut engine, n, &mut counts)?;
        if n % 1024 == 1023 {
            bar.set_position(n + 1);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    ensure!(
        counts.by_task == model::expected_counts(instances),
        "our engine did not run the expected tasks: {:?}",
        counts.by_task
    );
    Ok(Run::new(
        "carpetti-engine",
        format!(
            "carpetti-engine {} (MemoryEngine)",
            env!("CARGO_PKG_VERSION")
        ),
        "Rust, in process".to_owned(),
        instances,
        warmup,
        counts.total,
        seconds,
        rss::peak_mib(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_deploys_and_both_branches_run_to_the_end() {
        let mut engine = MemoryEngine::new();
        let ids = engine
            .deploy(&model::render(Flavour::Carpetti))
            .expect("deploys");
        assert_eq!(ids.len(), 1);
        let mut counts = Counts::default();
        for n in 0..3 {
            run_instance(&mut engine, n, &mut counts).expect("runs to the end");
        }
        assert_eq!(counts.by_task, model::expected_counts(3));
        assert_eq!(counts.by_task["task4a"], 2);
        assert_eq!(counts.by_task["task4b"], 1);
        assert_eq!(counts.total, 3 * model::TASKS_PER_INSTANCE);
        assert!(engine.external_tasks.is_empty());
    }
}
