//! The persisted engine: the runtime's commands run under a row lock on the instance, and their
//! effects are written in the same transaction (SQLite for `carpetti up`, PostgreSQL for
//! distributed runs, the same SQL for both). Several engine processes on one PostgreSQL share
//! external tasks and jobs through `FOR UPDATE SKIP LOCKED`.

mod postgres;
mod sqlite;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::api::*;
use crate::runtime::ActivityInstanceNode;
use crate::variables::Variables;

pub use postgres::PgEngine;
pub use sqlite::SqliteEngine;

/// Where the engine keeps its state.
#[derive(Debug, Clone)]
pub enum EngineStorage {
    Sqlite(PathBuf),
    Postgres { url: String, max_connections: u32 },
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub storage: EngineStorage,
    /// How often the job executor looks for due jobs when nothing woke it.
    pub job_poll: Duration,
    /// How often a long-polling fetchAndLock looks again for tasks other nodes created.
    pub fetch_poll: Duration,
    /// How many groups of external-task completes are written at once — group commit: the
    /// commands that arrive meanwhile wait and go in the next group. Instance starts are grouped
    /// too, one group at a time. 0 writes each complete and each start in its own transaction.
    pub command_groups: usize,
}

impl EngineConfig {
    /// Groups written at once by default: one being written while the next fills.
    pub const DEFAULT_COMMAND_GROUPS: usize = 2;

    pub fn new(storage: EngineStorage) -> Self {
        Self {
            storage,
            job_poll: Duration::from_millis(500),
            fetch_poll: Duration::from_millis(500),
            command_groups: Self::DEFAULT_COMMAND_GROUPS,
        }
    }
}

/// The engine on one of its two backends.
pub enum Engine {
    Sqlite(Arc<SqliteEngine>),
    Postgres(Arc<PgEngine>),
}

impl Engine {
    /// Opens the store (creating and migrating it) and returns the engine.
    pub async fn open(config: EngineConfig) -> EngineResult<Arc<Engine>> {
        Ok(Arc::new(match &config.storage {
            EngineStorage::Sqlite(path) => Engine::Sqlite(SqliteEngine::open(path, &config).await?),
            EngineStorage::Postgres {
                url,
                max_connections,
            } => Engine::Postgres(PgEngine::open(url, *max_connections, &config).await?),
        }))
    }

    /// What the engine stores in, for operators.
    pub fn description(&self) -> &str {
        match self {
            Engine::Sqlite(e) => e.description(),
            Engine::Postgres(e) => e.description(),
        }
    }

    /// Runs the job executor (timers, call activities between instances) until `shutdown`.
    pub async fn run_jobs(&self, shutdown: tokio_util::sync::CancellationToken) {
        match self {
            Engine::Sqlite(e) => e.run_jobs(shutdown).await,
            Engine::Postgres(e) => e.run_jobs(shutdown).await,
        }
    }

    /// How the external-task completes since the engine opened were written (group commit).
    pub fn completion_stats(&self) -> GroupStats {
        match self {
            Engine::Sqlite(e) => e.completion_stats(),
            Engine::Postgres(e) => e.completion_stats(),
        }
    }

    /// How the instance starts since the engine opened were written (group commit).
    pub fn start_stats(&self) -> GroupStats {
        match self {
            Engine::Sqlite(e) => e.start_stats(),
            Engine::Postgres(e) => e.start_stats(),
        }
    }

    /// Executes the jobs due now once; returns how many ran (tests, and after commands).
    pub async fn run_due_jobs(&self) -> EngineResult<usize> {
        match self {
            Engine::Sqlite(e) => e.run_due_jobs().await,
            Engine::Postgres(e) => e.run_due_jobs().await,
        }
    }
}

macro_rules! delegate {
    ($self:ident, $method:ident ( $($arg:expr),* )) => {
        match $self {
            Engine::Sqlite(e) => e.$method($($arg),*).await,
            Engine::Postgres(e) => e.$method($($arg),*).await,
        }
    };
}

#[async_trait]
impl EngineApi for Engine {
    async fn deploy(&self, request: DeployRequest) -> EngineResult<DeploymentInfo> {
        delegate!(self, deploy(request))
    }
    async fn deployments(&self, query: &DeploymentQuery) -> EngineResult<Vec<DeploymentInfo>> {
        delegate!(self, deployments(query))
    }
    async fn deployment(&self, id: &str) -> EngineResult<DeploymentInfo> {
        delegate!(self, deployment(id))
    }
    async fn delete_deployment(&self, id: &str, cascade: bool) -> EngineResult<()> {
        delegate!(self, delete_deployment(id, cascade))
    }
    async fn definitions(&self, query: &DefinitionQuery) -> EngineResult<Vec<DefinitionInfo>> {
        delegate!(self, definitions(query))
    }
    async fn definition(&self, by: &DefinitionRef) -> EngineResult<DefinitionInfo> {
        delegate!(self, definition(by))
    }
    async fn definition_xml(&self, by: &DefinitionRef) -> EngineResult<(DefinitionInfo, String)> {
        delegate!(self, definition_xml(by))
    }
    async fn start(&self, by: &DefinitionRef, request: StartRequest) -> EngineResult<InstanceInfo> {
        delegate!(self, start(by, request))
    }
    async fn instances(&self, query: &InstanceQuery) -> EngineResult<Vec<InstanceInfo>> {
        delegate!(self, instances(query))
    }
    async fn instance_count(&self, query: &InstanceQuery) -> EngineResult<u64> {
        delegate!(self, instance_count(query))
    }
    async fn instance(&self, id: &str) -> EngineResult<InstanceInfo> {
        delegate!(self, instance(id))
    }
    async fn delete_instance(&self, id: &str, reason: Option<String>) -> EngineResult<()> {
        delegate!(self, delete_instance(id, reason))
    }
    async fn activity_tree(&self, id: &str) -> EngineResult<ActivityInstanceNode> {
        delegate!(self, activity_tree(id))
    }
    async fn instance_variables(&self, id: &str) -> EngineResult<Variables> {
        delegate!(self, instance_variables(id))
    }
    async fn modify_instance_variables(
        &self,
        id: &str,
        modifications: Variables,
        deletions: Vec<String>,
    ) -> EngineResult<()> {
        delegate!(
            self,
            modify_instance_variables(id, modifications, deletions)
        )
    }
    async fn correlate(&self, correlation: Correlation) -> EngineResult<Vec<CorrelationResult>> {
        delegate!(self, correlate(correlation))
    }
    async fn fetch_and_lock(&self, request: FetchRequest) -> EngineResult<Vec<LockedTask>> {
        delegate!(self, fetch_and_lock(request))
    }
    async fn complete_external_task(
        &self,
        id: &str,
        worker_id: &str,
        variables: Variables,
        locals: Variables,
    ) -> EngineResult<()> {
        delegate!(
            self,
            complete_external_task(id, worker_id, variables, locals)
        )
    }
    async fn fail_external_task(&self, id: &str, failure: Failure) -> EngineResult<()> {
        delegate!(self, fail_external_task(id, failure))
    }
    async fn bpmn_error(
        &self,
        id: &str,
        worker_id: &str,
        code: &str,
        message: Option<String>,
        variables: Variables,
    ) -> EngineResult<()> {
        delegate!(self, bpmn_error(id, worker_id, code, message, variables))
    }
    async fn extend_lock(
        &self,
        id: &str,
        worker_id: &str,
        new_duration: Duration,
    ) -> EngineResult<()> {
        delegate!(self, extend_lock(id, worker_id, new_duration))
    }
    async fn unlock(&self, id: &str) -> EngineResult<()> {
        delegate!(self, unlock(id))
    }
    async fn lock_external_task(
        &self,
        id: &str,
        worker_id: &str,
        duration: Duration,
    ) -> EngineResult<()> {
        delegate!(self, lock_external_task(id, worker_id, duration))
    }
    async fn set_external_task_retries(&self, id: &str, retries: i32) -> EngineResult<()> {
        delegate!(self, set_external_task_retries(id, retries))
    }
    async fn external_task(&self, id: &str) -> EngineResult<ExternalTaskInfo> {
        delegate!(self, external_task(id))
    }
    async fn external_task_error_details(&self, id: &str) -> EngineResult<Option<String>> {
        delegate!(self, external_task_error_details(id))
    }
    async fn external_tasks(
        &self,
        query: &ExternalTaskQuery,
    ) -> EngineResult<Vec<ExternalTaskInfo>> {
        delegate!(self, external_tasks(query))
    }
    async fn external_task_count(&self, query: &ExternalTaskQuery) -> EngineResult<u64> {
        delegate!(self, external_task_count(query))
    }
    async fn topic_names(&self) -> EngineResult<Vec<String>> {
        delegate!(self, topic_names())
    }
    async fn user_tasks(&self, query: &UserTaskQuery) -> EngineResult<Vec<UserTaskInfo>> {
        delegate!(self, user_tasks(query))
    }
    async fn user_task_count(&self, query: &UserTaskQuery) -> EngineResult<u64> {
        delegate!(self, user_task_count(query))
    }
    async fn complete_user_task(&self, id: &str, variables: Variables) -> EngineResult<()> {
        delegate!(self, complete_user_task(id, variables))
    }
    async fn jobs(&self, query: &JobQuery) -> EngineResult<Vec<JobInfo>> {
        delegate!(self, jobs(query))
    }
    async fn job_count(&self, query: &JobQuery) -> EngineResult<u64> {
        delegate!(self, job_count(query))
    }
    async fn set_job_retries(&self, id: &str, retries: i32) -> EngineResult<()> {
        delegate!(self, set_job_retries(id, retries))
    }
    async fn incidents(&self, query: &IncidentQuery) -> EngineResult<Vec<IncidentInfo>> {
        delegate!(self, incidents(query))
    }
    async fn incident_count(&self, query: &IncidentQuery) -> EngineResult<u64> {
        delegate!(self, incident_count(query))
    }
    async fn historic_activities(
        &self,
        query: &HistoricActivityQuery,
    ) -> EngineResult<Vec<HistoricActivity>> {
        delegate!(self, historic_activities(query))
    }
    async fn historic_activity_count(&self, query: &HistoricActivityQuery) -> EngineResult<u64> {
        delegate!(self, historic_activity_count(query))
    }
}
