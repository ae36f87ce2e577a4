//! The protocol details clients depend on: error shapes and statuses, exact content types,
//! optional bodies, the engine-name prefix and authentication.

use carpetti_engine::rest::RestAuth;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::support::{Server, assert_error, send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_camunda_shapes_and_statuses() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["exclusive-gateway.bpmn"]).await?;

    assert_error(
        &send(s.get("/process-instance/nope")).await?,
        404,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.get("/process-definition/key/nope")).await?,
        404,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.post("/process-definition/key/nope/start", json!({}))).await?,
        404,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.post("/external-task/nope/complete", json!({"workerId": "w"}))).await?,
        404,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.get("/no/such/route")).await?,
        404,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.get("/process-definition?sortOrder=asc")).await?,
        400,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.get("/process-instance?variables=amount")).await?,
        400,
        "InvalidRequestException",
    );
    let bad_json = s
        .http
        .post(format!("{}/external-task/fetchAndLock", s.base))
        .header("content-type", "application/json")
        .body("{\"workerId\": ");
    assert_error(&send(bad_json).await?, 400, "InvalidRequestException");
    assert_error(
        &send(s.post(
            "/external-task/fetchAndLock",
            json!({"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "check"}]}),
        ))
        .await?,
        400,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.post(
            "/process-definition/key/exclusive/start",
            json!({"variables": {"n": {"value": "many", "type": "Integer"}}}),
        ))
        .await?,
        400,
        "InvalidRequestException",
    );

    // A model outside the supported set: 400 ParseException with details per resource.
    let bad = "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><bpmn:process id=\"p\" isExecutable=\"true\"><bpmn:startEvent id=\"s\"/><bpmn:scriptTask id=\"js\"/></bpmn:process></bpmn:definitions>";
    let reply = send(s.deploy_request(vec![("bad.bpmn".into(), bad.into())])).await?;
    assert_error(&reply, 400, "ParseException");
    assert!(
        reply.1["details"]["bad.bpmn"]["errors"][0]["message"].is_string(),
        "{}",
        reply.1
    );

    // Only the worker holding the lock may report.
    s.start_instance("exclusive", json!({})).await?;
    let task = s.one("owner", "check").await?;
    let id = task["id"].as_str().unwrap_or_default().to_owned();
    assert_error(
        &send(s.post(
            &format!("/external-task/{id}/complete"),
            json!({"workerId": "thief"}),
        ))
        .await?,
        400,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.post(
            &format!("/external-task/{id}/extendLock"),
            json!({"workerId": "owner", "newDuration": -5}),
        ))
        .await?,
        400,
        "InvalidRequestException",
    );
    let extended = send(s.post(
        &format!("/external-task/{id}/extendLock"),
        json!({"workerId": "owner", "newDuration": 120000}),
    ))
    .await?;
    assert_eq!(extended.0, StatusCode::NO_CONTENT);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_prefixes_and_lists() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["exclusive-gateway.bpmn"]).await?;

    // Start and unlock with no body and no content type, as the JS client does.
    let started = send(
        s.http
            .post(format!("{}/process-definition/key/exclusive/start", s.base)),
    )
    .await?;
    assert_eq!(started.0, StatusCode::OK);
    let id = started.1["id"].as_str().unwrap_or_default().to_owned();
    let task = s.one("w", "check").await?;
    let task_id = task["id"].as_str().unwrap_or_default().to_owned();
    let unlocked = send(
        s.http
            .post(format!("{}/external-task/{task_id}/unlock", s.base)),
    )
    .await?;
    assert_eq!(unlocked.0, StatusCode::NO_CONTENT);

    let (_, listed) = send(s.get("/external-task?topicName=check&notLocked=true")).await?;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["workerId"], Value::Null);
    let (_, count) = send(s.get("/external-task/count?topicName=check")).await?;
    assert_eq!(count["count"], 1);
    let (_, topics) = send(s.get("/external-task/topic-names")).await?;
    assert_eq!(topics, json!(["check"]));

    // The engine-name prefix serves the same API; other names do not exist.
    let root = s.base.trim_end_matches("/engine-rest").to_owned();
    let (_, engines) = send(s.http.get(format!("{root}/engine-rest/engine"))).await?;
    assert_eq!(engines, json!([{"name": "default"}]));
    let (status, same) = send(s.http.get(format!(
        "{root}/engine-rest/engine/default/process-instance/{id}"
    )))
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same["id"], id.as_str());
    assert_error(
        &send(s.http.get(format!(
            "{root}/engine-rest/engine/other/process-instance/{id}"
        )))
        .await?,
        404,
        "InvalidRequestException",
    );

    // Deleting an instance: 204, then it is gone (and a second delete is a 404).
    let deleted = send(s.http.delete(format!(
        "{}/process-instance/{id}?skipCustomListeners=true",
        s.base
    )))
    .await?;
    assert_eq!(deleted.0, StatusCode::NO_CONTENT);
    assert_error(
        &send(s.get(&format!("/process-instance/{id}"))).await?,
        404,
        "InvalidRequestException",
    );
    assert_error(
        &send(s.http.delete(format!("{}/process-instance/{id}", s.base))).await?,
        404,
        "InvalidRequestException",
    );
    let (_, history) =
        send(s.get(&format!("/history/process-instance?processInstanceId={id}"))).await?;
    assert_eq!(history[0]["state"], "EXTERNALLY_TERMINATED");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_is_required_when_configured() -> anyhow::Result<()> {
    let s = Server::with_auth(RestAuth::Basic {
        user: "demo".into(),
        password: SecretString::from("s3cret"),
    })
    .await?;
    assert_error(
        &send(s.get("/process-definition")).await?,
        401,
        "AuthenticationException",
    );
    assert_error(
        &send(
            s.get("/process-definition")
                .basic_auth("demo", Some("wrong")),
        )
        .await?,
        401,
        "AuthenticationException",
    );
    let (status, list) = send(
        s.get("/process-definition")
            .basic_auth("demo", Some("s3cret")),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([]));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_clear_400_and_deploys_nothing() -> anyhow::Result<()> {
    let s = Server::start().await?;
    let head = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start"/>"#;
    let tail = "</bpmn:process></bpmn:definitions>";
    let cases = [
        (
            "malformed XML",
            "<bpmn:definitions><oops".to_string(),
            "malformed XML",
        ),
        (
            "unsupported element",
            format!(r#"{head}<bpmn:businessRuleTask id="rules"/>{tail}"#),
            "rules",
        ),
        (
            "flow to a missing target",
            format!(
                r#"{head}<bpmn:sequenceFlow id="lost" sourceRef="start" targetRef="nowhere"/>{tail}"#
            ),
            "nowhere",
        ),
        (
            "bad expression",
            format!(
                r#"{head}<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="t"/><bpmn:serviceTask id="t" camunda:type="external" camunda:topic="${{a &lt;}}"/>{tail}"#
            ),
            "camunda:topic",
        ),
    ];
    for (what, xml, mentions) in cases {
        let reply = send(s.deploy_request(vec![("case.bpmn".into(), xml)])).await?;
        assert_error(&reply, 400, "ParseException");
        let message = reply.1["message"].as_str().unwrap_or_default();
        assert!(message.contains(mentions), "{what}: {message}");
    }
    let (status, definitions) = send(s.get("/process-definition/count")).await?;
    assert_eq!(
        (status, definitions["count"].clone()),
        (StatusCode::OK, json!(0)),
        "nothing deployed"
    );

    s.deploy(&["exclusive-gateway.bpmn"]).await?;
    let unknown_type = send(s.post(
        "/process-definition/key/exclusive/start",
        json!({"variables": {"x": {"value": 1, "type": "Tensor"}}}),
    ))
    .await?;
    assert_error(&unknown_type, 400, "InvalidRequestException");
    let message = unknown_type.1["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Tensor") && message.contains('x'),
        "{message}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_is_locked_by_id_and_failure_carries_variables() -> anyhow::Result<()> {
    let s = Server::start().await?;
    s.deploy(&["exclusive-gateway.bpmn"]).await?;
    s.start_instance("exclusive", json!({})).await?;
    let task = s.one("owner", "check").await?;
    let id = task["id"].as_str().unwrap_or_default().to_owned();
    let other = send(s.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "other", "lockDuration": 1000}),
    ))
    .await?;
    assert_error(&other, 400, "InvalidRequestException");
    let mine = send(s.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "owner", "lockDuration": 60000}),
    ))
    .await?;
    assert_eq!(mine.0, StatusCode::NO_CONTENT);
    let failed = send(s.post(
        &format!("/external-task/{id}/failure"),
        json!({"workerId": "owner", "errorMessage": "down", "retries": 1, "retryTimeout": 0,
               "variables": {"lastError": {"value": "503", "type": "String"}}}),
    ))
    .await?;
    assert_eq!(failed.0, StatusCode::NO_CONTENT);
    let again = s.one("owner", "check").await?;
    assert_eq!(again["variables"]["lastError"]["value"], "503");
    Ok(())
}
