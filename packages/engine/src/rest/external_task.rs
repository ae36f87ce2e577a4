//! `/external-task`: complete, failure, bpmnError, extendLock, unlock, retries, error details,
//! get, list, count and topic names (fetchAndLock is in `fetch.rs`).

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ExternalTaskInfo, ExternalTaskQuery, Failure};
use crate::variables::format_date;

use super::AppState;
use super::error::RestError;
use super::json::{self, JsonBody, Reply};
use super::query::{IdPath, Params, PathParams, RetriesDto};
use super::variables_dto::{VariablesDto, to_variables};

const SORTS: &[&str] = &[
    "id",
    "lockExpirationTime",
    "processInstanceId",
    "processDefinitionId",
    "processDefinitionKey",
    "tenantId",
    "taskPriority",
    "createTime",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/external-task", get(list))
        .route("/external-task/count", get(count))
        .route("/external-task/topic-names", get(topic_names))
        .route(
            "/external-task/fetchAndLock",
            post(super::fetch::fetch_and_lock),
        )
        .route("/external-task/{id}", get(one))
        .route("/external-task/{id}/errorDetails", get(error_details))
        .route("/external-task/{id}/retries", put(set_retries))
        .route("/external-task/{id}/complete", post(complete))
        .route("/external-task/{id}/failure", post(failure))
        .route("/external-task/{id}/bpmnError", post(bpmn_error))
        .route("/external-task/{id}/extendLock", post(extend_lock))
        .route("/external-task/{id}/lock", post(lock))
        .route("/external-task/{id}/unlock", post(unlock))
}
/// `ExternalTaskDto`.
pub(crate) fn task_json(t: &ExternalTaskInfo) -> Value {
    json!({
        "activityId": t.activity_id,
        "activityInstanceId": t.activity_instance_id,
        "errorMessage": t.error_message,
        "executionId": t.execution_id,
        "id": t.id,
        "lockExpirationTime": t.lock_expires_at.map(format_date),
        "createTime": format_date(t.created_at),
        "processDefinitionId": t.process_definition_id,
        "processDefinitionKey": t.process_definition_key,
        "processDefinitionVersionTag": Value::Null,
        "processInstanceId": t.process_instance_id,
        "tenantId": Value::Null,
        "retries": t.retries,
        "suspended": false,
        "workerId": t.worker_id,
        "topicName": t.topic,
        "priority": t.priority,
        "businessKey": t.business_key,
    })
}
/// The body of complete / bpmnError / extendLock (and part of failure).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WorkerDto {
    #[serde(default)]
    worker_id: Option<String>,
    #[serde(default)]
    variables: VariablesDto,
    #[serde(default)]
    local_variables: VariablesDto,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    error_details: Option<String>,
    #[serde(default)]
    retries: Option<i64>,
    #[serde(default)]
    retry_timeout: Option<i64>,
    #[serde(default)]
    new_duration: Option<i64>,
    #[serde(default)]
    lock_duration: Option<i64>,
}

impl WorkerDto {
    fn worker(&mut self) -> Result<String, RestError> {
        self.worker_id
            .take()
            .filter(|w| !w.is_empty())
            .ok_or_else(|| RestError::bad_request("workerId is required"))
    }
}

async fn complete(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(mut dto): JsonBody<WorkerDto>,
) -> Reply {
    let worker = dto.worker()?;
    let variables = to_variables(dto.variables)?;
    let locals = to_variables(dto.local_variables)?;
    state
        .api
        .complete_external_task(&p.id, &worker, variables, locals)
        .await?;
    Ok(json::no_content())
}

async fn failure(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(mut dto): JsonBody<WorkerDto>,
) -> Reply {
    let worker_id = dto.worker()?;
    let retries = dto.retries.unwrap_or(0);
    let retries = i32::try_from(retries)
        .ok()
        .filter(|&r| r >= 0)
        .ok_or_else(|| {
            RestError::bad_request(format!("retries must be at least 0, not {retries}"))
        })?;
    let timeout = dto.retry_timeout.unwrap_or(0);
    let timeout = u64::try_from(timeout).map_err(|_| {
        RestError::bad_request(format!("retryTimeout must be at least 0, not {timeout}"))
    })?;
    let failure = Failure {
        worker_id,
        error_message: dto.error_message,
        error_details: dto.error_details,
        retries,
        retry_timeout: Duration::from_millis(timeout),
        variables: to_variables(dto.variables)?,
        local_variables: to_variables(dto.local_variables)?,
    };
    state.api.fail_external_task(&p.id, failure).await?;
    Ok(json::no_content())
}

async fn bpmn_error(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(mut dto): JsonBody<WorkerDto>,
) -> Reply {
    let worker = dto.worker()?;
    let code = dto
        .error_code
        .take()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| RestError::bad_request("errorCode is required"))?;
    let variables = to_variables(dto.variables)?;
    state
        .api
        .bpmn_error(&p.id, &worker, &code, dto.error_message, variables)
        .await?;
    Ok(json::no_content())
}

async fn extend_lock(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(mut dto): JsonBody<WorkerDto>,
) -> Reply {
    let worker = dto.worker()?;
    let duration = positive_ms(dto.new_duration, "newDuration")?;
    state.api.extend_lock(&p.id, &worker, duration).await?;
    Ok(json::no_content())
}

/// `POST /external-task/{id}/lock` `{workerId, lockDuration}` (Camunda 7.20+; the JS client's
/// `taskService.lock`).
async fn lock(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(mut dto): JsonBody<WorkerDto>,
) -> Reply {
    let worker = dto.worker()?;
    let duration = positive_ms(dto.lock_duration, "lockDuration")?;
    state
        .api
        .lock_external_task(&p.id, &worker, duration)
        .await?;
    Ok(json::no_content())
}

/// A duration in ms that must be given and positive.
fn positive_ms(value: Option<i64>, name: &str) -> Result<Duration, RestError> {
    let ms = value.ok_or_else(|| RestError::bad_request(format!("{name} is required")))?;
    u64::try_from(ms)
        .ok()
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
        .ok_or_else(|| RestError::bad_request(format!("{name} must be positive, not {ms}")))
}

/// No body needed (the JS client posts none).
async fn unlock(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    state.api.unlock(&p.id).await?;
    Ok(json::no_content())
}

async fn set_retries(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(dto): JsonBody<RetriesDto>,
) -> Reply {
    state
        .api
        .set_external_task_retries(&p.id, dto.retries()?)
        .await?;
    Ok(json::no_content())
}

async fn one(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let task = state.api.external_task(&p.id).await?;
    Ok(json::ok(&task_json(&task)))
}

/// `text/plain`; 204 when the task has no details.
async fn error_details(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    match state.api.external_task_error_details(&p.id).await? {
        None => Ok(json::no_content()),
        Some(details) => {
            let mut response = Response::new(Body::from(details));
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            Ok(response)
        }
    }
}

fn query(params: &Params, paged: bool) -> Result<ExternalTaskQuery, RestError> {
    let locked = match (params.flag("locked")?, params.flag("notLocked")?) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    };
    let with_retries_left = match (
        params.flag("withRetriesLeft")?,
        params.flag("noRetriesLeft")?,
    ) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    };
    Ok(ExternalTaskQuery {
        id: params.str("externalTaskId"),
        topic: params.str("topicName"),
        worker_id: params.str("workerId"),
        locked,
        with_retries_left,
        activity_id: params.str("activityId"),
        process_instance_id: params.str("processInstanceId"),
        definition_id: params.str("processDefinitionId"),
        page: if paged {
            params.page(SORTS)?
        } else {
            Default::default()
        },
    })
}

async fn list(State(state): State<AppState>, params: Params) -> Reply {
    let found = state.api.external_tasks(&query(&params, true)?).await?;
    Ok(json::ok(&found.iter().map(task_json).collect::<Vec<_>>()))
}

async fn count(State(state): State<AppState>, params: Params) -> Reply {
    let count = state
        .api
        .external_task_count(&query(&params, false)?)
        .await?;
    Ok(json::ok(&json!({ "count": count })))
}

async fn topic_names(State(state): State<AppState>) -> Reply {
    let names = state.api.topic_names().await?;
    Ok(json::ok(&names))
}
