//! `/process-instance` (the runtime view: running instances only): query by GET or POST, count,
//! get, delete, the activity instance tree and the variables.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{EngineError, InstanceInfo, InstanceQuery, VariableFilter};
use crate::variables::Variables;

use super::error::RestError;
use super::json::{self, JsonBody, Reply};
use super::query::{IdPath, Params, PathParams, sorting};
use super::variables_dto::{
    VariableValueDto, VariablesDto, to_variables, typed_to_json, variables_to_json,
};
use super::{AppState, Base};

const SORTS: &[&str] = &[
    "instanceId",
    "definitionKey",
    "definitionId",
    "tenantId",
    "businessKey",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/process-instance", get(list).post(list_post))
        .route("/process-instance/count", get(count).post(count_post))
        .route("/process-instance/{id}", get(one).delete(delete))
        .route("/process-instance/{id}/activity-instances", get(tree))
        .route(
            "/process-instance/{id}/variables",
            get(variables).post(modify_variables),
        )
        .route(
            "/process-instance/{id}/variables/{name}",
            get(variable).put(put_variable).delete(delete_variable),
        )
}

#[derive(Debug, Deserialize)]
struct VariablePath {
    id: String,
    name: String,
}

/// `ProcessInstanceDto`.
pub(crate) fn instance_json(base: &Base, i: &InstanceInfo) -> Value {
    json!({
        "links": base.self_link(&format!("/process-instance/{}", i.id)),
        "id": i.id,
        "definitionId": i.definition_id,
        "definitionKey": i.definition_key,
        "businessKey": i.business_key,
        "caseInstanceId": Value::Null,
        "ended": i.ended_at.is_some(),
        "suspended": i.state == "SUSPENDED",
        "tenantId": Value::Null,
    })
}

/// The query from GET parameters; `None` when it can match nothing here (suspended instances,
/// tenants).
fn query_from_params(params: &Params, paged: bool) -> Result<Option<InstanceQuery>, RestError> {
    let query = InstanceQuery {
        ids: params.list("processInstanceIds"),
        business_key: params.str("businessKey"),
        business_key_like: params.str("businessKeyLike"),
        definition_id: params.str("processDefinitionId"),
        definition_key: params.str("processDefinitionKey"),
        definition_keys: params.list("processDefinitionKeyIn"),
        super_instance_id: params.str("superProcessInstance"),
        with_incident: params.flag("withIncident")?,
        activity_ids: params.list("activityIdIn"),
        variables: params.variable_filters("variables")?,
        finished: Some(false),
        page: if paged {
            params.page(SORTS)?
        } else {
            Default::default()
        },
        ..Default::default()
    };
    let none = params.flag("suspended")?
        || params.bool("active")? == Some(false)
        || !params.list("tenantIdIn").is_empty();
    Ok((!none).then_some(query))
}

/// `ProcessInstanceQueryDto` (POST); unknown fields ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryDto {
    #[serde(default)]
    process_instance_ids: Option<Vec<String>>,
    #[serde(default)]
    business_key: Option<String>,
    #[serde(default)]
    business_key_like: Option<String>,
    #[serde(default)]
    process_definition_id: Option<String>,
    #[serde(default)]
    process_definition_key: Option<String>,
    #[serde(default)]
    process_definition_key_in: Option<Vec<String>>,
    #[serde(default)]
    super_process_instance: Option<String>,
    #[serde(default)]
    with_incident: Option<bool>,
    #[serde(default)]
    activity_id_in: Option<Vec<String>>,
    #[serde(default)]
    variables: Option<Vec<VariableFilterDto>>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    suspended: Option<bool>,
    #[serde(default)]
    tenant_id_in: Option<Vec<String>>,
    #[serde(default)]
    sorting: Option<Vec<SortingDto>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariableFilterDto {
    name: String,
    operator: String,
    #[serde(default)]
    value: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SortingDto {
    #[serde(default)]
    pub sort_by: Option<String>,
    #[serde(default)]
    pub sort_order: Option<String>,
}

fn query_from_body(
    dto: QueryDto,
    params: &Params,
    paged: bool,
) -> Result<Option<InstanceQuery>, RestError> {
    let variables = dto
        .variables
        .unwrap_or_default()
        .into_iter()
        .map(|v| {
            if ["eq", "neq", "gt", "gteq", "lt", "lteq", "like"].contains(&v.operator.as_str()) {
                Ok(VariableFilter {
                    name: v.name,
                    op: v.operator,
                    value: v.value,
                })
            } else {
                Err(RestError::bad_request(format!(
                    "variable filter operator '{}' is not one of eq, neq, gt, gteq, lt, lteq, like",
                    v.operator
                )))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut page = params.page(SORTS)?;
    if let Some(first) = dto.sorting.and_then(|s| s.into_iter().next()) {
        page.sort = sorting(first.sort_by, first.sort_order, SORTS)?;
    }
    if !paged {
        page = Default::default();
    }
    let none = dto.suspended == Some(true)
        || dto.active == Some(false)
        || dto.tenant_id_in.as_ref().is_some_and(|t| !t.is_empty());
    Ok((!none).then(|| InstanceQuery {
        ids: dto.process_instance_ids.unwrap_or_default(),
        business_key: dto.business_key,
        business_key_like: dto.business_key_like,
        definition_id: dto.process_definition_id,
        definition_key: dto.process_definition_key,
        definition_keys: dto.process_definition_key_in.unwrap_or_default(),
        super_instance_id: dto.super_process_instance,
        with_incident: dto.with_incident == Some(true),
        activity_ids: dto.activity_id_in.unwrap_or_default(),
        variables,
        finished: Some(false),
        page,
        ..Default::default()
    }))
}

async fn respond_list(state: &AppState, base: &Base, query: Option<InstanceQuery>) -> Reply {
    let Some(query) = query else {
        return Ok(json::ok(&json!([])));
    };
    let found = state.api.instances(&query).await?;
    let out: Vec<Value> = found.iter().map(|i| instance_json(base, i)).collect();
    Ok(json::ok(&out))
}

async fn respond_count(state: &AppState, query: Option<InstanceQuery>) -> Reply {
    let count = match query {
        Some(query) => state.api.instance_count(&query).await?,
        None => 0,
    };
    Ok(json::ok(&json!({ "count": count })))
}

async fn list(State(state): State<AppState>, base: Base, params: Params) -> Reply {
    respond_list(&state, &base, query_from_params(&params, true)?).await
}

async fn list_post(
    State(state): State<AppState>,
    base: Base,
    params: Params,
    JsonBody(dto): JsonBody<QueryDto>,
) -> Reply {
    respond_list(&state, &base, query_from_body(dto, &params, true)?).await
}

async fn count(State(state): State<AppState>, params: Params) -> Reply {
    respond_count(&state, query_from_params(&params, false)?).await
}

async fn count_post(
    State(state): State<AppState>,
    params: Params,
    JsonBody(dto): JsonBody<QueryDto>,
) -> Reply {
    respond_count(&state, query_from_body(dto, &params, false)?).await
}

/// A running instance, or 404 as Camunda words it.
async fn running(state: &AppState, id: &str) -> Result<InstanceInfo, RestError> {
    let gone = || RestError::not_found(format!("Process instance with id {id} does not exist"));
    match state.api.instance(id).await {
        Ok(i) if i.ended_at.is_none() => Ok(i),
        Ok(_) | Err(EngineError::NotFound(_)) => Err(gone()),
        Err(e) => Err(e.into()),
    }
}

async fn one(
    State(state): State<AppState>,
    base: Base,
    PathParams(p): PathParams<IdPath>,
) -> Reply {
    let i = running(&state, &p.id).await?;
    Ok(json::ok(&instance_json(&base, &i)))
}

async fn delete(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    params: Params,
) -> Reply {
    let fail_if_missing = params.bool("failIfNotExists")?.unwrap_or(true);
    for flag in ["skipCustomListeners", "skipIoMappings", "skipSubprocesses"] {
        params.bool(flag)?;
    }
    match state
        .api
        .delete_instance(&p.id, params.str("deleteReason"))
        .await
    {
        Ok(()) => Ok(json::no_content()),
        Err(EngineError::NotFound(_)) if !fail_if_missing => Ok(json::no_content()),
        Err(e) => Err(e.into()),
    }
}

async fn tree(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let tree = state.api.activity_tree(&p.id).await?;
    Ok(json::ok(&tree))
}

async fn variables(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let vars = state.api.instance_variables(&p.id).await?;
    Ok(json::ok(&variables_to_json(&vars)))
}

async fn variable(State(state): State<AppState>, PathParams(p): PathParams<VariablePath>) -> Reply {
    let vars = state.api.instance_variables(&p.id).await?;
    let value = vars.get(&p.name).ok_or_else(|| {
        RestError::not_found(format!(
            "process instance variable with name {} does not exist",
            p.name
        ))
    })?;
    Ok(json::ok(&typed_to_json(value)))
}

async fn put_variable(
    State(state): State<AppState>,
    PathParams(p): PathParams<VariablePath>,
    JsonBody(dto): JsonBody<VariableValueDto>,
) -> Reply {
    let value = dto.into_typed(&p.name)?;
    let modifications: Variables = [(p.name, value)].into_iter().collect();
    state
        .api
        .modify_instance_variables(&p.id, modifications, Vec::new())
        .await?;
    Ok(json::no_content())
}

/// `PatchVariablesDto`.
#[derive(Debug, Default, Deserialize)]
struct PatchDto {
    #[serde(default)]
    modifications: VariablesDto,
    #[serde(default)]
    deletions: Option<Vec<String>>,
}

async fn modify_variables(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    JsonBody(dto): JsonBody<PatchDto>,
) -> Reply {
    let modifications = to_variables(dto.modifications)?;
    state
        .api
        .modify_instance_variables(&p.id, modifications, dto.deletions.unwrap_or_default())
        .await?;
    Ok(json::no_content())
}

async fn delete_variable(
    State(state): State<AppState>,
    PathParams(p): PathParams<VariablePath>,
) -> Reply {
    state
        .api
        .modify_instance_variables(&p.id, Variables::new(), vec![p.name])
        .await?;
    Ok(json::no_content())
}
