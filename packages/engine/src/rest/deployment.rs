//! `/deployment`: create (multipart), list, count, get, delete.

use axum::Router;
use axum::extract::{Multipart, State};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use crate::api::{DeployRequest, DeploymentInfo, DeploymentQuery};
use crate::variables::format_date;

use super::definition::definition_json;
use super::error::RestError;
use super::json::{self, Reply};
use super::query::{IdPath, Params, PathParams};
use super::{AppState, Base};

const SORTS: &[&str] = &["id", "name", "deploymentTime", "tenantId"];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/deployment/create", post(create))
        .route("/deployment", get(list))
        .route("/deployment/count", get(count))
        .route("/deployment/{id}", get(one).delete(delete))
}

/// `DeploymentDto`.
fn deployment_json(base: &Base, d: &DeploymentInfo) -> Value {
    json!({
        "links": base.self_link(&format!("/deployment/{}", d.id)),
        "id": d.id,
        "name": d.name,
        "source": d.source,
        "deploymentTime": format_date(d.deployed_at),
        "tenantId": Value::Null,
    })
}

/// `DeploymentWithDefinitionsDto`: the deployment plus its definitions keyed by id (`null`
/// when none were deployed).
fn with_definitions_json(base: &Base, d: &DeploymentInfo) -> Value {
    let mut body = deployment_json(base, d);
    let definitions = if d.definitions.is_empty() {
        Value::Null
    } else {
        Value::Object(
            d.definitions
                .iter()
                .map(|def| (def.id.clone(), definition_json(def)))
                .collect::<Map<_, _>>(),
        )
    };
    if let Some(map) = body.as_object_mut() {
        map.insert("deployedProcessDefinitions".into(), definitions);
        for other in [
            "deployedCaseDefinitions",
            "deployedDecisionDefinitions",
            "deployedDecisionRequirementsDefinitions",
        ] {
            map.insert(other.into(), Value::Null);
        }
    }
    body
}

async fn create(
    State(state): State<AppState>,
    base: Base,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Reply {
    let mut multipart = multipart.map_err(|e| {
        RestError::bad_request(format!(
            "a deployment is a multipart/form-data request: {e}"
        ))
    })?;
    let mut request = DeployRequest::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| RestError::bad_request(format!("the multipart body is not valid: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let data = field
            .bytes()
            .await
            .map_err(|e| RestError::bad_request(format!("part '{name}' could not be read: {e}")))?;
        let text = || String::from_utf8_lossy(&data).trim().to_owned();
        match (name.as_str(), &file_name) {
            ("deployment-name", None) => request.name = Some(text()).filter(|t| !t.is_empty()),
            ("deployment-source", None) => request.source = Some(text()).filter(|t| !t.is_empty()),
            ("tenant-id", None) => request.tenant_id = Some(text()).filter(|t| !t.is_empty()),
            ("enable-duplicate-filtering", None) => {
                request.duplicate_filtering = bool_part(&name, &text())?
            }
            ("deploy-changed-only", None) => request.changed_only = bool_part(&name, &text())?,
            ("deployment-activation-time", None) => {}
            (_, Some(file)) => request.resources.push((file.clone(), data.to_vec())),
            (_, None) => request.resources.push((name, data.to_vec())),
        }
    }
    if request.changed_only {
        request.duplicate_filtering = true;
    }
    if request.resources.is_empty() {
        return Err(RestError::bad_request(
            "the deployment contains no resources",
        ));
    }
    let deployment = state.api.deploy(request).await?;
    Ok(json::ok(&with_definitions_json(&base, &deployment)))
}

fn bool_part(name: &str, text: &str) -> Result<bool, RestError> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        _ => Err(RestError::bad_request(format!(
            "part '{name}' must be true or false, not '{text}'"
        ))),
    }
}

fn query(params: &Params, paged: bool) -> Result<DeploymentQuery, RestError> {
    Ok(DeploymentQuery {
        id: params.str("id"),
        name: params.str("name"),
        name_like: params.str("nameLike"),
        source: params.str("source"),
        page: if paged {
            params.page(SORTS)?
        } else {
            Default::default()
        },
    })
}

async fn list(State(state): State<AppState>, base: Base, params: Params) -> Reply {
    let found = state.api.deployments(&query(&params, true)?).await?;
    let out: Vec<Value> = found.iter().map(|d| deployment_json(&base, d)).collect();
    Ok(json::ok(&out))
}

async fn count(State(state): State<AppState>, params: Params) -> Reply {
    let found = state.api.deployments(&query(&params, false)?).await?;
    Ok(json::ok(&json!({ "count": found.len() })))
}

async fn one(
    State(state): State<AppState>,
    base: Base,
    PathParams(p): PathParams<IdPath>,
) -> Reply {
    let d = state.api.deployment(&p.id).await?;
    Ok(json::ok(&deployment_json(&base, &d)))
}

async fn delete(
    State(state): State<AppState>,
    PathParams(p): PathParams<IdPath>,
    params: Params,
) -> Reply {
    let cascade = params.flag("cascade")?;
    state.api.delete_deployment(&p.id, cascade).await?;
    Ok(json::no_content())
}
