//! The engine's operations in its own words — requests, queries and results — independent of
//! the Camunda REST shapes `rest/` maps them to.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::variables::Variables;

/// `POST /deployment/create`.
#[derive(Debug, Clone, Default)]
pub struct DeployRequest {
    pub name: Option<String>,
    pub source: Option<String>,
    pub tenant_id: Option<String>,
    /// An identical deployment (same name, same resources) returns the existing one.
    pub duplicate_filtering: bool,
    /// Only resources that changed are deployed again (implies duplicate filtering).
    pub changed_only: bool,
    /// (file name, content).
    pub resources: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone)]
pub struct DeploymentInfo {
    pub id: String,
    pub name: Option<String>,
    pub source: Option<String>,
    pub tenant_id: Option<String>,
    pub deployed_at: DateTime<Utc>,
    /// The definitions this deployment created (empty when duplicate filtering returned an
    /// existing deployment unchanged).
    pub definitions: Vec<DefinitionInfo>,
}

#[derive(Debug, Clone, Default)]
pub struct DeploymentQuery {
    pub id: Option<String>,
    pub name: Option<String>,
    pub name_like: Option<String>,
    pub source: Option<String>,
    pub page: Page,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionInfo {
    pub id: String,
    pub key: String,
    pub version: i32,
    pub name: Option<String>,
    pub deployment_id: String,
    pub resource: String,
    pub version_tag: Option<String>,
}

/// Paging and sorting shared by every list (`firstResult`, `maxResults`, `sortBy`, `sortOrder`).
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub first_result: Option<u32>,
    pub max_results: Option<u32>,
    /// A Camunda `sortBy` name, and whether ascending.
    pub sort: Option<(String, bool)>,
}

#[derive(Debug, Clone, Default)]
pub struct DefinitionQuery {
    pub id: Option<String>,
    pub ids: Vec<String>,
    pub key: Option<String>,
    pub keys: Vec<String>,
    pub key_like: Option<String>,
    pub name: Option<String>,
    pub name_like: Option<String>,
    pub deployment_id: Option<String>,
    pub version: Option<i32>,
    pub latest_version: bool,
    pub resource_name: Option<String>,
    pub version_tag: Option<String>,
    pub page: Page,
}

#[derive(Debug, Clone)]
pub enum DefinitionRef {
    Id(String),
    Key(String),
}

#[derive(Debug, Clone, Default)]
pub struct StartRequest {
    pub business_key: Option<String>,
    pub variables: Variables,
}

/// A process instance, running or ended (the history view shows both).
#[derive(Debug, Clone)]
pub struct InstanceInfo {
    pub id: String,
    pub definition_id: String,
    pub definition_key: String,
    pub definition_name: Option<String>,
    pub definition_version: i32,
    pub business_key: Option<String>,
    pub super_instance_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// ACTIVE | COMPLETED | EXTERNALLY_TERMINATED | INTERNALLY_TERMINATED
    pub state: String,
    pub start_activity_id: Option<String>,
    pub delete_reason: Option<String>,
    /// Open incidents.
    pub incidents: u32,
}

/// A `variables` filter of an instance query: `name_op_value`.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableFilter {
    pub name: String,
    /// eq | neq | gt | gteq | lt | lteq | like
    pub op: String,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct InstanceQuery {
    pub ids: Vec<String>,
    pub business_key: Option<String>,
    pub business_key_like: Option<String>,
    pub definition_id: Option<String>,
    pub definition_key: Option<String>,
    pub definition_keys: Vec<String>,
    pub super_instance_id: Option<String>,
    pub with_incident: bool,
    /// Instances currently waiting in one of these activities.
    pub activity_ids: Vec<String>,
    pub variables: Vec<VariableFilter>,
    /// `None` = running and ended; `Some(false)` = running only (the runtime view); `Some(true)`
    /// = ended only.
    pub finished: Option<bool>,
    pub started_after: Option<DateTime<Utc>>,
    pub started_before: Option<DateTime<Utc>>,
    pub page: Page,
}

#[derive(Debug, Clone, Default)]
pub struct Correlation {
    pub message_name: String,
    pub business_key: Option<String>,
    pub process_instance_id: Option<String>,
    /// Process variables a waiting instance must have with these values.
    pub correlation_keys: Variables,
    pub process_variables: Variables,
    /// Correlate to every match instead of exactly one.
    pub all: bool,
    pub start_messages_only: bool,
}

#[derive(Debug, Clone)]
pub struct CorrelationResult {
    /// true: an instance was started by a message start event; false: a waiting execution.
    pub started: bool,
    pub execution_id: Option<String>,
    pub instance: InstanceInfo,
}

#[derive(Debug, Clone)]
pub struct FetchRequest {
    pub worker_id: String,
    pub max_tasks: u32,
    pub use_priority: bool,
    /// Long polling: hold the request up to this long while nothing matches.
    pub async_response_timeout: Option<Duration>,
    pub topics: Vec<TopicFetch>,
}

#[derive(Debug, Clone, Default)]
pub struct TopicFetch {
    pub name: String,
    pub lock_duration: Duration,
    /// Variable names to return; `None` = all.
    pub variables: Option<Vec<String>>,
    pub local_variables: bool,
    pub business_key: Option<String>,
    pub definition_id: Option<String>,
    pub definition_ids: Vec<String>,
    pub definition_key: Option<String>,
    pub definition_keys: Vec<String>,
    /// Only tasks whose instance has these variable values.
    pub process_variables: Variables,
    pub include_extension_properties: bool,
}

#[derive(Debug, Clone)]
pub struct ExternalTaskInfo {
    pub id: String,
    pub topic: String,
    pub worker_id: Option<String>,
    pub lock_expires_at: Option<DateTime<Utc>>,
    /// `None` until the first failure report.
    pub retries: Option<i32>,
    pub error_message: Option<String>,
    pub activity_id: String,
    pub activity_instance_id: String,
    pub execution_id: String,
    pub process_instance_id: String,
    pub process_definition_id: String,
    pub process_definition_key: String,
    pub business_key: Option<String>,
    pub priority: i64,
    pub created_at: DateTime<Utc>,
    pub properties: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct LockedTask {
    pub task: ExternalTaskInfo,
    pub variables: Variables,
}

#[derive(Debug, Clone, Default)]
pub struct ExternalTaskQuery {
    pub id: Option<String>,
    pub topic: Option<String>,
    pub worker_id: Option<String>,
    pub locked: Option<bool>,
    /// `Some(true)`: retries left (or never failed); `Some(false)`: retries exhausted.
    pub with_retries_left: Option<bool>,
    pub activity_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub definition_id: Option<String>,
    pub page: Page,
}

#[derive(Debug, Clone, Default)]
pub struct Failure {
    pub worker_id: String,
    pub error_message: Option<String>,
    pub error_details: Option<String>,
    pub retries: i32,
    pub retry_timeout: Duration,
    /// Set on the task's execution (Camunda's propagation), like a complete's.
    pub variables: Variables,
    /// Set on the task's activity only.
    pub local_variables: Variables,
}

#[derive(Debug, Clone)]
pub struct UserTaskInfo {
    pub id: String,
    pub name: Option<String>,
    pub assignee: Option<String>,
    pub candidate_groups: Option<String>,
    pub created_at: DateTime<Utc>,
    pub execution_id: String,
    pub process_instance_id: String,
    pub process_definition_id: String,
    /// The user task's activity id (`taskDefinitionKey`).
    pub activity_id: String,
    pub form_key: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct UserTaskQuery {
    pub id: Option<String>,
    pub process_instance_id: Option<String>,
    pub activity_id: Option<String>,
    pub assignee: Option<String>,
    pub candidate_group: Option<String>,
    pub business_key: Option<String>,
    pub page: Page,
}

#[derive(Debug, Clone)]
pub struct IncidentInfo {
    pub id: String,
    pub process_definition_id: String,
    pub process_instance_id: String,
    pub execution_id: String,
    pub created_at: DateTime<Utc>,
    /// failedExternalTask | failedJob | failedExpression
    pub kind: String,
    pub activity_id: String,
    /// The external task id or job id.
    pub configuration: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct IncidentQuery {
    pub id: Option<String>,
    pub kind: Option<String>,
    pub process_instance_id: Option<String>,
    pub definition_id: Option<String>,
    pub activity_id: Option<String>,
    pub configuration: Option<String>,
    pub page: Page,
}

#[derive(Debug, Clone)]
pub struct HistoricActivity {
    pub id: String,
    pub parent_activity_instance_id: String,
    pub activity_id: String,
    pub activity_name: Option<String>,
    pub activity_type: String,
    pub process_definition_id: String,
    pub process_definition_key: String,
    pub process_instance_id: String,
    pub execution_id: String,
    pub task_id: Option<String>,
    pub called_process_instance_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub canceled: bool,
}

#[derive(Debug, Clone, Default)]
pub struct HistoricActivityQuery {
    pub process_instance_id: Option<String>,
    pub activity_id: Option<String>,
    pub activity_type: Option<String>,
    pub finished: Option<bool>,
    pub page: Page,
}

/// A job: a timer, or the engine's own deferred work between instances.
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub id: String,
    /// timer | start-timer | call-start | call-result | cancel
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub process_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    pub activity_id: Option<String>,
    pub retries: i32,
    /// The last failure, when it failed.
    pub exception_message: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct JobQuery {
    pub id: Option<String>,
    pub process_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    pub activity_id: Option<String>,
    /// `Some(true)`: retries left; `Some(false)`: failed for good (an incident).
    pub with_retries_left: Option<bool>,
    pub page: Page,
}

/// How an engine wrote the commands of one kind it received (group commit): `groups`
/// transactions held `grouped` commands between them; `alone` were written one per transaction
/// (groups switched off, a second complete on an instance already in the group, a command the
/// group could not take such as a complete by the wrong worker, or a group that failed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct GroupStats {
    pub groups: u64,
    pub grouped: u64,
    pub alone: u64,
    /// Time groups spent being written (from taking their commands to answering the last one),
    /// summed over groups.
    pub writing: std::time::Duration,
}
