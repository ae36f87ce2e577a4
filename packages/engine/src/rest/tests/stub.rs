//! A stub engine for the router tests.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;

use crate::api::*;
use crate::runtime::ActivityInstanceNode;
use crate::variables::Variables;

/// Answers a few calls, records what it was asked, and says "not found" to the rest.
#[derive(Default)]
pub(super) struct Stub {
    pub fetched: Mutex<Option<FetchRequest>>,
    pub started: Mutex<Option<StartRequest>>,
    pub deployed: Mutex<Option<DeployRequest>>,
    pub unlocked: Mutex<Vec<String>>,
}

fn nf<T>() -> EngineResult<T> {
    Err(EngineError::NotFound("stub: no such thing".into()))
}

fn definition() -> DefinitionInfo {
    DefinitionInfo {
        id: "order:1:abc".into(),
        key: "order".into(),
        version: 1,
        name: Some("Order".into()),
        deployment_id: "dep-1".into(),
        resource: "order.bpmn".into(),
        version_tag: None,
    }
}

fn instance() -> InstanceInfo {
    InstanceInfo {
        id: "pi-1".into(),
        definition_id: "order:1:abc".into(),
        definition_key: "order".into(),
        definition_name: None,
        definition_version: 1,
        business_key: Some("bk".into()),
        super_instance_id: None,
        started_at: Utc::now(),
        ended_at: None,
        state: "ACTIVE".into(),
        start_activity_id: None,
        delete_reason: None,
        incidents: 0,
    }
}

#[async_trait]
impl EngineApi for Stub {
    async fn deploy(&self, request: DeployRequest) -> EngineResult<DeploymentInfo> {
        *self.deployed.lock().expect("lock") = Some(request.clone());
        Ok(DeploymentInfo {
            id: "dep-1".into(),
            name: request.name,
            source: request.source,
            tenant_id: None,
            deployed_at: Utc::now(),
            definitions: vec![definition()],
        })
    }
    async fn deployments(&self, _: &DeploymentQuery) -> EngineResult<Vec<DeploymentInfo>> {
        Ok(Vec::new())
    }
    async fn deployment(&self, _: &str) -> EngineResult<DeploymentInfo> {
        nf()
    }
    async fn delete_deployment(&self, _: &str, _: bool) -> EngineResult<()> {
        nf()
    }
    async fn definitions(&self, _: &DefinitionQuery) -> EngineResult<Vec<DefinitionInfo>> {
        Ok(vec![definition()])
    }
    async fn definition(&self, by: &DefinitionRef) -> EngineResult<DefinitionInfo> {
        match by {
            DefinitionRef::Key(k) if k == "order" => Ok(definition()),
            _ => nf(),
        }
    }
    async fn definition_xml(&self, _: &DefinitionRef) -> EngineResult<(DefinitionInfo, String)> {
        nf()
    }
    async fn start(&self, _: &DefinitionRef, request: StartRequest) -> EngineResult<InstanceInfo> {
        *self.started.lock().expect("lock") = Some(request);
        Ok(instance())
    }
    async fn instances(&self, _: &InstanceQuery) -> EngineResult<Vec<InstanceInfo>> {
        Ok(vec![instance()])
    }
    async fn instance_count(&self, _: &InstanceQuery) -> EngineResult<u64> {
        Ok(1)
    }
    async fn instance(&self, _: &str) -> EngineResult<InstanceInfo> {
        nf()
    }
    async fn delete_instance(&self, _: &str, _: Option<String>) -> EngineResult<()> {
        nf()
    }
    async fn activity_tree(&self, _: &str) -> EngineResult<ActivityInstanceNode> {
        nf()
    }
    async fn instance_variables(&self, _: &str) -> EngineResult<Variables> {
        nf()
    }
    async fn modify_instance_variables(
        &self,
        _: &str,
        _: Variables,
        _: Vec<String>,
    ) -> EngineResult<()> {
        nf()
    }
    async fn correlate(&self, _: Correlation) -> EngineResult<Vec<CorrelationResult>> {
        Err(EngineError::BadRequest("stub: nothing to correlate".into()))
    }
    async fn fetch_and_lock(&self, request: FetchRequest) -> EngineResult<Vec<LockedTask>> {
        *self.fetched.lock().expect("lock") = Some(request);
        Ok(Vec::new())
    }
    async fn complete_external_task(
        &self,
        _: &str,
        _: &str,
        _: Variables,
        _: Variables,
    ) -> EngineResult<()> {
        Err(EngineError::BadRequest(
            "stub: locked by another worker".into(),
        ))
    }
    async fn fail_external_task(&self, _: &str, _: Failure) -> EngineResult<()> {
        nf()
    }
    async fn bpmn_error(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: Option<String>,
        _: Variables,
    ) -> EngineResult<()> {
        nf()
    }
    async fn extend_lock(&self, _: &str, _: &str, _: Duration) -> EngineResult<()> {
        nf()
    }
    async fn lock_external_task(&self, _: &str, _: &str, _: Duration) -> EngineResult<()> {
        nf()
    }
    async fn jobs(&self, _: &JobQuery) -> EngineResult<Vec<JobInfo>> {
        Ok(Vec::new())
    }
    async fn job_count(&self, _: &JobQuery) -> EngineResult<u64> {
        Ok(0)
    }
    async fn set_job_retries(&self, _: &str, _: i32) -> EngineResult<()> {
        nf()
    }
    async fn unlock(&self, id: &str) -> EngineResult<()> {
        self.unlocked.lock().expect("lock").push(id.to_owned());
        Ok(())
    }
    async fn set_external_task_retries(&self, _: &str, _: i32) -> EngineResult<()> {
        nf()
    }
    async fn external_task(&self, _: &str) -> EngineResult<ExternalTaskInfo> {
        nf()
    }
    async fn external_task_error_details(&self, _: &str) -> EngineResult<Option<String>> {
        nf()
    }
    async fn external_tasks(&self, _: &ExternalTaskQuery) -> EngineResult<Vec<ExternalTaskInfo>> {
        Ok(Vec::new())
    }
    async fn external_task_count(&self, _: &ExternalTaskQuery) -> EngineResult<u64> {
        Ok(0)
    }
    async fn topic_names(&self) -> EngineResult<Vec<String>> {
        Ok(vec!["a".into()])
    }
    async fn user_tasks(&self, _: &UserTaskQuery) -> EngineResult<Vec<UserTaskInfo>> {
        Ok(Vec::new())
    }
    async fn user_task_count(&self, _: &UserTaskQuery) -> EngineResult<u64> {
        Ok(0)
    }
    async fn complete_user_task(&self, _: &str, _: Variables) -> EngineResult<()> {
        nf()
    }
    async fn incidents(&self, _: &IncidentQuery) -> EngineResult<Vec<IncidentInfo>> {
        Ok(Vec::new())
    }
    async fn incident_count(&self, _: &IncidentQuery) -> EngineResult<u64> {
        Ok(0)
    }
    async fn historic_activities(
        &self,
        _: &HistoricActivityQuery,
    ) -> EngineResult<Vec<HistoricActivity>> {
        Ok(Vec::new())
    }
    async fn historic_activity_count(&self, _: &HistoricActivityQuery) -> EngineResult<u64> {
        Ok(0)
    }
}
