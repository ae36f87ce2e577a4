//! The client's calls outside external tasks: shapes sent and answers decoded.

use axum::http::Method;
use carpetti_camunda::dto::{
    DefinitionQuery, HistoryActivityInstanceQuery, HistoryProcessInstanceQuery, InstanceQuery,
    TaskQuery,
};
use carpetti_camunda::{
    CamundaError, Deployment, MessageRequest, StartRequest, VariableValue, Variables,
};
use chrono::TimeZone;
use serde_json::json;

use crate::support::{Loopback, client, multipart};

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="order" isExecutable="true"/></bpmn:definitions>"#;

#[tokio::test]
async fn deploy_sends_the_multipart_form_and_reads_the_definitions() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    let deployment = Deployment {
        name: "orders".into(),
        source: Some("carpetti".into()),
        duplicate_filtering: true,
        deploy_changed_only: false,
        tenant_id: None,
        resources: vec![("order.bpmn".into(), XML.as_bytes().to_vec())],
    };
    let result = c.deploy(&deployment).await.expect("deployed");

    let sent = &lb.requests(Method::POST, "deployment/create")[0];
    let content_type = sent.content_type.clone().expect("content type");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let parts = multipart::parse(&content_type, &sent.body).expect("valid multipart");
    let text = |name: &str| parts.iter().find(|p| p.name == name).map(|p| p.text());
    assert_eq!(text("deployment-name").as_deref(), Some("orders"));
    assert_eq!(text("deployment-source").as_deref(), Some("carpetti"));
    assert_eq!(text("enable-duplicate-filtering").as_deref(), Some("true"));
    assert_eq!(text("deploy-changed-only").as_deref(), Some("false"));
    assert_eq!(text("tenant-id"), None);
    let files: Vec<_> = parts.iter().filter(|p| p.file_name.is_some()).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name.as_deref(), Some("order.bpmn"));
    assert_eq!(files[0].data, XML.as_bytes());
    let mut text_parts: Vec<_> = parts
        .iter()
        .filter(|p| p.file_name.is_none())
        .map(|p| p.name.as_str())
        .collect();
    text_parts.sort_unstable();
    assert_eq!(
        text_parts,
        [
            "deploy-changed-only",
            "deployment-name",
            "deployment-source",
            "enable-duplicate-filtering"
        ]
    );

    assert_eq!(result.name.as_deref(), Some("orders"));
    assert!(
        result.deployment_time.is_some(),
        "Camunda's date format decodes"
    );
    let (id, definition) = result
        .deployed_process_definitions
        .iter()
        .next()
        .expect("one definition");
    assert!(id.starts_with("order:1:"), "{id}");
    assert_eq!((definition.key.as_str(), definition.version), ("order", 1));
    assert_eq!(definition.resource.as_deref(), Some("order.bpmn"));

    let by_key = c.process_definition_by_key("order").await.expect("by key");
    assert_eq!(&by_key.id, id);
    assert_eq!(c.process_definition(id).await.expect("by id").key, "order");
    let xml = c.process_definition_xml(id).await.expect("xml");
    assert_eq!(
        (xml.id.as_str(), xml.bpmn20_xml.as_str()),
        (id.as_str(), XML)
    );
    let listed = c
        .process_definitions(&DefinitionQuery::latest_of("order"))
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    let query = &lb.requests(Method::GET, "process-definition")[0];
    assert_eq!(query.param("key").as_deref(), Some("order"));
    assert_eq!(query.param("latestVersion").as_deref(), Some("true"));
    assert_eq!(query.param("name"), None);

    let engines = c.engines().await.expect("engines");
    assert_eq!(engines[0].name, "default");
}

#[tokio::test]
async fn start_sends_typed_variables_and_instances_are_read_back() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    let due = chrono::FixedOffset::east_opt(2 * 3600)
        .and_then(|tz| tz.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single())
        .expect("date");
    let request = StartRequest {
        variables: Variables::from([
            ("customer".to_owned(), VariableValue::string("ACME")),
            ("items".to_owned(), VariableValue::integer(3)),
            ("amount".to_owned(), VariableValue::long(12_000_000_000)),
            ("rate".to_owned(), VariableValue::double(0.25)),
            ("express".to_owned(), VariableValue::boolean(true)),
            (
                "order".to_owned(),
                VariableValue::json(&json!({"sku": "A-1"})),
            ),
            ("due".to_owned(), VariableValue::date(&due)),
            ("note".to_owned(), VariableValue::null()),
        ]),
        business_key: Some("order-42".into()),
        with_variables_in_return: true,
        ..StartRequest::default()
    };
    let started = c
        .start_process_by_key("order", &request)
        .await
        .expect("started");

    let sent = &lb.requests(Method::POST, "process-definition/key/order/start")[0];
    assert_eq!(sent.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        sent.json(),
        json!({
            "variables": {
                "amount": {"value": 12_000_000_000_i64, "type": "Long", "valueInfo": {}},
                "customer": {"value": "ACME", "type": "String", "valueInfo": {}},
                "due": {"value": "2024-05-01T12:00:00.000+0200", "type": "Date", "valueInfo": {}},
                "express": {"value": true, "type": "Boolean", "valueInfo": {}},
                "items": {"value": 3, "type": "Integer", "valueInfo": {}},
                "note": {"value": null, "type": "Null", "valueInfo": {}},
                "order": {"value": "{\"sku\":\"A-1\"}", "type": "Json", "valueInfo": {}},
                "rate": {"value": 0.25, "type": "Double", "valueInfo": {}},
            },
            "businessKey": "order-42",
            "withVariablesInReturn": true,
        })
    );
    let pi = &started.instance;
    assert_eq!(pi.business_key.as_deref(), Some("order-42"));
    assert_eq!(pi.definition_key.as_deref(), Some("order"));
    assert_eq!(pi.links[0].rel.as_deref(), Some("self"));
    assert_eq!(started.variables["amount"].as_i64(), Some(12_000_000_000));
    assert_eq!(started.variables["due"].as_date(), Some(due));

    assert_eq!(c.process_instance(&pi.id).await.expect("get").id, pi.id);
    let query = InstanceQuery {
        process_definition_key: Some("order".into()),
        activity_id_in: vec!["Charge".into(), "Notify".into()],
        ..InstanceQuery::default()
    };
    assert_eq!(c.process_instances(&query).await.expect("list").len(), 1);
    assert_eq!(c.process_instances_count(&query).await.expect("count"), 1);
    let listed = &lb.requests(Method::GET, "process-instance")[0];
    assert_eq!(
        listed.param("activityIdIn").as_deref(),
        Some("Charge,Notify")
    );

    let variables = c.process_instance_variables(&pi.id).await.expect("vars");
    assert_eq!(variables["order"].to_json(), Some(json!({"sku": "A-1"})));
    let vars_path = format!("process-instance/{}/variables", pi.id);
    let vars_request = &lb.requests(Method::GET, &vars_path)[0];
    assert_eq!(
        vars_request.param("deserializeValues").as_deref(),
        Some("false")
    );

    let tree = c.activity_instances(&pi.id).await.expect("tree");
    assert_eq!(tree.id, pi.id, "the root's id is the instance id");
    assert_eq!(tree.activity_type.as_deref(), Some("processDefinition"));
    assert_eq!(tree.walk().len(), 3);
    assert_eq!(tree.active_activity_ids(), vec!["Notify", "Charge"]);
    let charge = tree.walk()[2];
    assert_eq!(charge.incidents[0].id, "inc-1");

    c.delete_process_instance(&pi.id).await.expect("deleted");
    assert!(
        c.process_instance(&pi.id)
            .await
            .expect_err("gone")
            .is_not_found()
    );
    let history = c
        .history_process_instances(&HistoryProcessInstanceQuery {
            process_instance_business_key: Some("order-42".into()),
            ..HistoryProcessInstanceQuery::default()
        })
        .await
        .expect("history");
    assert_eq!(history[0].state.as_deref(), Some("EXTERNALLY_TERMINATED"));
    assert!(history[0].is_ended());
    let sent = &lb.requests(Method::GET, "history/process-instance")[0];
    assert_eq!(
        sent.param("processInstanceBusinessKey").as_deref(),
        Some("order-42")
    );
}

#[tokio::test]
async fn not_found_is_its_own_error_and_is_not_retried() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    let error = c.process_instance("missing").await.expect_err("404");
    match &error {
        CamundaError::NotFound { kind, message } => {
            assert_eq!(kind, "InvalidRequestException");
            assert_eq!(message, "Process instance with id missing does not exist");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(error.status(), Some(404));
    assert_eq!(
        lb.requests(Method::GET, "process-instance/missing").len(),
        1
    );
}

#[tokio::test]
async fn messages_correlate_with_and_without_results() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    let started = c
        .start_process_by_key("order", &StartRequest::default().with_business_key("bk-9"))
        .await
        .expect("started");
    assert_eq!(
        lb.requests(Method::POST, "process-definition/key/order/start")[0].json(),
        json!({"variables": {}, "businessKey": "bk-9"})
    );

    let request = MessageRequest::new("paid").with_business_key("bk-9");
    let results = c.correlate_message(&request).await.expect("correlated");
    assert_eq!(results[0].result_type, "Execution");
    let execution = results[0].execution.as_ref().expect("execution");
    assert_eq!(
        execution.process_instance_id.as_deref(),
        Some(started.instance.id.as_str())
    );
    assert_eq!(
        lb.requests(Method::POST, "message")[0].json(),
        json!({"messageName": "paid", "businessKey": "bk-9", "resultEnabled": true})
    );

    let quiet = MessageRequest {
        result_enabled: false,
        ..request.clone()
    };
    assert!(c.correlate_message(&quiet).await.expect("204").is_empty());

    let unmatched = MessageRequest::new("paid").with_business_key("nobody");
    match c.correlate_message(&unmatched).await.expect_err("no match") {
        CamundaError::Engine { status, kind, .. } => {
            assert_eq!((status, kind.as_str()), (400, "RestException"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn user_tasks_and_history_activities_decode_leniently() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    let query = TaskQuery {
        process_instance_id: Some("pi-1".into()),
        ..TaskQuery::default()
    };
    let tasks = c
        .tasks(&query)
        .await
        .expect("tasks (with an unknown field)");
    assert_eq!((tasks[0].id.as_str(), tasks[0].priority), ("ut-1", 50));
    assert!(tasks[0].created.is_some() && tasks[0].due.is_none());
    assert_eq!(
        lb.requests(Method::GET, "task")[0].query.as_deref(),
        Some("processInstanceId=pi-1")
    );
    let approve = Variables::from([("approved".to_owned(), VariableValue::boolean(true))]);
    c.complete_task("ut-1", &approve).await.expect("completed");
    assert_eq!(
        lb.requests(Method::POST, "task/ut-1/complete")[0].json(),
        json!({"variables": {"approved": {"value": true, "type": "Boolean", "valueInfo": {}}}})
    );

    let activities = c
        .history_activity_instances(&HistoryActivityInstanceQuery {
            process_instance_id: Some("pi-1".into()),
            ..HistoryActivityInstanceQuery::default()
        })
        .await
        .expect("activities");
    assert_eq!(activities[0].activity_type.as_deref(), Some("startEvent"));
    assert_eq!(activities[0].duration_in_millis, Some(10));
}
