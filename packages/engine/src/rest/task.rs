//! `/task` (user tasks as wait states): list, count, get, complete.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{UserTaskInfo, UserTaskQuery};
use crate::variables::format_date;

use super::AppState;
use super::error::RestError;
use super::json::{self, JsonBody, Reply};
use super::query::{IdPath, Params, PathParams};
use super::variables_dto::{VariablesDto, to_variables};

const SORTS: &[&str] = &[
    "instanceId",
    "executionId",
    "assignee",
    "created",
    "id",
    "name",
    "nameCaseInsensitive",
    "priority",
    "taskDefinitionKey",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/task", get(list))
        .route("/task/count", get(count))
        .route("/task/{id}", get(one))
        .route("/task/{id}/complete", post(complete))
}

/// `TaskDto`.
fn task_json(t: &UserTaskInfo) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "assignee": t.assignee,
        "owner": Value::Null,
        "created": format_date(t.created_at),
        "lastUpdated": Value::Null,
        "due": Value::Null,
        "followUp": Value::Null,
        "delegationState": Value::Null,
        "description": Value::Null,
        "executionId": t.execution_id,
        "parentTaskId": Value::Null,
        "priority": 50,
        "processDefinitionId": t.process_definition_id,
        "processInstanceId": t.process_instance_id,
        "caseExecutionId": Value::Null,
        "caseDefinitionId": Value::Null,
        "caseInstanceId": Value::Null,
        "taskDefinitionKey": t.activity_id,
        "suspended": false,
        "formKey": t.form_key,
        "camundaFormRef": Value::Null,
        "tenantId": Value::Null,
    })
}

fn query(params: &Params, paged: bool) -> Result<UserTaskQuery, RestError> {
    Ok(UserTaskQuery {
        id: params.str("taskId"),
        process_instance_id: params.str("processInstanceId"),
        activity_id: params.str("taskDefinitionKey"),
        assignee: params.str("assignee"),
        candidate_group: params.str("candidateGroup"),
        business_key: params.str("processInstanceBusinessKey"),
        page: if paged {
            params.page(SORTS)?
        } else {
            Default::default()
        },
    })
}

async fn list(State(state): State<AppState>, params: Params) -> Reply {
    let found = state.api.user_tasks(&query(&params, true)?).await?;
    Ok(json::ok(&found.iter().map(task_json).collect::<Vec<_>>()))
}

async fn count(State(state): State<AppState>, params: Params) -> Reply {
    let count = state.api.user_task_count(&query(&params, false)?).await?;
    Ok(json::ok(&json!({ "count": count })))
}

async fn one(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let query = UserTaskQuery {
        id: Some(p.id.clone()),
        ..Default::default()
    };
    let found = state.api.user_tasks(&query).await?;
    let task = found
        .first()
        .ok_or_else(|| RestError::not_found(format!("No matching task with id {}", p.id)))?;
    Ok(json::ok(&task_json(task)))
}

#[derive(Debug, Default, Deserialize)]
struct CompleteDto {
    #[serde(default)]
    variables: VariablesDto,
}

async fn complete(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(dto): JsonBody<CompleteDto>,
) -> Reply {
    let variables = to_variables(dto.variables)?;
    state.api.complete_user_task(&p.id, variables).await?;
    Ok(json::no_content())
}
