use std::net::SocketAddr;
use std::sync::Arc;

use carpetti_engine::rest::{RestAuth, router};
use carpetti_engine::{Engine, EngineConfig, EngineStorage};
use carpetti_testkit::TestSqliteDatabase;
use reqwest::{RequestBuilder, StatusCode, header};
use serde_json::{Value, json};

/// A REST server over a fresh SQLite engine; stops when dropped.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
    _db: TestSqliteDatabase,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start() -> anyhow::Result<Self> {
        Self::with_auth(RestAuth::None).await
    }

    pub async fn with_auth(auth: RestAuth) -> anyhow::Result<Self> {
        let db = TestSqliteDatabase::create()?;
        let engine: Arc<Engine> =
            Engine::open(EngineConfig::new(EngineStorage::Sqlite(db.path()))).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        let app = router(engine, auth);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("the REST server stopped: {e}");
            }
        });
        Ok(Self {
            base: format!("http://{addr}/engine-rest"),
            http: reqwest::Client::new(),
            task,
            _db: db,
        })
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }

    pub fn post(&self, path: &str, body: Value) -> RequestBuilder {
        self.http.post(format!("{}{path}", self.base)).json(&body)
    }

    /// Deploys testdata/bpmn files as Camunda Modeler does (multipart, one part per file).
    pub async fn deploy(&self, files: &[&str]) -> anyhow::Result<Value> {
        let (status, body) = send(
            self.deploy_request(
                files
                    .iter()
                    .map(|f| (f.to_string(), crate::support::model(f)))
                    .collect(),
            ),
        )
        .await?;
        anyhow::ensure!(status == StatusCode::OK, "deploy: {status} {body}");
        Ok(body)
    }

    pub fn deploy_request(&self, files: Vec<(String, String)>) -> RequestBuilder {
        let boundary = "----carpetti-test-boundary";
        let mut body = String::new();
        for (name, value) in [
            ("deployment-name", "rest-test"),
            ("deployment-source", "it"),
            ("enable-duplicate-filtering", "false"),
        ] {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        for (file, xml) in files {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n{xml}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        self.http
            .post(format!("{}/deployment/create", self.base))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
    }

    /// Starts `key` with Camunda-typed variables; returns the instance id.
    pub async fn start_instance(&self, key: &str, body: Value) -> anyhow::Result<String> {
        let (status, started) =
            send(self.post(&format!("/process-definition/key/{key}/start"), body)).await?;
        anyhow::ensure!(status == StatusCode::OK, "start: {status} {started}");
        Ok(started["id"].as_str().unwrap_or_default().to_owned())
    }

    /// fetchAndLock as the Python client sends it (nulls, `{}` process variables, no wait).
    pub async fn fetch(&self, worker: &str, topic: &str) -> anyhow::Result<Vec<Value>> {
        self.fetch_waiting(worker, topic, 0).await
    }

    pub async fn fetch_waiting(
        &self,
        worker: &str,
        topic: &str,
        wait_ms: u64,
    ) -> anyhow::Result<Vec<Value>> {
        let body = json!({
            "workerId": worker, "maxTasks": 10, "usePriority": false, "sorting": null,
            "asyncResponseTimeout": wait_ms,
            "topics": [{
                "topicName": topic, "lockDuration": 60000, "processVariables": {},
                "includeExtensionProperties": true, "deserializeValues": true, "variables": null
            }]
        });
        let (status, tasks) = send(self.post("/external-task/fetchAndLock", body)).await?;
        anyhow::ensure!(status == StatusCode::OK, "fetchAndLock: {status} {tasks}");
        Ok(tasks.as_array().cloned().unwrap_or_default())
    }

    /// The one task on `topic`, locked by `worker`.
    pub async fn one(&self, worker: &str, topic: &str) -> anyhow::Result<Value> {
        let mut tasks = self.fetch(worker, topic).await?;
        anyhow::ensure!(
            tasks.len() == 1,
            "expected one task on {topic}, got {tasks:?}"
        );
        Ok(tasks.remove(0))
    }
}

/// Sends; returns the status and the JSON body (`null` when empty), checking that every
/// non-empty body is labelled exactly `application/json` and that 204s are empty.
pub async fn send(request: RequestBuilder) -> anyhow::Result<(StatusCode, Value)> {
    let response = request.send().await?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|h| h.to_str().unwrap_or("?").to_owned());
    let bytes = response.bytes().await?;
    if status == StatusCode::NO_CONTENT {
        anyhow::ensure!(bytes.is_empty(), "a 204 with a body");
        return Ok((status, Value::Null));
    }
    anyhow::ensure!(
        content_type.as_deref() == Some("application/json"),
        "content type {content_type:?} for {status}"
    );
    Ok((status, serde_json::from_slice(&bytes)?))
}

/// Asserts a Camunda error body.
pub fn assert_error(reply: &(StatusCode, Value), status: u16, kind: &str) {
    assert_eq!(reply.0.as_u16(), status, "{}", reply.1);
    assert_eq!(reply.1["type"], kind, "{}", reply.1);
    assert!(
        reply.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        reply.1
    );
    assert!(reply.1["code"].is_number(), "{}", reply.1);
}
