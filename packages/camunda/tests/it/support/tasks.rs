//! The loopback's `/external-task` endpoints: fetchAndLock with long polling, the reports, lists.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::loopback::{
    ExtTask, Req, Shared, TaskState, camunda_date, error, no_content, not_found, ok,
};

pub(super) async fn route(shared: &Shared, req: Req) -> Response {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    match (&req.method, segments.as_slice()) {
        (&Method::POST, ["external-task", "fetchAndLock"]) => fetch_and_lock(shared, &req).await,
        (&Method::GET, ["external-task"]) => {
            let tasks: Vec<Value> = shared.data().tasks.iter().map(task_dto).collect();
            ok(Value::Array(tasks))
        }
        (&Method::GET, ["external-task", "count"]) => {
            ok(json!({"count": shared.data().tasks.len()}))
        }
        (&Method::POST, ["external-task", id, action]) => report(shared, id, action, &req),
        _ => not_found("no such external-task endpoint"),
    }
}

/// Holds the request until a task is locked or `asyncResponseTimeout` has passed.
async fn fetch_and_lock(shared: &Shared, req: &Req) -> Response {
    if req.content_type.as_deref() != Some("application/json") {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "json expected",
        );
    }
    let body = req.json();
    let (Some(worker_id), Some(max_tasks)) = (body["workerId"].as_str(), body["maxTasks"].as_u64())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "workerId and maxTasks are required",
        );
    };
    let topics: Vec<(String, u64)> = body["topics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t["topicName"].as_str()?.to_owned(),
                t["lockDuration"].as_u64()?,
            ))
        })
        .collect();
    let wait = Duration::from_millis(body["asyncResponseTimeout"].as_u64().unwrap_or(0));
    let deadline = Instant::now() + wait;
    loop {
        let changed = shared.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let locked = lock_available(shared, worker_id, max_tasks, &topics);
        if !locked.is_empty() || Instant::now() >= deadline {
            return ok(Value::Array(locked));
        }
        // Retry timeouts and lock expiry pass without a notification: look again now and then.
        let step = deadline.min(Instant::now() + Duration::from_millis(20));
        tokio::select! {
            () = changed => {}
            () = tokio::time::sleep_until(step.into()) => {}
        }
    }
}

fn lock_available(
    shared: &Shared,
    worker_id: &str,
    max: u64,
    topics: &[(String, u64)],
) -> Vec<Value> {
    let now = Instant::now();
    let mut data = shared.data();
    let mut out = Vec::new();
    for task in data.tasks.iter_mut() {
        if out.len() as u64 >= max {
            break;
        }
        let Some((_, lock)) = topics.iter().find(|(name, _)| *name == task.topic) else {
            continue;
        };
        let free = task.locked_until.is_none_or(|until| until <= now);
        if task.state == TaskState::Open && task.available_at <= now && free {
            task.worker_id = Some(worker_id.to_owned());
            task.locked_until = Some(now + Duration::from_millis(*lock));
            let mut dto = task_dto(task);
            dto["lockExpirationTime"] = json!(camunda_date(
                chrono::Utc::now() + chrono::Duration::milliseconds(*lock as i64)
            ));
            dto["variables"] = task.variables.clone();
            dto["extensionProperties"] = json!({});
            out.push(dto);
        }
    }
    out
}

fn task_dto(task: &ExtTask) -> Value {
    json!({
        "id": task.id,
        "topicName": task.topic,
        "workerId": task.worker_id,
        "activityId": task.activity_id,
        "activityInstanceId": format!("{}:{}", task.activity_id, task.id),
        "executionId": task.process_instance_id,
        "processInstanceId": task.process_instance_id,
        "processDefinitionId": "order:1:0001",
        "processDefinitionKey": "order",
        "processDefinitionVersionTag": null,
        "businessKey": task.business_key,
        "tenantId": null,
        "lockExpirationTime": null,
        "createTime": "2024-05-01T10:00:00.000+0000",
        "retries": task.retries,
        "errorMessage": task.error_message,
        "errorDetails": null,
        "suspended": false,
        "priority": 0,
    })
}

/// complete, failure, bpmnError, extendLock, unlock: 204, or 404/400 as Camunda answers.
fn report(shared: &Shared, id: &str, action: &str, req: &Req) -> Response {
    let body = req.json();
    let now = Instant::now();
    let mut data = shared.data();
    let Some(task) = data
        .tasks
        .iter_mut()
        .find(|t| t.id == id && t.state == TaskState::Open)
    else {
        return not_found(&format!("External task with id {id} does not exist"));
    };
    if action == "unlock" {
        task.worker_id = None;
        task.locked_until = None;
        drop(data);
        shared.changed.notify_waiters();
        return no_content();
    }
    if req.content_type.as_deref() != Some("application/json") {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "json expected",
        );
    }
    let held = task.locked_until.is_some_and(|until| until > now);
    if !held || body["workerId"].as_str() != task.worker_id.as_deref() {
        return error(
            StatusCode::BAD_REQUEST,
            "BadUserRequestException",
            &format!(
                "External Task {id} cannot be reported by worker '{}'",
                body["workerId"]
            ),
        );
    }
    match action {
        "complete" => task.state = TaskState::Completed,
        "bpmnError" => {
            task.state = TaskState::BpmnError(body["errorCode"].as_str().unwrap_or("").to_owned());
        }
        "extendLock" => {
            let Some(ms) = body["newDuration"].as_u64() else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestException",
                    "newDuration",
                );
            };
            task.locked_until = Some(now + Duration::from_millis(ms));
        }
        "failure" => {
            let retries = body["retries"].as_i64().unwrap_or(0);
            task.retries = Some(retries);
            task.error_message = body["errorMessage"].as_str().map(str::to_owned);
            task.worker_id = None;
            task.locked_until = None;
            if retries <= 0 {
                task.state = TaskState::Incident;
            } else {
                let timeout = body["retryTimeout"].as_u64().unwrap_or(0);
                task.available_at = now + Duration::from_millis(timeout);
            }
        }
        _ => return not_found("no such external-task action"),
    }
    no_content()
}
