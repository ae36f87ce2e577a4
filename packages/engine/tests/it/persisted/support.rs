use std::sync::Arc;

use carpetti_engine::api::*;
use carpetti_engine::variables::{TypedValue, Variables};
use carpetti_engine::{Engine, EngineConfig, EngineStorage};
use carpetti_testkit::{TestPgDatabase, TestSqliteDatabase};
use serde_json::Value;

#[allow(dead_code)]
enum Guard {
    Pg(TestPgDatabase),
    Sqlite(TestSqliteDatabase),
}

pub struct Backend {
    pub engine: Arc<Engine>,
    pub storage: EngineStorage,
    _guard: Guard,
}

impl Backend {
    pub async fn postgres() -> anyhow::Result<Self> {
        let db = TestPgDatabase::create().await?;
        let storage = EngineStorage::Postgres {
            url: db.url().to_owned(),
            max_connections: 6,
        };
        let engine = Engine::open(EngineConfig::new(storage.clone())).await?;
        Ok(Self {
            engine,
            storage,
            _guard: Guard::Pg(db),
        })
    }

    pub async fn sqlite() -> anyhow::Result<Self> {
        let db = TestSqliteDatabase::create()?;
        let storage = EngineStorage::Sqlite(db.path());
        let engine = Engine::open(EngineConfig::new(storage.clone())).await?;
        Ok(Self {
            engine,
            storage,
            _guard: Guard::Sqlite(db),
        })
    }

    /// A second engine on the same database (a restart, or another node).
    pub async fn reopen(&self) -> anyhow::Result<Arc<Engine>> {
        Ok(Engine::open(EngineConfig::new(self.storage.clone())).await?)
    }

    pub async fn deploy(&self, files: &[&str]) -> anyhow::Result<DeploymentInfo> {
        let resources = files
            .iter()
            .map(|f| (f.to_string(), crate::support::model(f).into_bytes()))
            .collect();
        Ok(self
            .engine
            .deploy(DeployRequest {
                name: Some("suite".into()),
                resources,
                ..Default::default()
            })
            .await?)
    }

    pub async fn start(
        &self,
        key: &str,
        business_key: Option<&str>,
        variables: &[(&str, Value)],
    ) -> anyhow::Result<InstanceInfo> {
        let request = StartRequest {
            business_key: business_key.map(str::to_owned),
            variables: vars(variables),
        };
        Ok(self
            .engine
            .start(&DefinitionRef::Key(key.into()), request)
            .await?)
    }

    /// Fetches (no long poll) what `worker` can lock on `topic`.
    pub async fn fetch(
        &self,
        worker: &str,
        topic: &str,
        max: u32,
    ) -> anyhow::Result<Vec<LockedTask>> {
        Ok(self
            .engine
            .fetch_and_lock(fetch_request(worker, topic, max, None))
            .await?)
    }

    /// The one task on `topic`, locked by `worker`.
    pub async fn one(&self, worker: &str, topic: &str) -> anyhow::Result<LockedTask> {
        let mut tasks = self.fetch(worker, topic, 10).await?;
        anyhow::ensure!(
            tasks.len() == 1,
            "expected one task on {topic}, got {}",
            tasks.len()
        );
        Ok(tasks.remove(0))
    }
}

pub fn fetch_request(
    worker: &str,
    topic: &str,
    max: u32,
    wait: Option<std::time::Duration>,
) -> FetchRequest {
    FetchRequest {
        worker_id: worker.into(),
        max_tasks: max,
        use_priority: true,
        async_response_timeout: wait,
        topics: vec![TopicFetch {
            name: topic.into(),
            lock_duration: std::time::Duration::from_secs(60),
            ..Default::default()
        }],
    }
}

pub fn vars(pairs: &[(&str, Value)]) -> Variables {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), TypedValue::infer(v.clone())))
        .collect()
}
