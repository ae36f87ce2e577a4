//! History: `GET /history/process-instance` (ended instances too; note the business key filter
//! is `processInstanceBusinessKey` here) and `GET /history/activity-instance` (what ran).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::Page;
use crate::serde_ext::opt_date;

/// HistoricProcessInstanceDto.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoricProcessInstance {
    pub id: String,
    pub root_process_instance_id: Option<String>,
    pub super_process_instance_id: Option<String>,
    pub super_case_instance_id: Option<String>,
    pub case_instance_id: Option<String>,
    pub process_definition_name: Option<String>,
    pub process_definition_key: Option<String>,
    pub process_definition_version: Option<i32>,
    pub process_definition_id: Option<String>,
    pub business_key: Option<String>,
    #[serde(with = "opt_date")]
    pub start_time: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub end_time: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub removal_time: Option<DateTime<FixedOffset>>,
    pub duration_in_millis: Option<i64>,
    pub start_user_id: Option<String>,
    pub start_activity_id: Option<String>,
    pub delete_reason: Option<String>,
    pub tenant_id: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `COMPLETED`, `EXTERNALLY_TERMINATED` or `INTERNALLY_TERMINATED`.
    pub state: Option<String>,
    pub restarted_process_instance_id: Option<String>,
}

impl HistoricProcessInstance {
    /// The instance has ended (normally or not).
    pub fn is_ended(&self) -> bool {
        self.end_time.is_some()
            || matches!(
                self.state.as_deref(),
                Some("COMPLETED" | "EXTERNALLY_TERMINATED" | "INTERNALLY_TERMINATED")
            )
    }
}

/// The query parameters of `GET /history/process-instance`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryProcessInstanceQuery {
    pub process_instance_id: Option<String>,
    pub process_instance_ids: Vec<String>,
    pub process_instance_business_key: Option<String>,
    pub process_instance_business_key_in: Vec<String>,
    pub process_instance_business_key_like: Option<String>,
    pub process_definition_id: Option<String>,
    pub process_definition_key: Option<String>,
    pub process_definition_key_in: Vec<String>,
    pub finished: Option<bool>,
    pub unfinished: Option<bool>,
    pub with_incidents: Option<bool>,
    #[serde(with = "opt_date")]
    pub started_before: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub started_after: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub finished_before: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub finished_after: Option<DateTime<FixedOffset>>,
    pub super_process_instance_id: Option<String>,
    pub tenant_id_in: Vec<String>,
    pub active: Option<bool>,
    pub suspended: Option<bool>,
    pub completed: Option<bool>,
    pub externally_terminated: Option<bool>,
    pub internally_terminated: Option<bool>,
    pub activity_id_in: Vec<String>,
    /// `name_op_value` filters, see [`crate::query::variable_filter`].
    pub variables: Vec<String>,
    #[serde(flatten)]
    pub page: Page,
}

/// HistoricActivityInstanceDto.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoricActivityInstance {
    pub id: String,
    pub parent_activity_instance_id: Option<String>,
    pub activity_id: String,
    pub activity_name: Option<String>,
    pub activity_type: Option<String>,
    pub process_definition_key: Option<String>,
    pub process_definition_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub execution_id: Option<String>,
    pub task_id: Option<String>,
    pub called_process_instance_id: Option<String>,
    pub called_case_instance_id: Option<String>,
    pub assignee: Option<String>,
    #[serde(with = "opt_date")]
    pub start_time: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub end_time: Option<DateTime<FixedOffset>>,
    pub duration_in_millis: Option<i64>,
    pub canceled: bool,
    pub complete_scope: bool,
    pub tenant_id: Option<String>,
    #[serde(with = "opt_date")]
    pub removal_time: Option<DateTime<FixedOffset>>,
    pub root_process_instance_id: Option<String>,
}

/// The query parameters of `GET /history/activity-instance`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryActivityInstanceQuery {
    pub activity_instance_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    pub execution_id: Option<String>,
    pub activity_id: Option<String>,
    pub activity_name: Option<String>,
    pub activity_type: Option<String>,
    pub task_assignee: Option<String>,
    pub finished: Option<bool>,
    pub unfinished: Option<bool>,
    pub canceled: Option<bool>,
    pub complete_scope: Option<bool>,
    pub tenant_id_in: Vec<String>,
    #[serde(flatten)]
    pub page: Page,
}
