//! A loopback of the documented Camunda 7 REST endpoints the client calls, on 127.0.0.1:0 under
//! `/engine-rest`. It answers with the documented shapes (`Content-Type: application/json`
//! exactly, 204 with no body for the task reports, `{type, message, code}` errors), keeps
//! external tasks in memory with real long polling, and records every request so that tests can
//! assert the exact bodies the client sent. Faults (error statuses) and Basic/Bearer auth can be
//! switched on per test.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::{engine, tasks};

/// One request as the loopback received it (path relative to `/engine-rest`).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The body as JSON (panics when it is not: every JSON request must be JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON request body")
    }

    /// A query parameter, decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// An external task of the loopback.
#[derive(Debug, Clone)]
pub struct ExtTask {
    pub id: String,
    pub topic: String,
    pub process_instance_id: String,
    pub activity_id: String,
    pub business_key: Option<String>,
    pub variables: Value,
    pub retries: Option<i64>,
    pub worker_id: Option<String>,
    pub locked_until: Option<Instant>,
    pub available_at: Instant,
    pub error_message: Option<String>,
    pub state: TaskState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Open,
    Completed,
    BpmnError(String),
    /// Failed with retries 0: an incident, not fetchable.
    Incident,
}

/// An error status the loopback answers instead of serving a request.
#[derive(Debug, Clone)]
struct Fault {
    method: Method,
    path: String,
    status: StatusCode,
    /// `None`: every time.
    remaining: Option<u32>,
}

#[derive(Default)]
pub(super) struct Data {
    pub requests: Vec<Recorded>,
    pub tasks: Vec<ExtTask>,
    /// Started instances: `{id, definitionKey, businessKey, variables, deleted}`.
    pub instances: Vec<Value>,
    /// Deployed definitions (ProcessDefinitionDto) with their XML as `_xml`.
    pub definitions: Vec<Value>,
    faults: Vec<Fault>,
    auth: Option<String>,
}

pub(super) struct Shared {
    pub data: Mutex<Data>,
    /// Woken when a task may have become fetchable.
    pub changed: Notify,
}

impl Shared {
    pub fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running loopback; dropped with the test's runtime.
#[derive(Clone)]
pub struct Loopback {
    pub base_url: String,
    shared: Arc<Shared>,
}

impl Loopback {
    pub async fn start() -> Loopback {
        let shared = Arc::new(Shared {
            data: Mutex::new(Data::default()),
            changed: Notify::new(),
        });
        let app = Router::new().fallback(dispatch).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("loopback serves");
        });
        Loopback {
            base_url: format!("http://{addr}/engine-rest"),
            shared,
        }
    }

    /// Requires this `Authorization` header on every request (401 otherwise).
    pub fn require_authorization(&self, header: &str) {
        self.shared.data().auth = Some(header.to_owned());
    }

    /// Answers `status` (with a Camunda error body) to `method path`, `times` times or always.
    pub fn fail(&self, method: Method, path: &str, status: u16, times: Option<u32>) {
        self.shared.data().faults.push(Fault {
            method,
            path: path.to_owned(),
            status: StatusCode::from_u16(status).expect("status"),
            remaining: times,
        });
    }

    /// Adds an external task and wakes the long polls; its id.
    pub fn add_task(&self, topic: &str, variables: Value) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        self.shared.data().tasks.push(ExtTask {
            id: id.clone(),
            topic: topic.to_owned(),
            process_instance_id: uuid::Uuid::now_v7().to_string(),
            activity_id: format!("{topic}_task"),
            business_key: Some("bk-1".into()),
            variables,
            retries: None,
            worker_id: None,
            locked_until: None,
            available_at: Instant::now(),
            error_message: None,
            state: TaskState::Open,
        });
        self.shared.changed.notify_waiters();
        id
    }

    pub fn task(&self, id: &str) -> ExtTask {
        self.shared
            .data()
            .tasks
            .iter()
            .find(|t| t.id == id)
            .cloned()
            .expect("known task")
    }

    /// The requests to `method path` so far, in order.
    pub fn requests(&self, method: Method, path: &str) -> Vec<Recorded> {
        self.shared
            .data()
            .requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .cloned()
            .collect()
    }

    /// Waits (up to 10 s, else panics naming `what`) until `check` holds.
    pub async fn wait_for(&self, what: &str, check: impl Fn(&Loopback) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !check(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A Camunda error answer.
pub(super) fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"type": kind, "message": message, "code": 0})),
    )
        .into_response()
}

pub(super) fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, "InvalidRequestException", message)
}

pub(super) fn ok(value: Value) -> Response {
    axum::Json(value).into_response()
}

pub(super) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// Camunda's date format.
pub(super) fn camunda_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

/// The request as the route handlers see it.
pub(super) struct Req {
    pub method: Method,
    pub segments: Vec<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Req {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(path) = uri.path().strip_prefix("/engine-rest/") else {
        return not_found("not under /engine-rest");
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let recorded = Recorded {
        method: method.clone(),
        path: path.to_owned(),
        query: uri.query().map(str::to_owned),
        content_type: header("content-type"),
        authorization: header("authorization"),
        body: body.to_vec(),
    };
    {
        let mut data = shared.data();
        data.requests.push(recorded.clone());
        if let Some(expected) = &data.auth
            && recorded.authorization.as_deref() != Some(expected.as_str())
        {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let fault = data
            .faults
            .iter_mut()
            .find(|f| f.method == method && f.path == path && f.remaining != Some(0));
        if let Some(fault) = fault {
            if let Some(n) = &mut fault.remaining {
                *n -= 1;
            }
            return error(fault.status, "ProcessEngineException", "injected fault");
        }
    }
    let req = Req {
        method,
        segments: path.split('/').map(str::to_owned).collect(),
        content_type: recorded.content_type,
        body,
    };
    if req.segments.first().map(String::as_str) == Some("external-task") {
        tasks::route(&shared, req).await
    } else {
        engine::route(&shared, req)
    }
}
