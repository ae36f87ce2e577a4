//! Incidents: `GET /incident[/count]` (a failure report with `retries = 0` raises one of type
//! `failedExternalTask` whose `configuration` is the external task id).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::Page;
use crate::serde_ext::opt_date;

/// IncidentDto.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Incident {
    pub id: String,
    pub process_definition_id: Option<String>,
    pub process_instance_id: Option<String>,
    pub execution_id: Option<String>,
    #[serde(with = "opt_date")]
    pub incident_timestamp: Option<DateTime<FixedOffset>>,
    /// `failedJob`, `failedExternalTask` or a custom type.
    pub incident_type: String,
    pub activity_id: Option<String>,
    pub failed_activity_id: Option<String>,
    pub cause_incident_id: Option<String>,
    pub root_cause_incident_id: Option<String>,
    /// The external task id (or job id) that failed.
    pub configuration: Option<String>,
    pub tenant_id: Option<String>,
    pub incident_message: Option<String>,
    pub job_definition_id: Option<String>,
    pub annotation: Option<String>,
}

/// The query parameters of `GET /incident`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentQuery {
    pub incident_id: Option<String>,
    pub incident_type: Option<String>,
    pub incident_message: Option<String>,
    pub incident_message_like: Option<String>,
    pub process_definition_id: Option<String>,
    pub process_definition_key_in: Vec<String>,
    pub process_instance_id: Option<String>,
    pub execution_id: Option<String>,
    pub activity_id: Option<String>,
    pub failed_activity_id: Option<String>,
    pub cause_incident_id: Option<String>,
    pub root_cause_incident_id: Option<String>,
    pub configuration: Option<String>,
    pub tenant_id_in: Vec<String>,
    pub job_definition_id_in: Vec<String>,
    #[serde(flatten)]
    pub page: Page,
}
