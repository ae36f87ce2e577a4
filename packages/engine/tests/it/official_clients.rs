//! The official Camunda 7 external-task clients, unchanged — camunda-external-task-client-js
//! 3.1.0 (npm) and camunda-external-task-client-python3 4.5.0 (PyPI) — against the engine served
//! over REST: each subscribes to the topics of testdata/bpmn/official-clients.bpmn, completes
//! tasks with variables of several types, fails a task until its retries run out (an incident),
//! and throws a BPMN error that a boundary event catches. The workers are child processes
//! (tests/clients/{js,python}); a missing node, npm package or Python package fails the test
//! with a message to run scripts/test, which installs them.

pub mod child;
pub mod scenario;

use std::time::Duration;

use serde_json::{Value, json};

use child::{WorkerRun, js_worker, python_worker, run_worker};
use scenario::{EngineServer, Instances, LABEL, parcel};

/// How long a worker may take for the whole scenario (it needs a few seconds).
const WORKER_LIMIT: Duration = Duration::from_secs(90);

/// The deployed definition's id is Camunda's `key:version:uuid`.
pub fn assert_definition(id: &str) {
    assert!(id.starts_with("officialClients:1:"), "{id}");
}

/// Deploys, starts `<client>-ok|-declined|-flaky` and returns them.
pub async fn prepare(server: &EngineServer, client: &str) -> anyhow::Result<Instances> {
    assert_definition(&server.deploy().await?);
    server.start_instances(client).await
}

/// Asserts `seen[name]` is `{type, value}` (the type as the client reports it).
pub fn assert_seen(seen: &Value, name: &str, kind: &str, value: Value) {
    assert_eq!(
        (&seen[name]["type"], &seen[name]["value"]),
        (&json!(kind), &value),
        "variable {name} as the client saw it, in {seen}"
    );
}

/// The failure reports of flaky: retries counted down to 0, the last one the incident.
fn assert_flaky_failures(run: &WorkerRun) {
    let retries: Vec<&Value> = run.of("flaky").iter().map(|e| &e["retries"]).collect();
    assert_eq!(
        retries,
        [&json!(2), &json!(1), &json!(0)],
        "{:#?}",
        run.events
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_js_client_runs_the_scenario() -> anyhow::Result<()> {
    let server = EngineServer::start().await?;
    let worker = js_worker(&server.base, "js").await?;
    let instances = prepare(&server, "js").await?;
    let run = run_worker(worker, WORKER_LIMIT).await?;
    server
        .wait_until_settled(&instances, Duration::from_secs(10))
        .await?;
    server.assert_scenario("js", &instances).await?;

    // What the client decoded from the engine's fetch answers: it lowercases every type, parses
    // Json and turns a Date into a JS Date (printed back with toISOString).
    let seen = &run.event("notify", "js-ok")["variables"];
    assert_seen(seen, "customer", "string", json!("ACME"));
    assert_seen(seen, "carrier", "string", json!("DHL Express"));
    assert_seen(seen, "items", "integer", json!(3));
    assert_seen(seen, "trackingId", "long", json!(12_345_678_901_i64));
    assert_seen(seen, "total", "double", json!(150));
    assert_seen(seen, "giftWrap", "boolean", json!(false));
    assert_seen(seen, "shippedAt", "date", json!("2026-03-01T10:15:30.250Z"));
    assert_seen(seen, "parcel", "json", parcel());
    assert_eq!(
        seen["label"],
        json!({"type": "file", "filename": "label.txt", "content": LABEL}),
        "the File as File.load() downloaded it"
    );
    let seen = &run.event("refund", "js-declined")["variables"];
    assert_seen(seen, "errorCode", "string", json!("CARD_DECLINED"));
    assert_seen(
        seen,
        "errorMessage",
        "string",
        json!("Card declined by issuer"),
    );
    assert_seen(seen, "declineReason", "string", json!("insufficient_funds"));
    assert_seen(seen, "total", "double", json!(20.5));
    assert_eq!(run.event("charge", "js-declined")["event"], "bpmnError");
    assert_eq!(run.event("charge", "js-ok")["event"], "complete");
    assert_eq!(run.of("fulfil").len(), 3);
    assert_flaky_failures(&run);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_client_runs_the_scenario() -> anyhow::Result<()> {
    let server = EngineServer::start().await?;
    let worker = python_worker(&server.base, "python").await?;
    let instances = prepare(&server, "python").await?;
    let run = run_worker(worker, WORKER_LIMIT).await?;
    server
        .wait_until_settled(&instances, Duration::from_secs(10))
        .await?;
    server.assert_scenario("python", &instances).await?;

    // The client completes with untyped values (`{"value": x}`): the engine inferred the types;
    // Date and Json were sent typed. It hands the fetched values over as they came.
    let seen = &run.event("notify", "python-ok")["variables"];
    assert_seen(seen, "customer", "String", json!("ACME"));
    assert_seen(seen, "carrier", "String", json!("DHL Express"));
    assert_seen(seen, "items", "Integer", json!(3));
    assert_seen(seen, "trackingId", "Long", json!(12_345_678_901_i64));
    assert_seen(seen, "total", "Double", json!(150.0));
    assert_seen(seen, "giftWrap", "Boolean", json!(false));
    assert_seen(
        seen,
        "shippedAt",
        "Date",
        json!("2026-03-01T10:15:30.250+0000"),
    );
    assert_eq!(seen["parcel"]["type"], "Json", "{seen}");
    let parsed: Value = serde_json::from_str(seen["parcel"]["value"].as_str().unwrap_or_default())?;
    assert_eq!(parsed, parcel());
    assert_eq!(
        seen["label"],
        json!({"type": "File", "filename": "label.txt", "content": LABEL}),
        "the File as EngineClient.get_process_instance_variable downloaded it"
    );
    let seen = &run.event("refund", "python-declined")["variables"];
    assert_seen(seen, "errorCode", "String", json!("CARD_DECLINED"));
    assert_seen(
        seen,
        "errorMessage",
        "String",
        json!("Card declined by issuer"),
    );
    assert_seen(seen, "declineReason", "String", json!("insufficient_funds"));
    assert_seen(seen, "total", "Double", json!(20.5));
    assert_eq!(run.event("charge", "python-declined")["event"], "bpmnError");
    assert_eq!(run.event("charge", "python-ok")["event"], "complete");
    assert_eq!(run.of("fulfil").len(), 3);
    assert_flaky_failures(&run);
    Ok(())
}
