//! The engine's service interface: what `/engine-rest` (and `carpetti process …`) can ask of an
//! engine. [`crate::Engine`] implements it over the SQLite or PostgreSQL store.

mod types;

pub use types::*;

use async_trait::async_trait;

use crate::model::ModelError;
use crate::runtime::ActivityInstanceNode;
use crate::variables::{VariableError, Variables};

/// Why an engine operation failed; `rest/` maps each kind to Camunda's status and error type.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// 404 `InvalidRequestException`.
    #[error("{0}")]
    NotFound(String),
    /// 400 `InvalidRequestException` (bad input, wrong worker, nothing to correlate…).
    #[error("{0}")]
    BadRequest(String),
    /// 400 `ParseException`: a resource that does not deploy.
    #[error("ENGINE-09005 Could not parse BPMN process. Errors: resource '{resource}': {error}")]
    Parse { resource: String, error: ModelError },
    #[error(transparent)]
    Variable(#[from] VariableError),
    /// 500 `ProcessEngineException`.
    #[error("{0}")]
    Internal(String),
    /// 500: the database failed.
    #[error("storage: {0}")]
    Store(#[from] sqlx::Error),
}

pub type EngineResult<T> = Result<T, EngineError>;

/// Everything the REST API serves.
#[async_trait]
pub trait EngineApi: Send + Sync {
    async fn deploy(&self, request: DeployRequest) -> EngineResult<DeploymentInfo>;
    async fn deployments(&self, query: &DeploymentQuery) -> EngineResult<Vec<DeploymentInfo>>;
    async fn deployment(&self, id: &str) -> EngineResult<DeploymentInfo>;
    /// With `cascade`, running instances of its definitions are cancelled; without, a
    /// deployment with running instances is refused.
    async fn delete_deployment(&self, id: &str, cascade: bool) -> EngineResult<()>;

    async fn definitions(&self, query: &DefinitionQuery) -> EngineResult<Vec<DefinitionInfo>>;
    async fn definition(&self, by: &DefinitionRef) -> EngineResult<DefinitionInfo>;
    async fn definition_xml(&self, by: &DefinitionRef) -> EngineResult<(DefinitionInfo, String)>;

    async fn start(&self, by: &DefinitionRef, request: StartRequest) -> EngineResult<InstanceInfo>;
    /// Running and ended instances, as the query says (`finished`).
    async fn instances(&self, query: &InstanceQuery) -> EngineResult<Vec<InstanceInfo>>;
    async fn instance_count(&self, query: &InstanceQuery) -> EngineResult<u64>;
    /// A running or ended instance.
    async fn instance(&self, id: &str) -> EngineResult<InstanceInfo>;
    async fn delete_instance(&self, id: &str, reason: Option<String>) -> EngineResult<()>;
    async fn activity_tree(&self, id: &str) -> EngineResult<ActivityInstanceNode>;
    async fn instance_variables(&self, id: &str) -> EngineResult<Variables>;
    async fn modify_instance_variables(
        &self,
        id: &str,
        modifications: Variables,
        deletions: Vec<String>,
    ) -> EngineResult<()>;

    async fn correlate(&self, correlation: Correlation) -> EngineResult<Vec<CorrelationResult>>;

    async fn fetch_and_lock(&self, request: FetchRequest) -> EngineResult<Vec<LockedTask>>;
    async fn complete_external_task(
        &self,
        id: &str,
        worker_id: &str,
        variables: Variables,
        locals: Variables,
    ) -> EngineResult<()>;
    async fn fail_external_task(&self, id: &str, failure: Failure) -> EngineResult<()>;
    async fn bpmn_error(
        &self,
        id: &str,
        worker_id: &str,
        code: &str,
        message: Option<String>,
        variables: Variables,
    ) -> EngineResult<()>;
    async fn extend_lock(
        &self,
        id: &str,
        worker_id: &str,
        new_duration: std::time::Duration,
    ) -> EngineResult<()>;
    async fn unlock(&self, id: &str) -> EngineResult<()>;
    /// Locks a task for `worker_id` (`POST /external-task/{id}/lock`): free, expired or already
    /// this worker's; another worker's live lock is refused.
    async fn lock_external_task(
        &self,
        id: &str,
        worker_id: &str,
        duration: std::time::Duration,
    ) -> EngineResult<()>;
    async fn set_external_task_retries(&self, id: &str, retries: i32) -> EngineResult<()>;
    async fn external_task(&self, id: &str) -> EngineResult<ExternalTaskInfo>;
    async fn external_task_error_details(&self, id: &str) -> EngineResult<Option<String>>;
    async fn external_tasks(
        &self,
        query: &ExternalTaskQuery,
    ) -> EngineResult<Vec<ExternalTaskInfo>>;
    async fn external_task_count(&self, query: &ExternalTaskQuery) -> EngineResult<u64>;
    async fn topic_names(&self) -> EngineResult<Vec<String>>;

    async fn user_tasks(&self, query: &UserTaskQuery) -> EngineResult<Vec<UserTaskInfo>>;
    async fn user_task_count(&self, query: &UserTaskQuery) -> EngineResult<u64>;
    async fn complete_user_task(&self, id: &str, variables: Variables) -> EngineResult<()>;

    async fn jobs(&self, query: &JobQuery) -> EngineResult<Vec<JobInfo>>;
    async fn job_count(&self, query: &JobQuery) -> EngineResult<u64>;
    /// Sets a job's retries (`PUT /job/{id}/retries`); a job that failed is retried at once,
    /// and raising retries from 0 resolves its `failedJob` incident.
    async fn set_job_retries(&self, id: &str, retries: i32) -> EngineResult<()>;

    async fn incidents(&self, query: &IncidentQuery) -> EngineResult<Vec<IncidentInfo>>;
    async fn incident_count(&self, query: &IncidentQuery) -> EngineResult<u64>;

    async fn historic_activities(
        &self,
        query: &HistoricActivityQuery,
    ) -> EngineResult<Vec<HistoricActivity>>;
    async fn historic_activity_count(&self, query: &HistoricActivityQuery) -> EngineResult<u64>;
}
