//! `/incident`: list, count, get.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};

use crate::api::{IncidentInfo, IncidentQuery};
use crate::variables::format_date;

use super::AppState;
use super::error::RestError;
use super::json::{self, Reply};
use super::query::{IdPath, Params, PathParams};

const SORTS: &[&str] = &[
    "incidentId",
    "incidentMessage",
    "incidentTimestamp",
    "incidentType",
    "executionId",
    "activityId",
    "causeIncidentId",
    "rootCauseIncidentId",
    "configuration",
    "tenantId",
    "processInstanceId",
    "processDefinitionId",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incident", get(list))
        .route("/incident/count", get(count))
        .route("/incident/{id}", get(one))
}

/// `IncidentDto`; every incident here is its own cause and root cause.
fn incident_json(i: &IncidentInfo) -> Value {
    json!({
        "id": i.id,
        "processDefinitionId": i.process_definition_id,
        "processInstanceId": i.process_instance_id,
        "executionId": i.execution_id,
        "incidentTimestamp": format_date(i.created_at),
        "incidentType": i.kind,
        "activityId": i.activity_id,
        "failedActivityId": i.activity_id,
        "causeIncidentId": i.id,
        "rootCauseIncidentId": i.id,
        "configuration": i.configuration,
        "tenantId": Value::Null,
        "incidentMessage": i.message,
        "jobDefinitionId": Value::Null,
        "annotation": Value::Null,
    })
}

fn query(params: &Params, paged: bool) -> Result<IncidentQuery, RestError> {
    Ok(IncidentQuery {
        id: params.str("incidentId"),
        kind: params.str("incidentType"),
        process_instance_id: params.str("processInstanceId"),
        definition_id: params.str("processDefinitionId"),
        activity_id: params.str("activityId"),
        configuration: params.str("configuration"),
        page: if paged {
            params.page(SORTS)?
        } else {
            Default::default()
        },
    })
}

async fn list(State(state): State<AppState>, params: Params) -> Reply {
    let found = state.api.incidents(&query(&params, true)?).await?;
    Ok(json::ok(
        &found.iter().map(incident_json).collect::<Vec<_>>(),
    ))
}

async fn count(State(state): State<AppState>, params: Params) -> Reply {
    let count = state.api.incident_count(&query(&params, false)?).await?;
    Ok(json::ok(&json!({ "count": count })))
}

async fn one(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let query = IncidentQuery {
        id: Some(p.id.clone()),
        ..Default::default()
    };
    let found = state.api.incidents(&query).await?;
    let incident = found
        .first()
        .ok_or_else(|| RestError::not_found(format!("Incident with id {} does not exist", p.id)))?;
    Ok(json::ok(&incident_json(incident)))
}
