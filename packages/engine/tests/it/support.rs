use std::path::PathBuf;

use carpetti_engine::memory::MemoryEngine;
use carpetti_engine::variables::{TypedValue, Variables};
use serde_json::Value;

pub fn model(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/bpmn")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn engine_with(files: &[&str]) -> MemoryEngine {
    let mut engine = MemoryEngine::new();
    for f in files {
        engine
            .deploy(&model(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    engine
}

pub fn vars(pairs: &[(&str, Value)]) -> Variables {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), TypedValue::infer(v.clone())))
        .collect()
}

/// The one open external task on `topic` (panics if there is not exactly one).
pub fn task(engine: &MemoryEngine, topic: &str) -> String {
    let found: Vec<&String> = engine
        .external_tasks
        .iter()
        .filter(|(_, t)| t.item.topic == topic)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "open tasks on {topic}: {:?}",
        engine
            .external_tasks
            .values()
            .map(|t| &t.item.topic)
            .collect::<Vec<_>>()
    );
    found[0].clone()
}

pub fn topics(engine: &MemoryEngine) -> Vec<String> {
    let mut t: Vec<String> = engine
        .external_tasks
        .values()
        .map(|t| t.item.topic.clone())
        .collect();
    t.sort();
    t
}

/// Activity ids the history shows ended (not cancelled) for an instance, in order.
pub fn path(engine: &MemoryEngine, instance: &str) -> Vec<String> {
    engine
        .history
        .iter()
        .filter(|h| *h.instance_id == *instance && h.item.ended == Some(false))
        .map(|h| h.item.activity_id.to_string())
        .collect()
}

pub fn variable(engine: &MemoryEngine, instance: &str, name: &str) -> Option<Value> {
    let state = engine.instance(instance)?;
    state
        .scopes
        .get(&state.id)?
        .variables
        .get(name)
        .map(|v| v.to_expression_value())
}
