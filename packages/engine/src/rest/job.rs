//! `/job`: list, count, get, and `PUT /job/{id}/retries` — the timers and the engine's deferred
//! work between instances; raising a failed job's retries resolves its `failedJob` incident.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use serde_json::{Value, json};

use crate::api::{JobInfo, JobQuery};
use crate::variables::format_date;

use super::AppState;
use super::error::RestError;
use super::json::{self, JsonBody, Reply};
use super::query::{IdPath, Params, PathParams, RetriesDto};

const SORTS: &[&str] = &[
    "jobId",
    "jobDueDate",
    "executionId",
    "processInstanceId",
    "jobRetries",
    "jobPriority",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/job", get(list))
        .route("/job/count", get(count))
        .route("/job/{id}", get(one))
        .route("/job/{id}/retries", put(set_retries))
}

/// `JobDto`.
fn job_json(j: &JobInfo) -> Value {
    let failed = j.exception_message.is_some();
    json!({
        "id": j.id,
        "jobDefinitionId": Value::Null,
        "dueDate": format_date(j.due_at),
        "processInstanceId": j.process_instance_id,
        "executionId": j.process_instance_id,
        "processDefinitionId": j.process_definition_id,
        "processDefinitionKey": Value::Null,
        "exceptionMessage": j.exception_message,
        "failedActivityId": if failed { json!(j.activity_id) } else { Value::Null },
        "retries": j.retries,
        "suspended": false,
        "priority": 0,
        "tenantId": Value::Null,
        "createTime": Value::Null,
    })
}

fn query(params: &Params, paged: bool) -> Result<JobQuery, RestError> {
    let with_retries_left = match (
        params.flag("withRetriesLeft")?,
        params.flag("noRetriesLeft")?,
    ) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    Ok(JobQuery {
        id: params.str("jobId"),
        process_instance_id: params.str("processInstanceId"),
        process_definition_id: params.str("processDefinitionId"),
        activity_id: params.str("activityId"),
        with_retries_left,
        page: if paged {
            params.page(SORTS)?
        } else {
            Default::default()
        },
    })
}

async fn list(State(state): State<AppState>, params: Params) -> Reply {
    let found = state.api.jobs(&query(&params, true)?).await?;
    Ok(json::ok(&found.iter().map(job_json).collect::<Vec<_>>()))
}

async fn count(State(state): State<AppState>, params: Params) -> Reply {
    let count = state.api.job_count(&query(&params, false)?).await?;
    Ok(json::ok(&json!({ "count": count })))
}

async fn one(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let query = JobQuery {
        id: Some(p.id.clone()),
        ..Default::default()
    };
    let found = state.api.jobs(&query).await?;
    let job = found
        .first()
        .ok_or_else(|| RestError::not_found(format!("Job with id {} does not exist", p.id)))?;
    Ok(json::ok(&job_json(job)))
}

async fn set_retries(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(dto): JsonBody<RetriesDto>,
) -> Reply {
    state.api.set_job_retries(&p.id, dto.retries()?).await?;
    Ok(json::no_content())
}
