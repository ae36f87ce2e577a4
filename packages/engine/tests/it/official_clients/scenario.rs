//! The scenario every client runs (testdata/bpmn/official-clients.bpmn): a real engine server,
//! the three instances `<client>-ok|-declined|-flaky`, and the checks of what the engine holds
//! once a client has served them.

use std::time::Duration;

use anyhow::{Context, ensure};
use carpetti_engine::rest::{RestAuth, router};
use carpetti_engine::{Engine, EngineConfig, EngineStorage};
use carpetti_testkit::TestSqliteDatabase;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The model's file in testdata/bpmn and its process key.
pub const MODEL: &str = "official-clients.bpmn";
pub const PROCESS_KEY: &str = "officialClients";
/// What the failing task's worker reports, and so the incident's message.
pub const FLAKY_MESSAGE: &str = "Gift wrap service unavailable";
/// The content of the File variable `label` every client completes `fulfil` with.
pub const LABEL: &str = "FRAGILE - this side up";
/// The Json value every client completes `fulfil` with.
pub fn parcel() -> Value {
    json!({"sku": "A-1", "qty": 3, "dims": [10, 20, 5]})
}

/// The engine on SQLite, its job executor running, served over REST on 127.0.0.1:0; stops
/// when dropped.
pub struct EngineServer {
    /// `http://127.0.0.1:{port}/engine-rest`.
    pub base: String,
    http: reqwest::Client,
    jobs: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    _db: TestSqliteDatabase,
}

impl Drop for EngineServer {
    fn drop(&mut self) {
        self.jobs.cancel();
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The scenario's instances (ids).
#[derive(Debug, Clone)]
pub struct Instances {
    pub ok: String,
    pub declined: String,
    pub flaky: String,
}

impl EngineServer {
    pub async fn start() -> anyhow::Result<Self> {
        let db = TestSqliteDatabase::create()?;
        let engine = Engine::open(EngineConfig::new(EngineStorage::Sqlite(db.path()))).await?;
        let jobs = CancellationToken::new();
        let job_runner = {
            let (engine, jobs) = (engine.clone(), jobs.clone());
            tokio::spawn(async move { engine.run_jobs(jobs).await })
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = router(engine, RestAuth::None);
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("the REST server stopped: {e}");
            }
        });
        Ok(Self {
            base: format!("http://{addr}/engine-rest"),
            http: reqwest::Client::new(),
            jobs,
            tasks: vec![job_runner, server],
            _db: db,
        })
    }

    /// GET `path`: 200 with exactly `application/json`, the body parsed.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let response = self.http.get(format!("{}{path}", self.base)).send().await?;
        let status = response.status();
        let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
        let body = response.text().await?;
        ensure!(status == StatusCode::OK, "GET {path}: {status} {body}");
        ensure!(
            content_type.as_ref().map(|c| c.as_bytes()) == Some(b"application/json"),
            "GET {path}: content type {content_type:?}"
        );
        serde_json::from_str(&body).with_context(|| format!("GET {path}: {body}"))
    }

    /// GET `path` as it is: the status, the content type and the body.
    pub async fn get_raw(&self, path: &str) -> anyhow::Result<(StatusCode, String, Vec<u8>)> {
        let response = self.http.get(format!("{}{path}", self.base)).send().await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|c| c.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok((status, content_type, response.bytes().await?.to_vec()))
    }

    /// Deploys the model as Camunda Modeler does (multipart); returns the definition id.
    pub async fn deploy(&self) -> anyhow::Result<String> {
        let xml = crate::support::model(MODEL);
        let boundary = "----official-clients-boundary";
        let mut body = String::new();
        for (name, value) in [
            ("deployment-name", "official-clients"),
            ("deployment-source", "it"),
            ("enable-duplicate-filtering", "false"),
        ] {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"{MODEL}\"\r\nContent-Type: application/octet-stream\r\n\r\n{xml}\r\n--{boundary}--\r\n"
        ));
        let response = self
            .http
            .post(format!("{}/deployment/create", self.base))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        ensure!(status == StatusCode::OK, "deploy: {status} {body}");
        let ids: Vec<&String> = body["deployedProcessDefinitions"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        ensure!(ids.len() == 1, "deploy: {body}");
        Ok(ids[0].clone())
    }

    /// Starts the three instances of `client` (business keys `<client>-ok|-declined|-flaky`).
    pub async fn start_instances(&self, client: &str) -> anyhow::Result<Instances> {
        let mut ids = Vec::new();
        for role in ["ok", "declined", "flaky"] {
            let response = self
                .http
                .post(format!(
                    "{}/process-definition/key/{PROCESS_KEY}/start",
                    self.base
                ))
                .json(&json!({"businessKey": format!("{client}-{role}"),
                    "variables": {"customer": {"value": "ACME", "type": "String"}}}))
                .send()
                .await?;
            let status = response.status();
            let body: Value = response.json().await?;
            ensure!(
                status == StatusCode::OK,
                "start {client}-{role}: {status} {body}"
            );
            ids.push(body["id"].as_str().unwrap_or_default().to_owned());
        }
        Ok(Instances {
            ok: ids[0].clone(),
            declined: ids[1].clone(),
            flaky: ids[2].clone(),
        })
    }

    /// Waits (at most `limit`) until ok and declined have completed and flaky has its incident.
    pub async fn wait_until_settled(
        &self,
        instances: &Instances,
        limit: Duration,
    ) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let ok = self
                .get(&format!("/history/process-instance/{}", instances.ok))
                .await?;
            let declined = self
                .get(&format!("/history/process-instance/{}", instances.declined))
                .await?;
            let incidents = self
                .get(&format!(
                    "/incident/count?processInstanceId={}",
                    instances.flaky
                ))
                .await?;
            if ok["state"] == "COMPLETED"
                && declined["state"] == "COMPLETED"
                && incidents["count"] == 1
            {
                return Ok(());
            }
            ensure!(
                tokio::time::Instant::now() < deadline,
                "the scenario did not settle within {limit:?}: ok {}, declined {}, incidents on flaky {}",
                ok["state"],
                declined["state"],
                incidents["count"]
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The activity ids an instance passed, in order.
    async fn path(&self, id: &str) -> anyhow::Result<Vec<String>> {
        let activities = self
            .get(&format!(
                "/history/activity-instance?processInstanceId={id}&sortBy=startTime&sortOrder=asc"
            ))
            .await?;
        Ok(activities
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["activityId"].as_str().map(str::to_owned))
            .collect())
    }

    /// Everything the engine must hold after a client served `instances` of `client`.
    pub async fn assert_scenario(&self, client: &str, instances: &Instances) -> anyhow::Result<()> {
        // ok: the gateway took notify (total > 100), charge completed.
        let ok = self
            .get(&format!("/history/process-instance/{}", instances.ok))
            .await?;
        assert_eq!(ok["state"], "COMPLETED", "{ok}");
        assert_eq!(ok["businessKey"], format!("{client}-ok"));
        assert_eq!(
            self.path(&instances.ok).await?,
            ["start", "fulfil", "route", "notify", "charge", "paid"]
        );

        // declined: the BPMN error left charge through its boundary event.
        let declined = self
            .get(&format!("/history/process-instance/{}", instances.declined))
            .await?;
        assert_eq!(declined["state"], "COMPLETED", "{declined}");
        assert_eq!(
            self.path(&instances.declined).await?,
            [
                "start",
                "fulfil",
                "route",
                "charge",
                "onDeclined",
                "refund",
                "refunded"
            ]
        );
        let charge = self
            .get(&format!(
                "/history/activity-instance?processInstanceId={}&activityId=charge",
                instances.declined
            ))
            .await?;
        assert_eq!(charge[0]["canceled"], true, "{charge}");
        let running = self
            .get(&format!("/process-instance?businessKey={client}-ok"))
            .await?;
        assert_eq!(running, json!([]), "ended instances leave the runtime");

        // flaky: retries ran out at flaky, an incident holds the instance there.
        let flaky = self
            .get(&format!("/history/process-instance/{}", instances.flaky))
            .await?;
        assert_eq!(flaky["state"], "ACTIVE", "{flaky}");
        assert_eq!(
            self.path(&instances.flaky).await?,
            ["start", "fulfil", "route", "flaky"]
        );
        let tasks = self
            .get(&format!(
                "/external-task?processInstanceId={}",
                instances.flaky
            ))
            .await?;
        assert_eq!(tasks.as_array().map(Vec::len), Some(1), "{tasks}");
        let task = &tasks[0];
        assert_eq!(task["activityId"], "flaky");
        assert_eq!(task["retries"], 0, "{task}");
        assert_eq!(task["errorMessage"], FLAKY_MESSAGE);
        let incidents = self
            .get(&format!("/incident?processInstanceId={}", instances.flaky))
            .await?;
        assert_eq!(incidents.as_array().map(Vec::len), Some(1), "{incidents}");
        let incident = &incidents[0];
        assert_eq!(incident["incidentType"], "failedExternalTask");
        assert_eq!(incident["incidentMessage"], FLAKY_MESSAGE);
        assert_eq!(incident["activityId"], "flaky");
        assert_eq!(incident["configuration"], task["id"]);
        let tree = self
            .get(&format!(
                "/process-instance/{}/activity-instances",
                instances.flaky
            ))
            .await?;
        let flaky_node = &tree["childActivityInstances"][0];
        assert_eq!(flaky_node["activityId"], "flaky", "{tree}");
        assert_eq!(
            flaky_node["incidentIds"],
            json!([incident["id"]]),
            "{flaky_node}"
        );

        // The variables the client completed fulfil with, as the engine stores them.
        let vars = self
            .get(&format!("/process-instance/{}/variables", instances.flaky))
            .await?;
        let expect = |name: &str, kind: &str, value: Value| {
            assert_eq!(
                vars[name],
                json!({"type": kind, "value": value, "valueInfo": {}}),
                "variable {name} in {vars}"
            );
        };
        expect("customer", "String", json!("ACME"));
        expect("carrier", "String", json!("DHL Express"));
        expect("items", "Integer", json!(3));
        expect("trackingId", "Long", json!(12_345_678_901_i64));
        expect("total", "Double", json!(42.25));
        expect("giftWrap", "Boolean", json!(true));
        expect("shippedAt", "Date", json!("2026-03-01T10:15:30.250+0000"));
        assert_eq!(vars["parcel"]["type"], "Json", "{vars}");
        let stored: Value =
            serde_json::from_str(vars["parcel"]["value"].as_str().unwrap_or_default())?;
        assert_eq!(stored, parcel());
        assert_eq!(vars["label"]["type"], "File", "{vars}");
        assert_eq!(
            vars["label"]["valueInfo"]["filename"], "label.txt",
            "{vars}"
        );
        // Its content, where the Python (instance) and JS (execution) clients download it.
        for path in [
            format!("/process-instance/{}/variables/label/data", instances.flaky),
            format!("/execution/{}/localVariables/label/data", instances.flaky),
        ] {
            let (status, content_type, body) = self.get_raw(&path).await?;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(content_type, "text/plain", "{path}");
            assert_eq!(body, LABEL.as_bytes(), "{path}");
        }
        let (status, _, body) = self
            .get_raw(&format!(
                "/process-instance/{}/variables/carrier/data",
                instances.flaky
            ))
            .await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "not binary");
        assert!(String::from_utf8_lossy(&body).contains("not a binary value"));
        Ok(())
    }
}
