//! `/process-definition`: list, count, get by id or key, the XML, and starting instances.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{DefinitionInfo, DefinitionQuery, DefinitionRef, EngineError, StartRequest};

use super::error::RestError;
use super::instance::instance_json;
use super::json::{self, JsonBody, Reply};
use super::query::{IdPath, Params, PathParams};
use super::variables_dto::{VariablesDto, to_variables, variables_to_json};
use super::{AppState, Base};

const SORTS: &[&str] = &[
    "category",
    "key",
    "id",
    "name",
    "version",
    "deploymentId",
    "deployTime",
    "tenantId",
    "versionTag",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/process-definition", get(list))
        .route("/process-definition/count", get(count))
        .route("/process-definition/{id}", get(by_id))
        .route("/process-definition/{id}/xml", get(xml_by_id))
        .route("/process-definition/{id}/start", post(start_by_id))
        .route("/process-definition/key/{key}", get(by_key))
        .route("/process-definition/key/{key}/xml", get(xml_by_key))
        .route("/process-definition/key/{key}/start", post(start_by_key))
}

#[derive(Debug, Deserialize)]
struct KeyPath {
    key: String,
}

/// `ProcessDefinitionDto`.
pub(crate) fn definition_json(d: &DefinitionInfo) -> Value {
    json!({
        "id": d.id,
        "key": d.key,
        "category": Value::Null,
        "description": Value::Null,
        "name": d.name,
        "version": d.version,
        "resource": d.resource,
        "deploymentId": d.deployment_id,
        "diagram": Value::Null,
        "suspended": false,
        "tenantId": Value::Null,
        "versionTag": d.version_tag,
        "historyTimeToLive": Value::Null,
        "startableInTasklist": true,
    })
}

/// The query, or `None` when it can match nothing here (suspended definitions or tenants).
fn query(params: &Params, paged: bool) -> Result<Option<DefinitionQuery>, RestError> {
    let query = DefinitionQuery {
        id: params.str("processDefinitionId"),
        ids: params.list("processDefinitionIdIn"),
        key: params.str("key"),
        keys: params.list("keysIn"),
        key_like: params.str("keyLike"),
        name: params.str("name"),
        name_like: params.str("nameLike"),
        deployment_id: params.str("deploymentId"),
        version: params.num("version")?,
        latest_version: params.flag("latestVersion")?,
        resource_name: params.str("resourceName"),
        version_tag: params.str("versionTag"),
        page: if paged {
            params.page(SORTS)?
        } else {
            Default::default()
        },
    };
    let suspended_only = params.flag("suspended")? || params.bool("active")? == Some(false);
    let tenants_only = !params.list("tenantIdIn").is_empty()
        && !params.flag("includeProcessDefinitionsWithoutTenantId")?;
    Ok((!suspended_only && !tenants_only).then_some(query))
}

async fn list(State(state): State<AppState>, params: Params) -> Reply {
    let Some(query) = query(&params, true)? else {
        return Ok(json::ok(&json!([])));
    };
    let found = state.api.definitions(&query).await?;
    Ok(json::ok(
        &found.iter().map(definition_json).collect::<Vec<_>>(),
    ))
}

async fn count(State(state): State<AppState>, params: Params) -> Reply {
    let count = match query(&params, false)? {
        Some(query) => state.api.definitions(&query).await?.len(),
        None => 0,
    };
    Ok(json::ok(&json!({ "count": count })))
}

async fn by_id(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let d = state.api.definition(&DefinitionRef::Id(p.id)).await?;
    Ok(json::ok(&definition_json(&d)))
}

async fn by_key(State(state): State<AppState>, PathParams(p): PathParams<KeyPath>) -> Reply {
    let d = state.api.definition(&DefinitionRef::Key(p.key)).await?;
    Ok(json::ok(&definition_json(&d)))
}

async fn xml(state: &AppState, by: DefinitionRef) -> Reply {
    let (d, xml) = state.api.definition_xml(&by).await?;
    Ok(json::ok(&json!({ "id": d.id, "bpmn20Xml": xml })))
}

async fn xml_by_id(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    xml(&state, DefinitionRef::Id(p.id)).await
}

async fn xml_by_key(State(state): State<AppState>, PathParams(p): PathParams<KeyPath>) -> Reply {
    xml(&state, DefinitionRef::Key(p.key)).await
}

/// `StartProcessInstanceDto` (unknown fields ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartDto {
    #[serde(default)]
    variables: VariablesDto,
    #[serde(default)]
    business_key: Option<String>,
    #[serde(default)]
    with_variables_in_return: Option<bool>,
    #[serde(default)]
    start_instructions: Option<Vec<Value>>,
}

async fn start(state: &AppState, base: &Base, by: DefinitionRef, dto: StartDto) -> Reply {
    if dto
        .start_instructions
        .as_ref()
        .is_some_and(|s| !s.is_empty())
    {
        return Err(RestError::bad_request(
            "startInstructions are not supported by this engine; start at the start event",
        ));
    }
    let variables = to_variables(dto.variables)?;
    let request = StartRequest {
        business_key: dto.business_key.filter(|k| !k.is_empty()),
        variables: variables.clone(),
    };
    let instance = state.api.start(&by, request).await?;
    let mut body = instance_json(base, &instance);
    if dto.with_variables_in_return == Some(true) {
        // An instance that already ended has no runtime variables: the start's own are what
        // the caller sent.
        let current = match state.api.instance_variables(&instance.id).await {
            Ok(current) => current,
            Err(EngineError::NotFound(_)) => variables,
            Err(e) => return Err(e.into()),
        };
        if let Some(map) = body.as_object_mut() {
            map.insert("variables".into(), variables_to_json(&current));
        }
    }
    Ok(json::ok(&body))
}

async fn start_by_id(
    State(state): State<AppState>,
    base: Base,
    PathParams(p): PathParams<IdPath>,
    JsonBody(dto): JsonBody<StartDto>,
) -> Reply {
    start(&state, &base, DefinitionRef::Id(p.id), dto).await
}

async fn start_by_key(
    State(state): State<AppState>,
    base: Base,
    PathParams(p): PathParams<KeyPath>,
    JsonBody(dto): JsonBody<StartDto>,
) -> Reply {
    start(&state, &base, DefinitionRef::Key(p.key), dto).await
}
