//! External tasks: `POST /external-task/fetchAndLock`, the `/{id}/complete|failure|bpmnError|
//! extendLock|unlock` reports, and `GET /external-task[/count]`.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Page, SortOrder};
use crate::serde_ext::{null_as_default, opt_date};
use crate::variables::{VariableValue, Variables};

/// The body of `POST /external-task/fetchAndLock`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchAndLock {
    pub worker_id: String,
    pub max_tasks: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_priority: Option<bool>,
    /// Long polling, in ms (Camunda caps it at 1,800,000): the engine holds the request until a
    /// task is available or this time has passed, then answers `[]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_response_timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sorting: Option<Vec<SortingEntry>>,
    pub topics: Vec<FetchTopic>,
}

/// `sorting` entry of a fetch (Camunda 7.16+; `createTime` only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SortingEntry {
    pub sort_by: String,
    pub sort_order: SortOrder,
}

/// One topic of a fetch, with its lock duration and filters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchTopic {
    pub topic_name: String,
    /// In ms.
    pub lock_duration: u64,
    /// The variables to fetch; `None` = all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Vec<String>>,
    /// Only the task's local variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_variables: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_definition_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_definition_id_in: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_definition_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_definition_key_in: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_definition_version_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_tenant_id: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id_in: Option<Vec<String>>,
    /// Equality filter on process variables, `{name: value}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_variables: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deserialize_values: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_extension_properties: Option<bool>,
}

impl FetchTopic {
    pub fn new(topic_name: &str, lock_duration: Duration) -> Self {
        Self {
            topic_name: topic_name.to_owned(),
            lock_duration: millis(lock_duration),
            ..Self::default()
        }
    }
}

/// A duration in whole ms, as the API counts them.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// LockedExternalTaskDto: one task of a fetchAndLock answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LockedExternalTask {
    pub id: String,
    pub topic_name: String,
    pub worker_id: Option<String>,
    pub activity_id: Option<String>,
    pub activity_instance_id: Option<String>,
    pub execution_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    pub process_definition_key: Option<String>,
    pub process_definition_version_tag: Option<String>,
    pub business_key: Option<String>,
    pub tenant_id: Option<String>,
    #[serde(with = "opt_date")]
    pub lock_expiration_time: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub create_time: Option<DateTime<FixedOffset>>,
    /// `None` until the first failure report; then what that report set.
    pub retries: Option<i32>,
    pub error_message: Option<String>,
    pub error_details: Option<String>,
    pub suspended: bool,
    pub priority: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub variables: Variables,
    /// `camunda:properties` of the activity (when `includeExtensionProperties` was asked).
    #[serde(deserialize_with = "null_as_default")]
    pub extension_properties: BTreeMap<String, String>,
}

impl LockedExternalTask {
    pub fn variable(&self, name: &str) -> Option<&VariableValue> {
        self.variables.get(name)
    }
}

/// ExternalTaskDto, an item of `GET /external-task`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExternalTask {
    pub id: String,
    pub topic_name: Option<String>,
    pub worker_id: Option<String>,
    pub activity_id: Option<String>,
    pub activity_instance_id: Option<String>,
    pub execution_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    pub process_definition_key: Option<String>,
    pub process_definition_version_tag: Option<String>,
    pub business_key: Option<String>,
    pub tenant_id: Option<String>,
    #[serde(with = "opt_date")]
    pub lock_expiration_time: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub create_time: Option<DateTime<FixedOffset>>,
    pub retries: Option<i32>,
    pub error_message: Option<String>,
    pub suspended: bool,
    pub priority: i64,
}

/// The query parameters of `GET /external-task`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalTaskQuery {
    pub external_task_id: Option<String>,
    pub external_task_id_in: Vec<String>,
    pub topic_name: Option<String>,
    pub worker_id: Option<String>,
    pub locked: Option<bool>,
    pub not_locked: Option<bool>,
    pub with_retries_left: Option<bool>,
    pub no_retries_left: Option<bool>,
    pub activity_id: Option<String>,
    pub activity_id_in: Vec<String>,
    pub execution_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub process_instance_id_in: Vec<String>,
    pub process_definition_id: Option<String>,
    pub active: Option<bool>,
    pub suspended: Option<bool>,
    pub tenant_id_in: Vec<String>,
    #[serde(flatten)]
    pub page: Page,
}

/// The body of `POST /external-task/{id}/complete`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteRequest {
    pub worker_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub variables: Variables,
    #[serde(default, deserialize_with = "null_as_default")]
    pub local_variables: Variables,
}

/// The body of `POST /external-task/{id}/failure`. `retries = 0` makes the engine raise an
/// incident; with more, the task is fetchable again after `retry_timeout` ms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub worker_id: String,
    pub error_message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_details: Option<String>,
    pub retries: u32,
    /// In ms.
    pub retry_timeout: u64,
    /// Camunda 7.17+: variables set with the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Variables>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_variables: Option<Variables>,
}

/// The body of `POST /external-task/{id}/bpmnError`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BpmnErrorRequest {
    pub worker_id: String,
    pub error_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub variables: Variables,
}

/// The body of `POST /external-task/{id}/extendLock`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtendLockRequest {
    pub worker_id: String,
    /// The new lock duration in ms, counted from now.
    pub new_duration: u64,
}
