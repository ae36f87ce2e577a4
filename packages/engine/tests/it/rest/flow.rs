//! Processes driven end to end over HTTP.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{Server, send};

/// The fields of Camunda's LockedExternalTaskDto, every one present (null when unknown).
const LOCKED_TASK_FIELDS: [&str; 21] = [
    "activityId",
    "activityInstanceId",
    "errorMessage",
    "errorDetails",
    "executionId",
    "id",
    "lockExpirationTime",
    "createTime",
    "processDefinitionId",
    "processDefinitionKey",
    "processDefinitionVersionTag",
    "processInstanceId",
    "tenantId",
    "retries",
    "suspended",
    "workerId",
    "priority",
    "topicName",
    "businessKey",
    "variables",
    "extensionProperties",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_list_start_with_typed_variables() -> anyhow::Result<()> {
    let s = Server::start().await?;
    let deployment = s.deploy(&["exclusive-gateway.bpmn"]).await?;
    assert_eq!(deployment["name"], "rest-test");
    let deployed = deployment["deployedProcessDefinitions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(deployed.len(), 1);
    let (definition_id, definition) = deployed
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap_or_default();
    assert!(definition_id.starts_with("exclusive:1:"), "{definition_id}");
    assert_eq!(definition["key"], "exclusive");
    assert_eq!(deployment["deployedDecisionDefinitions"], Value::Null);

    let (_, list) = send(s.get("/process-definition?key=exclusive&latestVersion=true")).await?;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], definition_id.as_str());
    assert_eq!(list[0]["version"], 1);
    let (_, count) = send(s.get("/process-definition/count")).await?;
    assert_eq!(count, json!({"count": 1}));
    let (_, xml) = send(s.get("/process-definition/key/exclusive/xml")).await?;
    assert_eq!(xml["id"], definition_id.as_str());
    assert!(
        xml["bpmn20Xml"]
            .as_str()
            .is_some_and(|x| x.contains("camunda:topic=\"check\""))
    );
    let (_, deployments) = send(s.get("/deployment")).await?;
    assert_eq!(deployments[0]["id"], deployment["id"]);

    // The JS client sends lowercase types; the Python client sends none.
    let id = s
        .start_instance(
            "exclusive",
            json!({"businessKey": "order-1", "variables": {
                "amount": {"value": 150, "type": "integer"},
                "customer": {"value": "ACME"},
                "due": {"value": "2026-03-01T10:00:00.000Z", "type": "date"},
                "extra": {"value": "{\"a\":1}", "type": "json", "valueInfo": null}
            }}),
        )
        .await?;
    let (_, vars) = send(s.get(&format!("/process-instance/{id}/variables"))).await?;
    assert_eq!(
        vars["amount"],
        json!({"type": "Integer", "value": 150, "valueInfo": {}})
    );
    assert_eq!(vars["customer"]["type"], "String");
    assert_eq!(
        vars["due"],
        json!({"type": "Date", "value": "2026-03-01T10:00:00.000+0000", "valueInfo": {}})
    );
    assert_eq!(vars["extra"]["type"], "Json");
    let (_, one) = send(s.get(&format!("/process-instance/{id}/variables/amount"))).await?;
    assert_eq!(one["value"], 150);

    let (_, instances) = send(s.get("/process-instance?businessKey=order-1")).await?;
    assert_eq!(instances.as_array().map(Vec::len), Some(1));
    assert_eq!(instances[0]["definitionId"], definition_id.as_str());
    assert_eq!(instances[0]["ended"], false);
    let (_, posted) = send(s.post("/process-instance", json!({"processDefinitionKey": "exclusive", "variables": [{"name": "amount", "operator": "gt", "value": 100}]}))).await?;
    assert_eq!(posted.as_array().map(Vec::len), Some(1));
    let (_, tree) = send(s.get(&format!("/process-instance/{id}/activity-instances"))).await?;
    assert_eq!(tree["id"], id.as_str());
    assert_eq!(tree["activityType"], "processDefinition");
    assert_eq!(tree["childActivityInstances"][0]["activityId"], "check");

    // Variables can be changed over REST.
    let put = send(
        s.http
            .put(format!(
                "{}/process-instance/{id}/variables/customer",
                s.base
            ))
            .json(&json!({"value": "Globex", "type": "String"})),
    )
    .await?;
    assert_eq!(put.0, StatusCode::NO_CONTENT);
    let patched = send(s.post(
        &format!("/process-instance/{id}/variables"),
        json!({"modifications": {"n": {"value": 1}}, "deletions": ["extra"]}),
    ))
    .await?;
    assert_eq!(patched.0, StatusCode::NO_CONTENT);
    let (_, vars) = send(s.get(&format!("/process-instance/{id}/variables"))).await?;
    assert_eq!(vars["customer"]["value"], "Globex");
    assert_eq!(vars["n"]["type"], "Integer");
    assert!(vars.get("extra").is_none());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_tasks_run_the_process_to_its_end() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["exclusive-gateway.bpmn"]).await?;
    let id = s.start_instance("exclusive", json!({"businessKey": "order-2", "variables": {"customer": {"value": "ACME", "type": "string"}}})).await?;

    let check = s.one("py-worker", "check").await?;
    for field in LOCKED_TASK_FIELDS {
        assert!(check.get(field).is_some(), "{field} missing in {check}");
    }
    assert_eq!(check["processInstanceId"], id.as_str());
    assert_eq!(check["businessKey"], "order-2");
    assert_eq!(check["workerId"], "py-worker");
    assert_eq!(check["retries"], Value::Null);
    assert_eq!(
        check["variables"]["customer"],
        json!({"type": "String", "value": "ACME", "valueInfo": {}})
    );
    assert!(
        check["lockExpirationTime"]
            .as_str()
            .is_some_and(|t| t.ends_with("+0000"))
    );
    let task_id = check["id"].as_str().unwrap_or_default().to_owned();

    // Completing as the Python client does: untyped values, 204 expected.
    let done = send(s.post(&format!("/external-task/{task_id}/complete"), json!({"workerId": "py-worker", "variables": {"amount": {"value": 150}}, "localVariables": {}}))).await?;
    assert_eq!(done.0, StatusCode::NO_CONTENT);
    let big = s.one("py-worker", "big").await?;
    assert_eq!(
        big["variables"]["amount"],
        json!({"type": "Integer", "value": 150, "valueInfo": {}})
    );
    let done = send(s.post(
        &format!(
            "/external-task/{}/complete",
            big["id"].as_str().unwrap_or_default()
        ),
        json!({"workerId": "py-worker"}),
    ))
    .await?;
    assert_eq!(done.0, StatusCode::NO_CONTENT);

    let (_, running) = send(s.get("/process-instance?businessKey=order-2")).await?;
    assert_eq!(running, json!([]), "ended instances leave the runtime view");
    let (_, history) =
        send(s.get("/history/process-instance?processInstanceBusinessKey=order-2&finished=true"))
            .await?;
    assert_eq!(history.as_array().map(Vec::len), Some(1));
    assert_eq!(history[0]["id"], id.as_str());
    assert_eq!(history[0]["state"], "COMPLETED");
    assert!(history[0]["durationInMillis"].is_number());
    assert!(history[0]["endTime"].is_string());
    let (_, one) = send(s.get(&format!("/history/process-instance/{id}"))).await?;
    assert_eq!(one["state"], "COMPLETED");
    let (_, activities) = send(s.get(&format!(
        "/history/activity-instance?processInstanceId={id}&sortBy=startTime&sortOrder=asc"
    )))
    .await?;
    let path: Vec<&str> = activities
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["activityId"].as_str())
        .collect();
    assert_eq!(path, ["start", "check", "gw", "big", "end"]);
    let (_, count) = send(s.get(&format!(
        "/history/activity-instance/count?processInstanceId={id}"
    )))
    .await?;
    assert_eq!(count["count"], 5);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_answers_when_a_task_appears() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["exclusive-gateway.bpmn"]).await?;
    let poll = {
        let (http, base) = (s.http.clone(), s.base.clone());
        tokio::spawn(async move {
            let body = json!({"workerId": "js", "maxTasks": 1, "asyncResponseTimeout": 20000,
                "topics": [{"topicName": "check", "lockDuration": 5000}]});
            send(
                http.post(format!("{base}/external-task/fetchAndLock"))
                    .json(&body),
            )
            .await
        })
    };
    // Let the poll reach the engine first; without long polling it would answer [] meanwhile.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = s.start_instance("exclusive", json!({})).await?;
    let (status, tasks) = poll.await??;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tasks.as_array().map(Vec::len), Some(1), "{tasks}");
    assert_eq!(tasks[0]["processInstanceId"], id.as_str());
    assert_eq!(tasks[0]["topicName"], "check");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_without_retries_is_an_incident() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["exclusive-gateway.bpmn"]).await?;
    let id = s.start_instance("exclusive", json!({})).await?;
    let task = s.one("w", "check").await?;
    let task_id = task["id"].as_str().unwrap_or_default().to_owned();
    let failed = send(s.post(&format!("/external-task/{task_id}/failure"), json!({"workerId": "w", "errorMessage": "supplier down", "errorDetails": "stack\ntrace", "retries": 0, "retryTimeout": 0}))).await?;
    assert_eq!(failed.0, StatusCode::NO_CONTENT);

    let (_, incidents) = send(s.get(&format!("/incident?processInstanceId={id}"))).await?;
    assert_eq!(incidents.as_array().map(Vec::len), Some(1), "{incidents}");
    assert_eq!(incidents[0]["incidentType"], "failedExternalTask");
    assert_eq!(incidents[0]["configuration"], task_id.as_str());
    assert_eq!(incidents[0]["incidentMessage"], "supplier down");
    assert_eq!(incidents[0]["activityId"], "check");
    let (_, count) = send(s.get("/incident/count?incidentType=failedExternalTask")).await?;
    assert_eq!(count["count"], 1);
    assert!(
        s.fetch("w", "check").await?.is_empty(),
        "a task without retries is not fetchable"
    );

    let (_, info) = send(s.get(&format!("/external-task/{task_id}"))).await?;
    assert_eq!(info["retries"], 0);
    assert_eq!(info["errorMessage"], "supplier down");
    let details = s
        .get(&format!("/external-task/{task_id}/errorDetails"))
        .send()
        .await?;
    assert_eq!(
        details.headers().get("content-type").map(|h| h.as_bytes()),
        Some(&b"text/plain"[..])
    );
    assert_eq!(details.text().await?, "stack\ntrace");
    let (_, withincident) = send(s.get("/process-instance?withIncident=true")).await?;
    assert_eq!(withincident.as_array().map(Vec::len), Some(1));

    // Raising the retries makes it fetchable again (and resolves the incident).
    let put = send(
        s.http
            .put(format!("{}/external-task/{task_id}/retries", s.base))
            .json(&json!({"retries": 2})),
    )
    .await?;
    assert_eq!(put.0, StatusCode::NO_CONTENT);
    let again = s.one("w", "check").await?;
    assert_eq!(again["retries"], 2);
    assert_eq!(again["errorMessage"], "supplier down");
    assert_eq!(again["errorDetails"], "stack\ntrace");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bpmn_error_is_caught_by_the_boundary() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["error-boundary.bpmn"]).await?;
    s.start_instance("errors", json!({})).await?;
    let task = s.one("w", "fetch").await?;
    let thrown = send(s.post(&format!("/external-task/{}/bpmnError", task["id"].as_str().unwrap_or_default()), json!({"workerId": "w", "errorCode": "NOT_FOUND", "errorMessage": "no feed", "variables": {"status": {"value": 404, "type": "integer"}}}))).await?;
    assert_eq!(thrown.0, StatusCode::NO_CONTENT);
    let notify = s.one("w", "notify").await?;
    assert_eq!(notify["variables"]["code"]["value"], "NOT_FOUND");
    assert_eq!(notify["variables"]["reason"]["value"], "no feed");
    assert_eq!(notify["variables"]["status"]["type"], "Integer");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_start_and_continue_instances() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["messages.bpmn"]).await?;
    let (status, started) = send(s.post("/message", json!({"messageName": "order-received", "businessKey": "m-1", "resultEnabled": true, "withoutTenantId": true, "processVariables": {"sku": {"value": "A-1"}}}))).await?;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started[0]["resultType"], "ProcessDefinition");
    assert_eq!(started[0]["processInstance"]["businessKey"], "m-1");
    let id = started[0]["processInstance"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let continued = send(s.post(
        "/message",
        json!({"messageName": "order-paid", "businessKey": "m-1"}),
    ))
    .await?;
    assert_eq!(continued.0, StatusCode::NO_CONTENT);
    let ship = s.one("w", "ship").await?;
    assert_eq!(ship["processInstanceId"], id.as_str());
    assert_eq!(ship["variables"]["sku"]["value"], "A-1");

    let nothing = send(s.post(
        "/message",
        json!({"messageName": "order-paid", "businessKey": "m-1"}),
    ))
    .await?;
    assert_eq!(
        nothing.0,
        StatusCode::BAD_REQUEST,
        "nothing waits for it any more"
    );
    Ok(())
}
