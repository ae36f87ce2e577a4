//! With a scripted engine: the schema is sent again when the instance moves to another
//! definition version (a migration), and an engine outage is an `engine_unavailable` message
//! after which the stream resumes by itself.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use carpetti_camunda::ActivityInstance;
use carpetti_process_adapter::cursor::{IncidentDetail, InstanceState};
use carpetti_process_adapter::engine::{EngineUnavailable, InstanceRef, Polled, ProcessEngine};
use carpetti_process_adapter::stats::EngineStats;
use serde_json::json;

use crate::support::{TestAdapter, Viewer, at, settings};

struct Scripted {
    tree: Mutex<ActivityInstance>,
    down: AtomicBool,
    stats: EngineStats,
}

fn tree(definition: &str, activity: &str) -> ActivityInstance {
    serde_json::from_value(json!({
        "id": "pi", "activityId": "p", "processDefinitionId": definition,
        "childActivityInstances": [{"id": "a", "parentActivityInstanceId": "pi",
            "activityId": activity, "childActivityInstances": [], "childTransitionInstances": [],
            "executionIds": [], "incidentIds": [], "incidents": []}],
        "childTransitionInstances": [], "executionIds": [], "incidentIds": [], "incidents": []
    }))
    .expect("a valid tree")
}

impl Scripted {
    fn check(&self) -> Result<(), EngineUnavailable> {
        if self.down.load(Ordering::SeqCst) {
            return Err(EngineUnavailable("connection refused".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl ProcessEngine for Scripted {
    async fn find(&self, _: &str) -> Result<Option<InstanceRef>, EngineUnavailable> {
        self.check()?;
        Ok(Some(InstanceRef {
            id: "pi".into(),
            definition_id: "steps:1".into(),
            state: InstanceState::Active,
        }))
    }

    async fn definition_xml(&self, id: &str) -> Result<String, EngineUnavailable> {
        self.check()?;
        Ok(format!("<definitions id=\"{id}\"/>"))
    }

    async fn poll(&self, _: &str) -> Result<Polled, EngineUnavailable> {
        self.check()?;
        let tree = self.tree.lock().expect("not poisoned").clone();
        Ok(Polled::Running(Box::new(tree)))
    }

    async fn incidents(&self, _: &str) -> Result<Vec<(String, IncidentDetail)>, EngineUnavailable> {
        Ok(Vec::new())
    }

    fn stats(&self) -> &EngineStats {
        &self.stats
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_definition_version_resends_the_schema_and_outages_resume() -> anyhow::Result<()> {
    let engine = Arc::new(Scripted {
        tree: Mutex::new(tree("steps:1", "Task_A")),
        down: AtomicBool::new(false),
        stats: EngineStats::default(),
    });
    let adapter = TestAdapter::with_engine(engine.clone(), None, settings()).await?;
    let mut viewer = Viewer::connect(&adapter.ws_url()).await?;
    viewer.subscribe("migrated").await?;
    let schema = viewer.next().await?;
    assert_eq!(
        (schema["type"].as_str(), schema["definitionId"].as_str()),
        (Some("schema"), Some("steps:1"))
    );
    assert_eq!(at(&viewer.next().await?), vec!["Task_A"]);

    *engine.tree.lock().expect("not poisoned") = tree("steps:2", "Task_A2");
    let schema = viewer.next().await?;
    assert_eq!(
        schema["type"], "schema",
        "the schema again after a migration: {schema}"
    );
    assert_eq!(schema["definitionId"], "steps:2");
    assert!(schema["xml"].as_str().expect("xml").contains("steps:2"));
    let cursor = viewer.next().await?;
    assert_eq!(
        (cursor["definitionId"].as_str(), at(&cursor)),
        (Some("steps:2"), vec!["Task_A2".to_owned()])
    );

    engine.down.store(true, Ordering::SeqCst);
    let error = viewer.next().await?;
    assert_eq!(
        (error["type"].as_str(), error["code"].as_str()),
        (Some("error"), Some("engine_unavailable"))
    );
    *engine.tree.lock().expect("not poisoned") = tree("steps:2", "Task_B2");
    engine.down.store(false, Ordering::SeqCst);
    let cursor = viewer.next().await?;
    assert_eq!(
        cursor["type"], "cursor",
        "the stream resumes without a new schema: {cursor}"
    );
    assert_eq!(at(&cursor), vec!["Task_B2"]);
    Ok(())
}
