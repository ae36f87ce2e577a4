//! The loopback's other endpoints: engine list, deployment, definitions, starts, instances and
//! their activity tree and variables, messages, user tasks, incidents and history.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::loopback::{Req, Shared, TaskState, camunda_date, error, no_content, not_found, ok};
use super::multipart;

pub(super) fn route(shared: &Shared, req: Req) -> Response {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    match (&req.method, segments.as_slice()) {
        (&Method::GET, ["engine"]) => ok(json!([{"name": "default"}])),
        (&Method::POST, ["deployment", "create"]) => deploy(shared, &req),
        (&Method::GET, ["process-definition"]) => ok(Value::Array(
            shared.data().definitions.iter().map(public).collect(),
        )),
        (&Method::GET, ["process-definition", "key", key]) => definition(shared, "key", key)
            .map_or_else(
                || not_found(&format!("No matching definition with key {key}")),
                |d| ok(public(&d)),
            ),
        (&Method::GET, ["process-definition", id]) => definition(shared, "id", id).map_or_else(
            || not_found(&format!("No matching definition with id {id}")),
            |d| ok(public(&d)),
        ),
        (&Method::GET, ["process-definition", id, "xml"]) => match definition(shared, "id", id) {
            Some(d) => ok(json!({"id": d["id"], "bpmn20Xml": d["_xml"]})),
            None => error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestException",
                "no such definition",
            ),
        },
        (&Method::POST, ["process-definition", "key", key, "start"]) => start(shared, key, &req),
        (&Method::GET, ["process-instance"]) => ok(Value::Array(
            running(shared).iter().map(instance_dto).collect(),
        )),
        (&Method::GET, ["process-instance", "count"]) => {
            ok(json!({"count": running(shared).len()}))
        }
        (&Method::GET, ["process-instance", id, rest @ ..]) => match instance(shared, id) {
            None => not_found(&format!("Process instance with id {id} does not exist")),
            Some(pi) => match rest {
                [] => ok(instance_dto(&pi)),
                ["activity-instances"] => ok(activity_tree(shared, &pi)),
                ["variables"] => ok(pi["variables"].clone()),
                _ => not_found("no such endpoint"),
            },
        },
        (&Method::DELETE, ["process-instance", id]) => {
            let mut data = shared.data();
            let found = data
                .instances
                .iter_mut()
                .find(|pi| pi["id"] == *id && pi["deleted"] == false);
            match found {
                Some(pi) => {
                    pi["deleted"] = json!(true);
                    no_content()
                }
                None => not_found(&format!("Process instance with id {id} does not exist")),
            }
        }
        (&Method::POST, ["message"]) => correlate(shared, &req),
        (&Method::GET, ["task"]) => ok(json!([{
            "id": "ut-1", "name": "Approve", "assignee": null, "created": "2024-05-01T10:00:00.000+0000",
            "due": null, "priority": 50, "processInstanceId": "pi-1", "taskDefinitionKey": "approve",
            "suspended": false, "formKey": null, "tenantId": null, "unknownField": {"x": 1}
        }])),
        (&Method::POST, ["task", "ut-1", "complete"]) => no_content(),
        (&Method::GET, ["incident"]) => ok(Value::Array(
            shared
                .data()
                .tasks
                .iter()
                .filter(|t| t.state == TaskState::Incident)
                .map(|t| {
                    json!({
                        "id": format!("inc-{}", t.id), "incidentType": "failedExternalTask",
                        "configuration": t.id, "incidentMessage": t.error_message,
                        "processInstanceId": t.process_instance_id, "activityId": t.activity_id,
                        "incidentTimestamp": "2024-05-01T10:00:00.000+0000",
                    })
                })
                .collect(),
        )),
        (&Method::GET, ["history", "process-instance"]) => ok(Value::Array(
            shared.data().instances.iter().map(history_dto).collect(),
        )),
        (&Method::GET, ["history", "activity-instance"]) => ok(json!([{
            "id": "start:1", "activityId": "start", "activityType": "startEvent",
            "processInstanceId": "pi-1", "startTime": "2024-05-01T10:00:00.000+0000",
            "endTime": "2024-05-01T10:00:00.010+0000", "durationInMillis": 10,
            "canceled": false, "completeScope": false,
        }])),
        _ => not_found("no such endpoint"),
    }
}

fn deploy(shared: &Shared, req: &Req) -> Response {
    let parts = match multipart::parse(req.content_type.as_deref().unwrap_or(""), &req.body) {
        Ok(parts) => parts,
        Err(why) => return error(StatusCode::BAD_REQUEST, "InvalidRequestException", &why),
    };
    let text = |name: &str| parts.iter().find(|p| p.name == name).map(|p| p.text());
    let deployment_id = uuid::Uuid::now_v7().to_string();
    let mut deployed = serde_json::Map::new();
    for resource in parts.iter().filter(|p| p.file_name.is_some()) {
        let file = resource.file_name.clone().unwrap_or_default();
        let key = file.split('.').next().unwrap_or_default().to_owned();
        let mut data = shared.data();
        let version = 1 + data
            .definitions
            .iter()
            .filter(|d| d["key"] == key.as_str())
            .count();
        let id = format!("{key}:{version}:{}", uuid::Uuid::now_v7());
        let definition = json!({
            "id": id, "key": key, "category": "http://bpmn.io/schema/bpmn", "description": null,
            "name": key, "version": version, "resource": file, "deploymentId": deployment_id,
            "diagram": null, "suspended": false, "tenantId": null, "versionTag": null,
            "historyTimeToLive": null, "startableInTasklist": true, "_xml": resource.text(),
        });
        data.definitions.push(definition.clone());
        deployed.insert(id, public(&definition));
    }
    ok(json!({
        "links": [{"method": "GET", "href": format!("http://localhost/engine-rest/deployment/{deployment_id}"), "rel": "self"}],
        "id": deployment_id,
        "name": text("deployment-name"),
        "source": text("deployment-source"),
        "deploymentTime": camunda_date(chrono::Utc::now()),
        "tenantId": null,
        "deployedProcessDefinitions": deployed,
        "deployedCaseDefinitions": null,
        "deployedDecisionDefinitions": null,
        "deployedDecisionRequirementsDefinitions": null,
    }))
}

/// A stored definition without the loopback's own `_xml` field.
fn public(definition: &Value) -> Value {
    let mut out = definition.clone();
    if let Some(map) = out.as_object_mut() {
        map.remove("_xml");
    }
    out
}

fn definition(shared: &Shared, field: &str, value: &str) -> Option<Value> {
    let data = shared.data();
    data.definitions
        .iter()
        .filter(|d| d[field] == value)
        .max_by_key(|d| d["version"].as_u64())
        .cloned()
}

fn start(shared: &Shared, key: &str, req: &Req) -> Response {
    let body = req.json();
    let variables = body.get("variables").cloned().unwrap_or(json!({}));
    if let Some(bad) = variables
        .as_object()
        .into_iter()
        .flatten()
        .find(|(_, v)| v["type"] == "Integer" && !v["value"].is_i64())
    {
        let message = format!(
            "Cannot instantiate process definition: variable {} is not an Integer",
            bad.0
        );
        return error(StatusCode::BAD_REQUEST, "InvalidRequestException", &message);
    }
    let pi = json!({
        "id": uuid::Uuid::now_v7().to_string(), "definitionKey": key,
        "businessKey": body.get("businessKey").cloned().unwrap_or(Value::Null),
        "variables": variables, "deleted": false,
    });
    shared.data().instances.push(pi.clone());
    let mut dto = instance_dto(&pi);
    if body["withVariablesInReturn"] == true {
        dto["variables"] = pi["variables"].clone();
    }
    ok(dto)
}

fn running(shared: &Shared) -> Vec<Value> {
    let data = shared.data();
    data.instances
        .iter()
        .filter(|pi| pi["deleted"] == false)
        .cloned()
        .collect()
}

fn instance(shared: &Shared, id: &str) -> Option<Value> {
    running(shared).into_iter().find(|pi| pi["id"] == id)
}

fn instance_dto(pi: &Value) -> Value {
    json!({
        "links": [{"method": "GET", "href": format!("http://localhost/engine-rest/process-instance/{}", pi["id"].as_str().unwrap_or("")), "rel": "self"}],
        "id": pi["id"], "definitionId": format!("{}:1:0001", pi["definitionKey"].as_str().unwrap_or("")),
        "definitionKey": pi["definitionKey"], "businessKey": pi["businessKey"],
        "caseInstanceId": null, "ended": false, "suspended": false, "tenantId": null,
    })
}

fn history_dto(pi: &Value) -> Value {
    let deleted = pi["deleted"] == true;
    json!({
        "id": pi["id"], "businessKey": pi["businessKey"], "processDefinitionKey": pi["definitionKey"],
        "startTime": "2024-05-01T10:00:00.000+0000",
        "endTime": if deleted { json!("2024-05-01T10:00:01.000+0000") } else { Value::Null },
        "state": if deleted { "EXTERNALLY_TERMINATED" } else { "ACTIVE" },
    })
}

/// The tree: the root (id = instance id) over one service task waiting in an embedded
/// subprocess, plus an asyncBefore transition instance.
fn activity_tree(shared: &Shared, pi: &Value) -> Value {
    let id = pi["id"].as_str().unwrap_or("");
    let definition_id = format!("{}:1:0001", pi["definitionKey"].as_str().unwrap_or(""));
    let _ = shared;
    json!({
        "id": id, "parentActivityInstanceId": null, "activityId": definition_id,
        "activityType": "processDefinition", "activityName": "Order", "processInstanceId": id,
        "processDefinitionId": definition_id, "executionIds": [id], "incidentIds": null, "incidents": [],
        "childTransitionInstances": [{
            "id": "t-1", "parentActivityInstanceId": id, "activityId": "Notify",
            "activityType": "serviceTask", "executionId": "e-2", "incidentIds": [], "incidents": [],
        }],
        "childActivityInstances": [{
            "id": "Sub:1", "parentActivityInstanceId": id, "activityId": "Sub", "activityType": "subProcess",
            "executionIds": ["e-1"], "childTransitionInstances": [], "incidentIds": [], "incidents": [],
            "childActivityInstances": [{
                "id": "Charge:2", "parentActivityInstanceId": "Sub:1", "activityId": "Charge",
                "activityType": "serviceTask", "executionIds": ["e-1"], "childActivityInstances": [],
                "childTransitionInstances": [], "incidentIds": ["inc-1"],
                "incidents": [{"id": "inc-1", "activityId": "Charge"}],
            }],
        }],
    })
}

fn correlate(shared: &Shared, req: &Req) -> Response {
    let body = req.json();
    let Some(name) = body["messageName"].as_str() else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "No message name supplied",
        );
    };
    let target = running(shared)
        .into_iter()
        .find(|pi| body["businessKey"].is_null() || pi["businessKey"] == body["businessKey"]);
    let Some(pi) = target else {
        let message = format!(
            "Cannot correlate message '{name}': No process definition or execution matches the parameters"
        );
        return error(StatusCode::BAD_REQUEST, "RestException", &message);
    };
    if body["resultEnabled"] != true {
        return no_content();
    }
    ok(json!([{
        "resultType": "Execution",
        "execution": {"id": "e-1", "processInstanceId": pi["id"], "ended": false, "tenantId": null},
        "processInstance": null,
    }]))
}
