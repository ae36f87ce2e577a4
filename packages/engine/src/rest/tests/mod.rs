//! Router-level tests over a stub engine: routing, prefixes, status codes, error bodies, the
//! exact content type, body tolerance and auth — no database involved.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use secrecy::SecretString;
use serde_json::{Value, json};
use tower::ServiceExt;

mod stub;

use super::{RestAuth, router};
use crate::variables::ValueType;
use stub::Stub;

struct Reply {
    status: StatusCode,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// A JSON answer with the exact content type.
    fn assert_json(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
        self.json()
    }

    /// A Camunda error body of `kind`.
    fn assert_error(&self, status: u16, kind: &str) -> String {
        let body = self.assert_json(status);
        assert_eq!(body["type"], kind, "{body}");
        assert_eq!(body["code"], 0);
        body["message"].as_str().unwrap_or_default().to_owned()
    }
}

async fn call(app: &axum::Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Reply {
        status,
        content_type,
        body,
    }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

fn post(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request")
}

fn app() -> (Arc<Stub>, axum::Router) {
    let stub = Arc::new(Stub::default());
    (stub.clone(), router(stub, RestAuth::None))
}

#[tokio::test]
async fn engines_prefixes_and_unknown_routes() {
    let (_, app) = app();
    let body = call(&app, get("/engine-rest/engine"))
        .await
        .assert_json(200);
    assert_eq!(body, json!([{"name": "default"}]));

    let plain = call(&app, get("/engine-rest/process-definition/key/order"))
        .await
        .assert_json(200);
    let prefixed = call(
        &app,
        get("/engine-rest/engine/default/process-definition/key/order"),
    )
    .await
    .assert_json(200);
    assert_eq!(plain, prefixed);
    assert_eq!(plain["id"], "order:1:abc");
    assert_eq!(plain["suspended"], false);
    assert_eq!(plain["tenantId"], Value::Null);
    assert_eq!(plain["startableInTasklist"], true);

    call(
        &app,
        get("/engine-rest/engine/other/process-definition/key/order"),
    )
    .await
    .assert_error(404, "InvalidRequestException");
    call(&app, get("/engine-rest/nothing/here"))
        .await
        .assert_error(404, "InvalidRequestException");
    call(&app, get("/elsewhere"))
        .await
        .assert_error(404, "InvalidRequestException");
    call(&app, get("/engine-rest/process-definition/key/missing"))
        .await
        .assert_error(404, "InvalidRequestException");
    call(
        &app,
        Request::delete("/engine-rest/message")
            .body(Body::empty())
            .expect("request"),
    )
    .await
    .assert_error(405, "RestException");
}

#[tokio::test]
async fn bad_queries_and_bodies_are_400_json() {
    let (_, app) = app();
    let m = call(&app, get("/engine-rest/process-definition?sortOrder=asc"))
        .await
        .assert_error(400, "InvalidRequestException");
    assert!(m.contains("sortBy"), "{m}");
    call(&app, get("/engine-rest/process-instance?variables=broken"))
        .await
        .assert_error(400, "InvalidRequestException");
    call(
        &app,
        get("/engine-rest/process-definition?latestVersion=maybe"),
    )
    .await
    .assert_error(400, "InvalidRequestException");
    let m = call(
        &app,
        post("/engine-rest/external-task/fetchAndLock", "{oops"),
    )
    .await
    .assert_error(400, "InvalidRequestException");
    assert!(m.contains("not valid"), "{m}");
    call(
        &app,
        post(
            "/engine-rest/external-task/fetchAndLock",
            r#"{"maxTasks": 1}"#,
        ),
    )
    .await
    .assert_error(400, "InvalidRequestException");
    call(&app, post("/engine-rest/message", "{}"))
        .await
        .assert_error(400, "InvalidRequestException");
    let m = call(
        &app,
        post(
            "/engine-rest/process-definition/key/order/start",
            r#"{"variables": {"n": {"value": "x", "type": "Integer"}}}"#,
        ),
    )
    .await
    .assert_error(400, "InvalidRequestException");
    assert!(m.contains("'n'"), "{m}");
    // The engine's own 400 (wrong worker) passes through.
    call(
        &app,
        post(
            "/engine-rest/external-task/t1/complete",
            r#"{"workerId": "w"}"#,
        ),
    )
    .await
    .assert_error(400, "InvalidRequestException");
}

#[tokio::test]
async fn fetch_and_lock_tolerates_what_python_and_js_send() {
    let (stub, app) = app();
    let body = json!({
        "workerId": "py", "maxTasks": 2, "usePriority": null, "sorting": null,
        "asyncResponseTimeout": 99_999_999, "somethingNew": {"x": 1},
        "topics": [{
            "topicName": "charge", "lockDuration": 10000, "variables": null,
            "processVariables": {"tier": "gold"}, "deserializeValues": true,
            "includeExtensionProperties": true, "localVariables": null
        }]
    });
    let r = call(
        &app,
        post("/engine-rest/external-task/fetchAndLock", &body.to_string()),
    )
    .await;
    assert_eq!(r.assert_json(200), json!([]));
    let fetched = stub.fetched.lock().expect("lock").take().expect("fetched");
    assert_eq!(fetched.worker_id, "py");
    assert_eq!(fetched.max_tasks, 2);
    assert!(!fetched.use_priority);
    assert_eq!(
        fetched.async_response_timeout,
        Some(Duration::from_millis(1_800_000))
    );
    let topic = &fetched.topics[0];
    assert_eq!(
        (topic.name.as_str(), topic.lock_duration),
        ("charge", Duration::from_millis(10_000))
    );
    assert_eq!(topic.variables, None);
    assert!(topic.include_extension_properties);
    assert_eq!(topic.process_variables["tier"].kind, ValueType::String);
}

#[tokio::test]
async fn empty_bodies_and_no_content() {
    let (stub, app) = app();
    // Start with no body and no content type.
    let request = Request::post("/engine-rest/process-definition/key/order/start")
        .body(Body::empty())
        .expect("request");
    let started = call(&app, request).await.assert_json(200);
    assert_eq!(started["id"], "pi-1");
    assert_eq!(started["ended"], false);
    assert_eq!(started["caseInstanceId"], Value::Null);
    assert!(
        started["links"][0]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/engine-rest/process-instance/pi-1"))
    );
    assert!(
        stub.started
            .lock()
            .expect("lock")
            .take()
            .expect("started")
            .variables
            .is_empty()
    );

    // Typed variables: lowercase and missing types.
    let body = json!({"businessKey": "b1", "variables": {"a": {"value": 5, "type": "long"}, "b": {"value": "x"}}});
    call(
        &app,
        post(
            "/engine-rest/process-definition/key/order/start",
            &body.to_string(),
        ),
    )
    .await
    .assert_json(200);
    let request = stub.started.lock().expect("lock").take().expect("started");
    assert_eq!(request.business_key.as_deref(), Some("b1"));
    assert_eq!(request.variables["a"].kind, ValueType::Long);
    assert_eq!(request.variables["b"].kind, ValueType::String);

    // Unlock: no body, no content type → 204 with nothing.
    let request = Request::post("/engine-rest/external-task/t9/unlock")
        .body(Body::empty())
        .expect("request");
    let r = call(&app, request).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    assert_eq!(r.content_type, None);
    assert_eq!(*stub.unlocked.lock().expect("lock"), ["t9"]);
}

#[tokio::test]
async fn deployment_multipart() {
    let (stub, app) = app();
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\norders\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"enable-duplicate-filtering\"\r\n\r\ntrue\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"order.bpmn\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n<definitions/>\r\n--{boundary}--\r\n"
    );
    let request = Request::post("/engine-rest/deployment/create")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    let d = call(&app, request).await.assert_json(200);
    assert_eq!(d["name"], "orders");
    assert_eq!(
        d["deployedProcessDefinitions"]["order:1:abc"]["key"],
        "order"
    );
    assert_eq!(d["deployedCaseDefinitions"], Value::Null);
    assert_eq!(d["links"][0]["rel"], "self");
    let deployed = stub
        .deployed
        .lock()
        .expect("lock")
        .take()
        .expect("deployed");
    assert!(deployed.duplicate_filtering);
    assert_eq!(
        deployed.resources,
        [("order.bpmn".to_owned(), b"<definitions/>".to_vec())]
    );

    // Not multipart at all.
    call(&app, post("/engine-rest/deployment/create", "{}"))
        .await
        .assert_error(400, "InvalidRequestException");
}

#[tokio::test]
async fn basic_auth_guards_everything() {
    let stub = Arc::new(Stub::default());
    let app = router(
        stub,
        RestAuth::Basic {
            user: "demo".into(),
            password: SecretString::from("pw"),
        },
    );
    let r = call(&app, get("/engine-rest/engine")).await;
    r.assert_error(401, "AuthenticationException");
    let request = Request::get("/engine-rest/engine")
        .header(header::AUTHORIZATION, "Basic ZGVtbzp3cm9uZw==") // demo:wrong
        .body(Body::empty())
        .expect("request");
    call(&app, request)
        .await
        .assert_error(401, "AuthenticationException");
    let request = Request::get("/engine-rest/engine")
        .header(header::AUTHORIZATION, "Basic ZGVtbzpwdw==") // demo:pw
        .body(Body::empty())
        .expect("request");
    call(&app, request).await.assert_json(200);
}
