//! `/history`: process instances (running and ended; note `processInstanceBusinessKey`) and
//! activity instances.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::api::{HistoricActivity, HistoricActivityQuery, InstanceInfo, InstanceQuery};
use crate::variables::{format_date, parse_date};

use super::AppState;
use super::error::RestError;
use super::json::{self, Reply};
use super::query::{IdPath, Params, PathParams};

const INSTANCE_SORTS: &[&str] = &[
    "instanceId",
    "definitionId",
    "definitionKey",
    "definitionName",
    "definitionVersion",
    "businessKey",
    "startTime",
    "endTime",
    "duration",
    "tenantId",
];

const ACTIVITY_SORTS: &[&str] = &[
    "activityInstanceId",
    "instanceId",
    "executionId",
    "activityId",
    "activityName",
    "activityType",
    "startTime",
    "endTime",
    "duration",
    "definitionId",
    "occurrence",
    "tenantId",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/history/process-instance", get(instances))
        .route("/history/process-instance/count", get(instance_count))
        .route("/history/process-instance/{id}", get(instance))
        .route("/history/activity-instance", get(activities))
        .route("/history/activity-instance/count", get(activity_count))
}

fn millis(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Option<i64> {
    end.map(|end| (end - start).num_milliseconds())
}

/// `HistoricProcessInstanceDto`. The root of a call hierarchy is only known one level up.
fn instance_json(i: &InstanceInfo) -> Value {
    json!({
        "id": i.id,
        "rootProcessInstanceId": i.super_instance_id.as_deref().unwrap_or(&i.id),
        "superProcessInstanceId": i.super_instance_id,
        "superCaseInstanceId": Value::Null,
        "caseInstanceId": Value::Null,
        "processDefinitionName": i.definition_name,
        "processDefinitionKey": i.definition_key,
        "processDefinitionVersion": i.definition_version,
        "processDefinitionId": i.definition_id,
        "businessKey": i.business_key,
        "startTime": format_date(i.started_at),
        "endTime": i.ended_at.map(format_date),
        "removalTime": Value::Null,
        "durationInMillis": millis(i.started_at, i.ended_at),
        "startUserId": Value::Null,
        "startActivityId": i.start_activity_id,
        "deleteReason": i.delete_reason,
        "tenantId": Value::Null,
        "state": i.state,
        "restartedProcessInstanceId": Value::Null,
    })
}

/// A date query parameter; a `+` offset that arrived unencoded reads as a space.
fn date(params: &Params, name: &str) -> Result<Option<DateTime<Utc>>, RestError> {
    params
        .str(name)
        .map(|v| {
            parse_date(&v.replace(' ', "+"))
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(|| {
                    RestError::bad_request(format!(
                        "Cannot set query parameter '{name}' to value '{v}': not a date (yyyy-MM-dd'T'HH:mm:ss.SSSZ)"
                    ))
                })
        })
        .transpose()
}

/// The engine query, the end states asked for (`completed`, `externallyTerminated`,
/// `internallyTerminated`; applied after the query), or `None` when nothing can match.
fn instance_query(
    params: &Params,
    paged: bool,
) -> Result<Option<(InstanceQuery, Vec<&'static str>)>, RestError> {
    let mut states = Vec::new();
    for (flag, state) in [
        ("completed", "COMPLETED"),
        ("externallyTerminated", "EXTERNALLY_TERMINATED"),
        ("internallyTerminated", "INTERNALLY_TERMINATED"),
    ] {
        if params.flag(flag)? {
            states.push(state);
        }
    }
    let finished = params.flag("finished")? || !states.is_empty();
    let unfinished = params.flag("unfinished")? || params.flag("active")?;
    if (finished && unfinished) || params.flag("suspended")? || states.len() > 1 {
        return Ok(None);
    }
    if !params.list("tenantIdIn").is_empty() {
        return Ok(None);
    }
    let mut ids = params.list("processInstanceIds");
    ids.extend(params.str("processInstanceId"));
    let query = InstanceQuery {
        ids,
        business_key: params.str("processInstanceBusinessKey"),
        business_key_like: params.str("processInstanceBusinessKeyLike"),
        definition_id: params.str("processDefinitionId"),
        definition_key: params.str("processDefinitionKey"),
        definition_keys: params.list("processDefinitionKeyIn"),
        super_instance_id: params.str("superProcessInstanceId"),
        with_incident: params.flag("withIncidents")?,
        activity_ids: params.list("activeActivityIdIn"),
        variables: params.variable_filters("variables")?,
        finished: match (finished, unfinished) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        started_after: date(params, "startedAfter")?,
        started_before: date(params, "startedBefore")?,
        page: if paged {
            let mut page = params.page(INSTANCE_SORTS)?;
            if !states.is_empty() {
                // Paging happens after the end-state filter.
                (page.first_result, page.max_results) = (None, None);
            }
            page
        } else {
            Default::default()
        },
    };
    Ok(Some((query, states)))
}

/// The instances of the query, with the end-state filter and then paging applied.
async fn find_instances(state: &AppState, params: &Params) -> Result<Vec<InstanceInfo>, RestError> {
    let Some((query, states)) = instance_query(params, true)? else {
        return Ok(Vec::new());
    };
    let found = state.api.instances(&query).await?;
    if states.is_empty() {
        return Ok(found);
    }
    let page = params.page(INSTANCE_SORTS)?;
    Ok(found
        .into_iter()
        .filter(|i| states.contains(&i.state.as_str()))
        .skip(page.first_result.unwrap_or(0) as usize)
        .take(page.max_results.map_or(usize::MAX, |m| m as usize))
        .collect())
}

async fn instances(State(state): State<AppState>, params: Params) -> Reply {
    let found = find_instances(&state, &params).await?;
    Ok(json::ok(
        &found.iter().map(instance_json).collect::<Vec<_>>(),
    ))
}

async fn instance_count(State(state): State<AppState>, params: Params) -> Reply {
    let count = match instance_query(&params, false)? {
        None => 0,
        Some((query, states)) if states.is_empty() => state.api.instance_count(&query).await?,
        Some((query, states)) => state
            .api
            .instances(&query)
            .await?
            .iter()
            .filter(|i| states.contains(&i.state.as_str()))
            .count() as u64,
    };
    Ok(json::ok(&json!({ "count": count })))
}

async fn instance(State(state): State<AppState>, PathParams(p): PathParams<IdPath>) -> Reply {
    let i = state.api.instance(&p.id).await?;
    Ok(json::ok(&instance_json(&i)))
}

/// `HistoricActivityInstanceDto`.
fn activity_json(a: &HistoricActivity) -> Value {
    json!({
        "id": a.id,
        "parentActivityInstanceId": a.parent_activity_instance_id,
        "activityId": a.activity_id,
        "activityName": a.activity_name,
        "activityType": a.activity_type,
        "processDefinitionKey": a.process_definition_key,
        "processDefinitionId": a.process_definition_id,
        "processInstanceId": a.process_instance_id,
        "executionId": a.execution_id,
        "taskId": a.task_id,
        "calledProcessInstanceId": a.called_process_instance_id,
        "calledCaseInstanceId": Value::Null,
        "assignee": Value::Null,
        "startTime": format_date(a.started_at),
        "endTime": a.ended_at.map(format_date),
        "durationInMillis": millis(a.started_at, a.ended_at),
        "canceled": a.canceled,
        "completeScope": false,
        "tenantId": Value::Null,
        "removalTime": Value::Null,
        "rootProcessInstanceId": a.process_instance_id,
    })
}

fn activity_query(params: &Params, paged: bool) -> Result<HistoricActivityQuery, RestError> {
    let finished = match (params.flag("finished")?, params.flag("unfinished")?) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    };
    Ok(HistoricActivityQuery {
        process_instance_id: params.str("processInstanceId"),
        activity_id: params.str("activityId"),
        activity_type: params.str("activityType"),
        finished,
        page: if paged {
            params.page(ACTIVITY_SORTS)?
        } else {
            Default::default()
        },
    })
}

async fn activities(State(state): State<AppState>, params: Params) -> Reply {
    let found = state
        .api
        .historic_activities(&activity_query(&params, true)?)
        .await?;
    Ok(json::ok(
        &found.iter().map(activity_json).collect::<Vec<_>>(),
    ))
}

async fn activity_count(State(state): State<AppState>, params: Params) -> Reply {
    let count = state
        .api
        .historic_activity_count(&activity_query(&params, false)?)
        .await?;
    Ok(json::ok(&json!({ "count": count })))
}
