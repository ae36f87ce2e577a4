//! What a command did besides changing the instance state: work items created or withdrawn
//! (external tasks, user tasks, timer jobs, message subscriptions), incidents, history, and the
//! call-activity traffic between instances. The store applies them in the same transaction as
//! the state.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::variables::Variables;

#[derive(Debug, Default)]
pub struct Effects {
    pub external_tasks: Vec<NewExternalTask>,
    pub user_tasks: Vec<NewUserTask>,
    /// External or user task ids withdrawn (completed, cancelled by a boundary event, ended).
    pub tasks_removed: Vec<String>,
    pub jobs: Vec<NewJob>,
    pub jobs_removed: Vec<String>,
    pub subscriptions: Vec<NewSubscription>,
    pub subscriptions_removed: Vec<String>,
    pub incidents: Vec<NewIncident>,
    /// Incident ids resolved (their activity was cancelled or completed).
    pub incidents_resolved: Vec<String>,
    pub history: Vec<ActivityEvent>,
    /// Child instances to start for call activities.
    pub calls: Vec<CallStart>,
    /// Child instances to terminate (their call activity was cancelled).
    pub calls_cancelled: Vec<String>,
    /// For a called instance that ended: what goes back to the call activity.
    pub call_result: Option<CallResult>,
    /// A BPMN error nothing in this (called) instance caught: (code, message).
    pub escaped_error: Option<(String, Option<String>)>,
    /// Set when the instance ended in this command.
    pub ended: Option<crate::runtime::state::EndState>,
}

#[derive(Debug, Clone)]
pub struct NewExternalTask {
    pub id: String,
    pub topic: String,
    pub priority: i64,
    pub activity_id: Arc<str>,
    pub activity_instance_id: String,
    pub execution_id: String,
    pub properties: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct NewUserTask {
    pub id: String,
    pub name: Option<String>,
    pub activity_id: String,
    pub activity_instance_id: String,
    pub execution_id: String,
    pub assignee: Option<String>,
    pub candidate_groups: Option<String>,
    pub form_key: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: String,
    pub due: DateTime<Utc>,
    /// The timer's element id.
    pub activity_id: String,
    /// The token (catch event) or activity instance (boundary) the timer belongs to.
    pub target: String,
    /// The evaluated timer text, kept so a cycle can be re-scheduled.
    pub schedule: String,
    pub kind: TimerKind,
    /// How many times it fired before (cycles).
    pub fired: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    Date,
    Duration,
    Cycle,
}

impl TimerKind {
    pub fn name(self) -> &'static str {
        match self {
            TimerKind::Date => "date",
            TimerKind::Duration => "duration",
            TimerKind::Cycle => "cycle",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "date" => Some(TimerKind::Date),
            "duration" => Some(TimerKind::Duration),
            "cycle" => Some(TimerKind::Cycle),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub id: String,
    pub message_name: String,
    pub activity_id: String,
    /// The token (catch event) or activity instance (boundary).
    pub target: String,
}

#[derive(Debug, Clone)]
pub struct NewIncident {
    pub id: String,
    pub kind: String,
    pub message: String,
    pub activity_id: String,
    pub execution_id: String,
    /// The external task id for `failedExternalTask`.
    pub configuration: Option<String>,
}

/// A history record of an activity instance: written when it starts and again when it ends.
#[derive(Debug, Clone)]
pub struct ActivityEvent {
    pub id: String,
    pub parent_id: String,
    pub activity_id: Arc<str>,
    pub activity_name: Option<Arc<str>>,
    pub activity_type: &'static str,
    pub execution_id: String,
    pub task_id: Option<String>,
    pub called_instance_id: Option<String>,
    pub at: DateTime<Utc>,
    /// `None` = started; `Some(canceled)` = ended.
    pub ended: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct CallStart {
    pub token_id: String,
    pub child_instance_id: String,
    pub process_key: String,
    pub business_key: Option<String>,
    pub variables: Variables,
}

#[derive(Debug, Clone)]
pub struct CallResult {
    pub parent_instance_id: String,
    pub token_id: String,
    /// The child's variables, for the call activity's out mappings.
    pub variables: Variables,
    /// A BPMN error that escaped the child: (code, message).
    pub error: Option<(String, Option<String>)>,
}
