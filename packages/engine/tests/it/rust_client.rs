//! carpetti-camunda against the real engine: the client deploys and starts the scenario of
//! testdata/bpmn/official-clients.bpmn, and its `worker::Worker` serves it exactly as the
//! official JS and Python clients do in `official_clients` — typed variables on complete, a
//! failure counted down to an incident, a BPMN error caught by the boundary event.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use carpetti_camunda::dto::IncidentQuery;
use carpetti_camunda::worker::{Outcome, RetryPolicy, Worker, handler_fn};
use carpetti_camunda::{
    CamundaClient, ClientConfig, Deployment, LockedExternalTask, StartRequest, VariableValue,
    Variables,
};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::official_clients::scenario::{
    EngineServer, FLAKY_MESSAGE, Instances, LABEL, MODEL, PROCESS_KEY, parcel,
};
use crate::official_clients::{assert_definition, assert_seen};

/// What the handlers saw: (topic, business key, the task's variables as `{name: {type, value}}`).
type Seen = Arc<Mutex<Vec<(String, String, Value)>>>;

fn role(task: &LockedExternalTask) -> String {
    let key = task.business_key.clone().unwrap_or_default();
    key.strip_prefix("rust-").unwrap_or(&key).to_owned()
}

fn record(seen: &Seen, task: &LockedExternalTask) {
    let vars: serde_json::Map<String, Value> = task
        .variables
        .iter()
        .map(|(name, v)| {
            (
                name.clone(),
                json!({"type": v.type_name(), "value": v.value}),
            )
        })
        .collect();
    if let Ok(mut seen) = seen.lock() {
        seen.push((
            task.topic_name.clone(),
            task.business_key.clone().unwrap_or_default(),
            Value::Object(vars),
        ));
    }
}

fn fulfil_variables(role: &str) -> Variables {
    let shipped = Utc
        .with_ymd_and_hms(2026, 3, 1, 10, 15, 30)
        .single()
        .map(|t| t + chrono::Duration::milliseconds(250))
        .unwrap_or_default();
    let total = match role {
        "ok" => 150.0,
        "flaky" => 42.25,
        _ => 20.5,
    };
    Variables::from([
        ("carrier".to_owned(), VariableValue::string("DHL Express")),
        ("items".to_owned(), VariableValue::integer(3)),
        ("trackingId".to_owned(), VariableValue::long(12_345_678_901)),
        ("total".to_owned(), VariableValue::double(total)),
        (
            "giftWrap".to_owned(),
            VariableValue::boolean(role == "flaky"),
        ),
        ("shippedAt".to_owned(), VariableValue::date(&shipped)),
        ("parcel".to_owned(), VariableValue::json(&parcel())),
        ("label".to_owned(), label()),
    ])
}

/// A File variable: base64 content, its name and type in valueInfo.
fn label() -> VariableValue {
    VariableValue {
        value: Value::String(base64::engine::general_purpose::STANDARD.encode(LABEL)),
        type_: Some("File".to_owned()),
        value_info: json!({"filename": "label.txt", "mimetype": "text/plain", "encoding": "utf-8"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    }
}

fn worker(client: CamundaClient, seen: &Seen) -> anyhow::Result<Worker> {
    let (notify_seen, refund_seen) = (seen.clone(), seen.clone());
    let quick = RetryPolicy {
        max_retries: 3,
        base_timeout: Duration::from_millis(100),
        max_timeout: Duration::from_millis(100),
    };
    Ok(Worker::builder(client)
        .worker_id("rust-worker")
        .max_tasks(4)
        .async_response_timeout(Duration::from_secs(5))
        .lock_duration(Duration::from_secs(20))
        .subscribe(
            "fulfil",
            handler_fn(
                |task| async move { Outcome::complete_with(fulfil_variables(&role(&task))) },
            ),
        )
        .subscribe(
            "notify",
            handler_fn(move |task| {
                record(&notify_seen, &task);
                async move {
                    Outcome::complete_with(Variables::from([(
                        "notifiedVia".to_owned(),
                        VariableValue::string("email"),
                    )]))
                }
            }),
        )
        .subscribe(
            "charge",
            handler_fn(|task| async move {
                if role(&task) == "declined" {
                    Outcome::BpmnError {
                        code: "CARD_DECLINED".into(),
                        message: Some("Card declined by issuer".into()),
                        variables: Variables::from([(
                            "declineReason".to_owned(),
                            VariableValue::string("insufficient_funds"),
                        )]),
                    }
                } else {
                    Outcome::complete_with(Variables::from([(
                        "paid".to_owned(),
                        VariableValue::boolean(true),
                    )]))
                }
            }),
        )
        .subscribe(
            "refund",
            handler_fn(move |task| {
                record(&refund_seen, &task);
                async move {
                    Outcome::complete_with(Variables::from([(
                        "refunded".to_owned(),
                        VariableValue::boolean(true),
                    )]))
                }
            }),
        )
        .subscribe(
            "flaky",
            handler_fn(move |_task| async move {
                Outcome::Fail {
                    message: FLAKY_MESSAGE.to_owned(),
                    details: Some("connection refused\nat wrap (rust_client.rs)".to_owned()),
                    retry: Some(quick),
                }
            }),
        )
        .build()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_worker_runs_the_scenario() -> anyhow::Result<()> {
    let server = EngineServer::start().await?;
    let client = CamundaClient::new(ClientConfig::new(&server.base)?)?;

    let deployed = client
        .deploy(&Deployment::single(
            "official-clients",
            MODEL,
            crate::support::model(MODEL),
        ))
        .await?;
    let definition = deployed
        .deployed_process_definitions
        .keys()
        .next()
        .cloned()
        .unwrap_or_default();
    assert_definition(&definition);
    let mut ids = Vec::new();
    for role in ["ok", "declined", "flaky"] {
        let started = client
            .start_process_by_key(
                PROCESS_KEY,
                &StartRequest {
                    variables: Variables::from([(
                        "customer".to_owned(),
                        VariableValue::string("ACME"),
                    )]),
                    ..StartRequest::default()
                }
                .with_business_key(&format!("rust-{role}")),
            )
            .await?;
        ids.push(started.instance.id);
    }
    let instances = Instances {
        ok: ids[0].clone(),
        declined: ids[1].clone(),
        flaky: ids[2].clone(),
    };

    let seen: Seen = Arc::default();
    let stop = CancellationToken::new();
    let running = tokio::spawn(worker(client.clone(), &seen)?.run({
        let stop = stop.clone();
        async move { stop.cancelled().await }
    }));
    let settled = server
        .wait_until_settled(&instances, Duration::from_secs(60))
        .await;
    stop.cancel();
    running.await?;
    settled?;
    server.assert_scenario("rust", &instances).await?;

    // The client reads the incident back.
    let incidents = client
        .incidents(&IncidentQuery {
            process_instance_id: Some(instances.flaky.clone()),
            ..IncidentQuery::default()
        })
        .await?;
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    assert_eq!(incidents[0].incident_type, "failedExternalTask");
    assert_eq!(
        incidents[0].incident_message.as_deref(),
        Some(FLAKY_MESSAGE)
    );

    // What the handlers were given: the engine's canonical type names.
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let of = |topic: &str, key: &str| -> Value {
        let found: Vec<&Value> = seen
            .iter()
            .filter(|(t, k, _)| t == topic && k == key)
            .map(|(_, _, v)| v)
            .collect();
        assert_eq!(found.len(), 1, "{topic} of {key}: {seen:?}");
        found[0].clone()
    };
    let notify = of("notify", "rust-ok");
    assert_seen(&notify, "customer", "String", json!("ACME"));
    assert_seen(&notify, "items", "Integer", json!(3));
    assert_seen(&notify, "trackingId", "Long", json!(12_345_678_901_i64));
    assert_seen(&notify, "total", "Double", json!(150.0));
    assert_seen(&notify, "giftWrap", "Boolean", json!(false));
    assert_seen(
        &notify,
        "shippedAt",
        "Date",
        json!("2026-03-01T10:15:30.250+0000"),
    );
    assert_eq!(notify["parcel"]["type"], "Json");
    let refund = of("refund", "rust-declined");
    assert_seen(&refund, "errorCode", "String", json!("CARD_DECLINED"));
    assert_seen(
        &refund,
        "errorMessage",
        "String",
        json!("Card declined by issuer"),
    );
    assert_seen(
        &refund,
        "declineReason",
        "String",
        json!("insufficient_funds"),
    );
    Ok(())
}
