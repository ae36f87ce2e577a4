//! The test harness: the embedded engine (SQLite in a temp dir) behind a counting layer, adapters
//! on port 0 (each in its own runtime so a test can kill one the hard way), WebSocket viewers and
//! a worker that moves processes step by step.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, bail};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use carpetti_camunda::dto::{Deployment, FetchAndLock, FetchTopic, StartRequest};
use carpetti_camunda::{CamundaClient, ClientConfig, Variables};
use carpetti_engine::api::EngineApi;
use carpetti_engine::rest::{RestAuth, router};
use carpetti_engine::{Engine, EngineConfig, EngineStorage};
use carpetti_process_adapter::cluster::Cluster;
use carpetti_process_adapter::engine::{CamundaEngine, ProcessEngine};
use carpetti_process_adapter::stats::Pacing;
use carpetti_process_adapter::{AdapterServer, AdapterSettings, AdapterStats, SocketSettings};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

pub fn model(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/bpmn")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Engine requests by kind, counted at the engine.
#[derive(Default)]
pub struct Calls(Mutex<BTreeMap<&'static str, u64>>);

impl Calls {
    fn record(&self, method: &str, path: &str) {
        let kind = if path.ends_with("/activity-instances") {
            "activity_instances"
        } else if path.ends_with("/xml") {
            "xml"
        } else if path.starts_with("/engine-rest/process-instance") && method == "GET" {
            "instances"
        } else if path.starts_with("/engine-rest/history/process-instance") {
            "history"
        } else if path.starts_with("/engine-rest/incident") {
            "incidents"
        } else {
            "other"
        };
        *self
            .0
            .lock()
            .expect("valid in this test")
            .entry(kind)
            .or_default() += 1;
    }

    pub fn get(&self, kind: &str) -> u64 {
        self.0
            .lock()
            .expect("valid in this test")
            .get(kind)
            .copied()
            .unwrap_or(0)
    }

    /// Every call the adapter makes (everything but the test's own deploy/start/worker calls).
    pub fn adapter_total(&self) -> u64 {
        [
            "activity_instances",
            "xml",
            "instances",
            "history",
            "incidents",
        ]
        .iter()
        .map(|k| self.get(k))
        .sum()
    }
}

async fn count(State(calls): State<Arc<Calls>>, request: Request, next: Next) -> Response {
    calls.record(request.method().as_str(), request.uri().path());
    next.run(request).await
}

/// The embedded engine on port 0.
pub struct TestEngine {
    pub url: String,
    pub client: CamundaClient,
    pub calls: Arc<Calls>,
    stop: CancellationToken,
    _dir: tempfile::TempDir,
}

impl TestEngine {
    pub async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let mut config = EngineConfig::new(EngineStorage::Sqlite(dir.path().join("engine.db")));
        config.job_poll = Duration::from_millis(100);
        let engine = Engine::open(config).await?;
        let calls = Arc::new(Calls::default());
        let app = router(engine.clone() as Arc<dyn EngineApi>, RestAuth::None)
            .layer(middleware::from_fn_with_state(calls.clone(), count));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/engine-rest", listener.local_addr()?);
        let stop = CancellationToken::new();
        {
            let stop = stop.clone();
            tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await;
            });
        }
        {
            let (engine, stop) = (engine.clone(), stop.clone());
            tokio::spawn(async move { engine.run_jobs(stop).await });
        }
        let client = CamundaClient::new(ClientConfig::new(&url)?)?;
        Ok(Self {
            url,
            client,
            calls,
            stop,
            _dir: dir,
        })
    }

    pub async fn deploy(&self, file: &str) -> anyhow::Result<()> {
        self.client
            .deploy(&Deployment::single("adapter-tests", file, model(file)))
            .await?;
        Ok(())
    }

    pub async fn start_process(&self, key: &str, business_key: &str) -> anyhow::Result<String> {
        let request = StartRequest {
            business_key: Some(business_key.to_owned()),
            ..Default::default()
        };
        Ok(self
            .client
            .start_process_by_key(key, &request)
            .await?
            .instance
            .id)
    }

    /// Completes the open task on `topic` of the instance with `business_key`.
    pub async fn complete(&self, topic: &str, business_key: &str) -> anyhow::Result<()> {
        let task = self.lock(topic, business_key).await?;
        self.client
            .complete(&task, "tests", &Variables::default(), &Variables::default())
            .await?;
        Ok(())
    }

    /// Fails the open task on `topic` without retries: an incident with `message`.
    pub async fn fail(&self, topic: &str, business_key: &str, message: &str) -> anyhow::Result<()> {
        let task = self.lock(topic, business_key).await?;
        let failure = carpetti_camunda::dto::Failure {
            worker_id: "tests".into(),
            error_message: message.into(),
            error_details: None,
            retries: 0,
            retry_timeout: 0,
            variables: None,
            local_variables: None,
        };
        self.client.failure(&task, &failure).await?;
        Ok(())
    }

    async fn lock(&self, topic: &str, business_key: &str) -> anyhow::Result<String> {
        let request = FetchAndLock {
            worker_id: "tests".into(),
            max_tasks: 1,
            async_response_timeout: Some(5000),
            topics: vec![FetchTopic {
                topic_name: topic.into(),
                lock_duration: 60_000,
                business_key: Some(business_key.into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let tasks = self.client.fetch_and_lock(&request).await?;
        match tasks.into_iter().next() {
            Some(task) => Ok(task.id),
            None => bail!("no task on {topic} for {business_key}"),
        }
    }
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Fast pacing for tests.
pub fn settings() -> AdapterSettings {
    AdapterSettings {
        listen: "127.0.0.1:0".parse().expect("valid in this test"),
        pacing: Pacing {
            min: Duration::from_millis(50),
            max: Duration::from_millis(400),
            ..Pacing::default()
        },
        ..AdapterSettings::default()
    }
}

/// An adapter in a runtime of its own: dropping it (or [`TestAdapter::kill`]) ends every task it
/// has at once, as a crash would — nothing is released.
pub struct TestAdapter {
    pub address: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestAdapter {
    pub async fn start(engine_url: &str, cluster: Option<Arc<Cluster>>) -> anyhow::Result<Self> {
        Self::start_with(engine_url, cluster, settings()).await
    }

    pub async fn start_with(
        engine_url: &str,
        cluster: Option<Arc<Cluster>>,
        settings: AdapterSettings,
    ) -> anyhow::Result<Self> {
        let client = CamundaClient::new(
            ClientConfig::new(engine_url)?.with_request_timeout(Duration::from_secs(5)),
        )?;
        Self::with_engine(Arc::new(CamundaEngine::new(client)), cluster, settings).await
    }

    /// An adapter over any [`ProcessEngine`] (a scripted one in some tests).
    pub async fn with_engine(
        engine: Arc<dyn ProcessEngine>,
        cluster: Option<Arc<Cluster>>,
        settings: AdapterSettings,
    ) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        runtime.spawn(async move {
            match AdapterServer::bind(settings, engine, cluster).await {
                Ok(server) => {
                    let _ = ready_tx.send(Ok(server.local_addr()));
                    let _ = server
                        .run(async move {
                            let _ = stop_rx.await;
                        })
                        .await;
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(anyhow::Error::from(e)));
                }
            }
        });
        let address = ready_rx.await.context("the adapter's runtime")??;
        Ok(Self {
            address,
            runtime: Some(runtime),
            stop: Some(stop_tx),
        })
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.address)
    }

    pub async fn stats(&self) -> anyhow::Result<AdapterStats> {
        let body = reqwest::get(format!("http://{}/health", self.address))
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(body)
    }

    /// Ends the adapter like a crash: its runtime is dropped with every task in it.
    pub fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for TestAdapter {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A WebSocket viewer.
pub struct Viewer {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Viewer {
    /// Connects and reads the `hello`.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let (socket, _) = tokio_tungstenite::connect_async(url).await?;
        let mut viewer = Self { socket };
        let hello = viewer.next().await?;
        assert_eq!(hello["type"], "hello", "{hello}");
        assert_eq!(hello["protocol"], 1);
        Ok(viewer)
    }

    pub async fn send(&mut self, message: Value) -> anyhow::Result<()> {
        self.socket.send(Message::text(message.to_string())).await?;
        Ok(())
    }

    pub async fn subscribe(&mut self, key: &str) -> anyhow::Result<()> {
        self.send(json!({"type": "subscribe", "businessKey": key}))
            .await
    }

    /// The next protocol message (pings are answered by tungstenite), within 10 s.
    pub async fn next(&mut self) -> anyhow::Result<Value> {
        self.next_within(Duration::from_secs(10)).await
    }

    pub async fn next_within(&mut self, limit: Duration) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .context("no message in time")?;
            match message {
                Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text)?),
                Some(Ok(Message::Close(_))) | None => bail!("the socket closed"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    /// The next message of `type`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> anyhow::Result<Value> {
        loop {
            let message = self.next().await?;
            if message["type"] == kind {
                return Ok(message);
            }
        }
    }

    /// Cursors until one satisfies `done` (within 10 s); returns it.
    pub async fn cursor_until(&mut self, done: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
        loop {
            let cursor = self.next_of("cursor").await?;
            if done(&cursor) {
                return Ok(cursor);
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// The activity ids of a cursor, in order.
pub fn at(cursor: &Value) -> Vec<String> {
    cursor["activities"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["activityId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until `check` holds (polling every 50 ms, at most `limit`).
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await? {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("condition not met within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn socket_settings_fast_ping() -> SocketSettings {
    SocketSettings {
        ping_every: Duration::from_millis(300),
        ..SocketSettings::default()
    }
}
