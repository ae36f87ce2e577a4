//! The worker runtime against the loopback: outcomes, retries, lock extension, concurrency,
//! fetch errors and shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::Method;
use carpetti_camunda::dto::IncidentQuery;
use carpetti_camunda::worker::{Outcome, RetryPolicy, Worker, WorkerBuilder, handler_fn};
use carpetti_camunda::{VariableValue, Variables};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::support::{Loopback, TaskState, client};

fn builder(lb: &Loopback) -> WorkerBuilder {
    Worker::builder(client(lb))
        .worker_id("w-test")
        .async_response_timeout(Duration::from_secs(1))
        .lock_duration(Duration::from_secs(10))
        .fetch_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

/// Runs `worker`; the sender stops it.
fn spawn(worker: Worker) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    (stop, run)
}

async fn stop(worker: (oneshot::Sender<()>, JoinHandle<()>)) {
    let _ = worker.0.send(());
    worker.1.await.expect("worker ends");
}

fn bodies(lb: &Loopback, id: &str, action: &str) -> Vec<Value> {
    lb.requests(Method::POST, &format!("external-task/{id}/{action}"))
        .iter()
        .map(|r| r.json())
        .collect()
}

#[tokio::test]
async fn the_worker_completes_tasks_with_variables() {
    let lb = Loopback::start().await;
    let id = lb.add_task(
        "charge",
        json!({"amount": {"value": 42, "type": "Long", "valueInfo": {}}}),
    );
    let worker = builder(&lb)
        .subscribe(
            "charge",
            handler_fn(|task| async move {
                let amount = task
                    .variable("amount")
                    .and_then(|v| v.as_i64())
                    .unwrap_or(0);
                Outcome::Complete {
                    variables: Variables::from([(
                        "charged".to_owned(),
                        VariableValue::long(amount * 2),
                    )]),
                    local_variables: Variables::from([(
                        "by".to_owned(),
                        VariableValue::string("w-test"),
                    )]),
                }
            }),
        )
        .build()
        .expect("worker");
    assert_eq!(worker.topics()[0].lock_duration, 10_000);
    let running = spawn(worker);
    lb.wait_for("completion", |lb| {
        lb.task(&id).state == TaskState::Completed
    })
    .await;
    stop(running).await;

    assert_eq!(
        bodies(&lb, &id, "complete"),
        vec![json!({
            "workerId": "w-test",
            "variables": {"charged": {"value": 84, "type": "Long", "valueInfo": {}}},
            "localVariables": {"by": {"value": "w-test", "type": "String", "valueInfo": {}}},
        })]
    );
    let fetch = &lb.requests(Method::POST, "external-task/fetchAndLock")[0];
    assert_eq!(
        fetch.json(),
        json!({
            "workerId": "w-test", "maxTasks": 10, "usePriority": true, "asyncResponseTimeout": 1000,
            "topics": [{"topicName": "charge", "lockDuration": 10000}],
        })
    );
}

#[tokio::test]
async fn failures_count_retries_down_with_back_off_until_an_incident() {
    let lb = Loopback::start().await;
    let id = lb.add_task("flaky", json!({}));
    let worker = builder(&lb)
        .retry_policy(RetryPolicy {
            max_retries: 3,
            base_timeout: Duration::from_millis(20),
            max_timeout: Duration::from_secs(1),
        })
        .subscribe(
            "flaky",
            handler_fn(|_task| async {
                Outcome::fail_with_details("upstream down", "connect refused")
            }),
        )
        .build()
        .expect("worker");
    let running = spawn(worker);
    lb.wait_for("the incident", |lb| {
        lb.task(&id).state == TaskState::Incident
    })
    .await;
    stop(running).await;

    let failures = bodies(&lb, &id, "failure");
    let expected: Vec<Value> = [(2, 20), (1, 40), (0, 80)]
        .into_iter()
        .map(|(retries, timeout)| {
            json!({
                "workerId": "w-test", "errorMessage": "upstream down", "errorDetails": "connect refused",
                "retries": retries, "retryTimeout": timeout,
            })
        })
        .collect();
    assert_eq!(failures, expected);
    let incidents = client(&lb)
        .incidents(&IncidentQuery::default())
        .await
        .expect("incidents");
    assert_eq!(incidents[0].configuration.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn bpmn_errors_and_panics_are_reported() {
    let lb = Loopback::start().await;
    let thrown = lb.add_task("check", json!({}));
    let panicking = lb.add_task("explode", json!({}));
    let worker = builder(&lb)
        .retry_policy(RetryPolicy::none())
        .subscribe(
            "check",
            handler_fn(|_task| async { Outcome::bpmn_error("NO_STOCK", "sku A-1 is out") }),
        )
        .subscribe(
            "explode",
            handler_fn(|task| async move {
                assert!(task.id.is_empty(), "a handler bug");
                Outcome::complete()
            }),
        )
        .build()
        .expect("worker");
    let running = spawn(worker);
    lb.wait_for("both reports", |lb| {
        lb.task(&thrown).state != TaskState::Open && lb.task(&panicking).state != TaskState::Open
    })
    .await;
    stop(running).await;

    assert_eq!(
        bodies(&lb, &thrown, "bpmnError"),
        vec![
            json!({"workerId": "w-test", "errorCode": "NO_STOCK", "errorMessage": "sku A-1 is out", "variables": {}})
        ]
    );
    let failure = &bodies(&lb, &panicking, "failure")[0];
    assert_eq!(failure["errorMessage"], "external task handler panicked");
    assert_eq!(failure["retries"], 0);
    assert_eq!(lb.task(&panicking).state, TaskState::Incident);
}

#[tokio::test]
async fn a_slow_handler_gets_its_lock_extended() {
    let lb = Loopback::start().await;
    let id = lb.add_task("slow", json!({}));
    let watched = lb.clone();
    let worker = builder(&lb)
        .lock_duration(Duration::from_millis(400))
        .subscribe(
            "slow",
            handler_fn(move |task| {
                let lb = watched.clone();
                async move {
                    // Outlive the 400 ms lock: wait for two extensions (one per 200 ms).
                    lb.wait_for("two extensions", |lb| {
                        bodies(lb, &task.id, "extendLock").len() >= 2
                    })
                    .await;
                    Outcome::complete()
                }
            }),
        )
        .build()
        .expect("worker");
    let running = spawn(worker);
    lb.wait_for("completion", |lb| {
        lb.task(&id).state == TaskState::Completed
    })
    .await;
    stop(running).await;

    let extensions = bodies(&lb, &id, "extendLock");
    assert!(extensions.len() >= 2);
    assert!(
        extensions
            .iter()
            .all(|b| *b == json!({"workerId": "w-test", "newDuration": 400}))
    );
    assert_eq!(
        bodies(&lb, &id, "complete").len(),
        1,
        "completed under a held lock"
    );
}

#[tokio::test]
async fn at_most_max_tasks_run_at_once() {
    let lb = Loopback::start().await;
    let ids: Vec<String> = (0..5).map(|_| lb.add_task("batch", json!({}))).collect();
    let active = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (a, p) = (active.clone(), peak.clone());
    let worker = builder(&lb)
        .max_tasks(2)
        .subscribe(
            "batch",
            handler_fn(move |_task| {
                let (active, peak) = (a.clone(), p.clone());
                async move {
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    active.fetch_sub(1, Ordering::SeqCst);
                    Outcome::complete()
                }
            }),
        )
        .build()
        .expect("worker");
    let running = spawn(worker);
    lb.wait_for("all completed", |lb| {
        ids.iter()
            .all(|id| lb.task(id).state == TaskState::Completed)
    })
    .await;
    stop(running).await;
    assert!(peak.load(Ordering::SeqCst) <= 2);
    let fetches = lb.requests(Method::POST, "external-task/fetchAndLock");
    assert!(fetches.iter().all(|f| {
        f.json()["maxTasks"]
            .as_u64()
            .is_some_and(|n| (1..=2).contains(&n))
    }));
}

#[tokio::test]
async fn fetch_errors_back_off_and_the_worker_recovers() {
    let lb = Loopback::start().await;
    lb.fail(Method::POST, "external-task/fetchAndLock", 500, Some(4));
    let id = lb.add_task("t", json!({}));
    let worker = builder(&lb)
        .subscribe("t", handler_fn(|_task| async { Outcome::complete() }))
        .build()
        .expect("worker");
    let running = spawn(worker);
    lb.wait_for("completion after the faults", |lb| {
        lb.task(&id).state == TaskState::Completed
    })
    .await;
    stop(running).await;
    assert!(
        lb.requests(Method::POST, "external-task/fetchAndLock")
            .len()
            >= 5
    );
}

#[tokio::test]
async fn shutdown_waits_for_handlers_then_unlocks_the_rest() {
    let lb = Loopback::start().await;
    let finishing = lb.add_task("finish", json!({}));
    let stuck = lb.add_task("stuck", json!({}));
    let started = Arc::new(AtomicUsize::new(0));
    let (release, released) = tokio::sync::watch::channel(false);
    let (s1, s2) = (started.clone(), started.clone());
    let worker = builder(&lb)
        .shutdown_grace(Duration::from_millis(300))
        .subscribe(
            "finish",
            handler_fn(move |_task| {
                let mut released = released.clone();
                s1.fetch_add(1, Ordering::SeqCst);
                async move {
                    let _ = released.wait_for(|r| *r).await;
                    Outcome::complete()
                }
            }),
        )
        .subscribe(
            "stuck",
            handler_fn(move |_task| {
                s2.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<Outcome>()
            }),
        )
        .build()
        .expect("worker");
    let (stop_tx, run) = spawn(worker);
    lb.wait_for("both handlers running", |_| {
        started.load(Ordering::SeqCst) == 2
    })
    .await;
    let _ = stop_tx.send(());
    let _ = release.send(true);
    run.await.expect("worker ends");

    assert_eq!(
        lb.task(&finishing).state,
        TaskState::Completed,
        "finished within the grace"
    );
    let unlocks = lb.requests(Method::POST, &format!("external-task/{stuck}/unlock"));
    assert_eq!(unlocks.len(), 1);
    assert!(unlocks[0].body.is_empty(), "unlock has no body");
    assert!(
        bodies(&lb, &stuck, "complete").is_empty() && bodies(&lb, &stuck, "failure").is_empty()
    );
    assert_eq!(
        lb.task(&stuck).worker_id,
        None,
        "the stuck task was given back"
    );
}

#[tokio::test]
async fn bad_workers_are_refused() {
    {
        let lb = Loopback::start().await;
        let none = Worker::builder(client(&lb)).build().err();
        assert_eq!(
            none,
            Some(carpetti_camunda::worker::BuildError::NoSubscription)
        );
        let twice = Worker::builder(client(&lb))
            .subscribe("a", handler_fn(|_t| async { Outcome::complete() }))
            .subscribe("a", handler_fn(|_t| async { Outcome::complete() }))
            .build()
            .err();
        assert_eq!(
            twice,
            Some(carpetti_camunda::worker::BuildError::DuplicateTopic(
                "a".into()
            ))
        );
        let zero = builder(&lb)
            .max_tasks(0)
            .subscribe("a", handler_fn(|_t| async { Outcome::complete() }))
            .build()
            .err();
        assert_eq!(
            zero,
            Some(carpetti_camunda::worker::BuildError::ZeroMaxTasks)
        );
    }
}
