//! User tasks: `GET /task[/count]` and `POST /task/{id}/complete`.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::Page;
use crate::serde_ext::opt_date;

/// TaskDto.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Task {
    pub id: String,
    pub name: Option<String>,
    pub assignee: Option<String>,
    pub owner: Option<String>,
    #[serde(with = "opt_date")]
    pub created: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub last_updated: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub due: Option<DateTime<FixedOffset>>,
    #[serde(with = "opt_date")]
    pub follow_up: Option<DateTime<FixedOffset>>,
    pub delegation_state: Option<String>,
    pub description: Option<String>,
    pub execution_id: Option<String>,
    pub parent_task_id: Option<String>,
    pub priority: i64,
    pub process_definition_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub case_execution_id: Option<String>,
    pub case_definition_id: Option<String>,
    pub case_instance_id: Option<String>,
    pub task_definition_key: Option<String>,
    pub suspended: bool,
    pub form_key: Option<String>,
    pub tenant_id: Option<String>,
}

/// The query parameters of `GET /task`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskQuery {
    pub task_id: Option<String>,
    pub task_id_in: Vec<String>,
    pub process_instance_id: Option<String>,
    pub process_instance_id_in: Vec<String>,
    pub process_instance_business_key: Option<String>,
    pub process_definition_id: Option<String>,
    pub process_definition_key: Option<String>,
    pub execution_id: Option<String>,
    pub activity_instance_id_in: Vec<String>,
    pub task_definition_key: Option<String>,
    pub task_definition_key_in: Vec<String>,
    pub name: Option<String>,
    pub name_like: Option<String>,
    pub assignee: Option<String>,
    pub assignee_like: Option<String>,
    pub unassigned: Option<bool>,
    pub candidate_user: Option<String>,
    pub candidate_group: Option<String>,
    pub tenant_id_in: Vec<String>,
    pub active: Option<bool>,
    pub suspended: Option<bool>,
    #[serde(flatten)]
    pub page: Page,
}
