//! External tasks through the client: the fetchAndLock body, long polling, and the report
//! bodies (complete, failure, bpmnError, extendLock, unlock).

use std::time::Duration;

use axum::http::Method;
use carpetti_camunda::dto::{ExternalTaskQuery, Failure, IncidentQuery};
use carpetti_camunda::{CamundaError, FetchAndLock, FetchTopic, VariableValue, Variables};
use serde_json::json;

use crate::support::{Loopback, TaskState, client};

fn fetch(worker: &str, topic: &str, wait_ms: Option<u64>) -> FetchAndLock {
    FetchAndLock {
        worker_id: worker.into(),
        max_tasks: 5,
        use_priority: Some(true),
        async_response_timeout: wait_ms,
        sorting: None,
        topics: vec![FetchTopic::new(topic, Duration::from_secs(10))],
    }
}

#[tokio::test]
async fn fetch_and_lock_sends_the_documented_body() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    let task_id = lb.add_task(
        "charge",
        json!({"amount": {"value": 42, "type": "Long", "valueInfo": {}}}),
    );
    let mut topic = FetchTopic::new("charge", Duration::from_secs(10));
    topic.variables = Some(vec!["amount".into()]);
    topic.local_variables = Some(false);
    topic.process_definition_key_in = Some(vec!["order".into()]);
    topic.include_extension_properties = Some(true);
    let request = FetchAndLock {
        topics: vec![topic],
        ..fetch("worker-1", "charge", Some(1000))
    };
    let tasks = c.fetch_and_lock(&request).await.expect("fetched");

    let sent = &lb.requests(Method::POST, "external-task/fetchAndLock")[0];
    assert_eq!(sent.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        sent.json(),
        json!({
            "workerId": "worker-1",
            "maxTasks": 5,
            "usePriority": true,
            "asyncResponseTimeout": 1000,
            "topics": [{
                "topicName": "charge",
                "lockDuration": 10000,
                "variables": ["amount"],
                "localVariables": false,
                "processDefinitionKeyIn": ["order"],
                "includeExtensionProperties": true,
            }],
        })
    );
    let task = &tasks[0];
    assert_eq!(
        (task.id.as_str(), task.topic_name.as_str()),
        (task_id.as_str(), "charge")
    );
    assert_eq!(task.worker_id.as_deref(), Some("worker-1"));
    assert_eq!(task.retries, None, "a fresh task has no retries yet");
    assert!(task.lock_expiration_time.is_some());
    assert_eq!(task.business_key.as_deref(), Some("bk-1"));
    let amount = task.variable("amount").expect("amount");
    assert_eq!(
        (amount.type_name(), amount.as_i64()),
        (Some("Long"), Some(42))
    );
}

#[tokio::test]
async fn a_long_poll_answers_when_a_task_arrives() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    assert!(
        c.fetch_and_lock(&fetch("w", "charge", Some(50)))
            .await
            .expect("empty")
            .is_empty()
    );

    let waiting = tokio::spawn({
        let c = c.clone();
        async move { c.fetch_and_lock(&fetch("w", "charge", Some(20_000))).await }
    });
    lb.wait_for("the second long poll", |lb| {
        lb.requests(Method::POST, "external-task/fetchAndLock")
            .len()
            == 2
    })
    .await;
    let id = lb.add_task("charge", json!({}));
    let tasks = waiting.await.expect("joined").expect("fetched");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].id, id);
}

#[tokio::test]
async fn reports_send_the_documented_bodies() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    let done = lb.add_task("t", json!({}));
    let failed = lb.add_task("t", json!({}));
    let thrown = lb.add_task("t", json!({}));
    let released = lb.add_task("t", json!({}));
    assert_eq!(
        c.fetch_and_lock(&fetch("w1", "t", None))
            .await
            .expect("fetched")
            .len(),
        4
    );
    assert_eq!(
        c.external_tasks_count(&ExternalTaskQuery::default())
            .await
            .expect("count"),
        4
    );
    assert_eq!(
        c.external_tasks(&ExternalTaskQuery::default())
            .await
            .expect("list")
            .len(),
        4
    );

    c.extend_lock(&done, "w1", 30_000).await.expect("extended");
    let vars = Variables::from([("ok".to_owned(), VariableValue::boolean(true))]);
    let local = Variables::from([("note".to_owned(), VariableValue::string("x"))]);
    c.complete(&done, "w1", &vars, &local)
        .await
        .expect("completed");
    c.failure(
        &failed,
        &Failure {
            worker_id: "w1".into(),
            error_message: "boom".into(),
            error_details: Some("trace".into()),
            retries: 0,
            retry_timeout: 1000,
            ..Failure::default()
        },
    )
    .await
    .expect("failed");
    c.bpmn_error(&thrown, "w1", "NO_STOCK", Some("out of stock"), &vars)
        .await
        .expect("thrown");
    c.unlock(&released).await.expect("unlocked");

    let body = |action: &str, id: &str| {
        lb.requests(Method::POST, &format!("external-task/{id}/{action}"))[0].json()
    };
    assert_eq!(
        body("extendLock", &done),
        json!({"workerId": "w1", "newDuration": 30000})
    );
    assert_eq!(
        body("complete", &done),
        json!({
            "workerId": "w1",
            "variables": {"ok": {"value": true, "type": "Boolean", "valueInfo": {}}},
            "localVariables": {"note": {"value": "x", "type": "String", "valueInfo": {}}},
        })
    );
    assert_eq!(
        body("failure", &failed),
        json!({"workerId": "w1", "errorMessage": "boom", "errorDetails": "trace", "retries": 0, "retryTimeout": 1000})
    );
    assert_eq!(
        body("bpmnError", &thrown),
        json!({
            "workerId": "w1", "errorCode": "NO_STOCK", "errorMessage": "out of stock",
            "variables": {"ok": {"value": true, "type": "Boolean", "valueInfo": {}}},
        })
    );
    let unlock = &lb.requests(Method::POST, &format!("external-task/{released}/unlock"))[0];
    assert!(
        unlock.body.is_empty() && unlock.content_type.is_none(),
        "unlock has no body"
    );

    assert_eq!(lb.task(&done).state, TaskState::Completed);
    assert_eq!(lb.task(&failed).state, TaskState::Incident);
    assert_eq!(
        lb.task(&thrown).state,
        TaskState::BpmnError("NO_STOCK".into())
    );
    assert_eq!(lb.task(&released).worker_id, None);

    let incidents = c
        .incidents(&IncidentQuery::default())
        .await
        .expect("incidents");
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].incident_type, "failedExternalTask");
    assert_eq!(incidents[0].configuration.as_deref(), Some(failed.as_str()));
    assert_eq!(incidents[0].incident_message.as_deref(), Some("boom"));

    // A report for a task that is gone, and one by a worker that does not hold the lock.
    let again = c
        .complete(&done, "w1", &vars, &local)
        .await
        .expect_err("gone");
    assert!(again.is_not_found());
    c.fetch_and_lock(&fetch("w1", "t", None))
        .await
        .expect("relocked");
    match c
        .complete(&released, "w2", &vars, &local)
        .await
        .expect_err("not ours")
    {
        CamundaError::Engine { status, kind, .. } => {
            assert_eq!((status, kind.as_str()), (400, "BadUserRequestException"));
        }
        other => panic!("unexpected {other:?}"),
    }
}
