//! The state of one running process instance: its scope instances (the process, embedded
//! sub-processes, multi-instance bodies) with their variables, and its tokens — executions that
//! rest in an activity (a task, a timer or message catch, a call activity, a parallel join, an
//! incident). The state is a value: commands change it and report the side effects, and the store
//! saves it as one document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::ElementIdx;
use crate::variables::Variables;

/// One process instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceState {
    pub id: String,
    pub definition_id: String,
    pub business_key: Option<String>,
    /// Scope instances by activity-instance id; the process scope's id is the instance id.
    pub scopes: BTreeMap<String, ScopeInstance>,
    /// Tokens by execution id.
    pub tokens: BTreeMap<String, Token>,
    /// The call activity that started this instance, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub super_ref: Option<SuperRef>,
    /// Boundary timers and messages armed for an activity instance.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub armed: BTreeMap<String, Vec<Armed>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<EndState>,
}

/// The call activity waiting for this instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuperRef {
    pub instance_id: String,
    pub token_id: String,
}

/// How an instance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndState {
    Completed,
    ExternallyTerminated,
    InternallyTerminated,
}

impl EndState {
    /// The history `state` string.
    pub fn name(self) -> &'static str {
        match self {
            EndState::Completed => "COMPLETED",
            EndState::ExternallyTerminated => "EXTERNALLY_TERMINATED",
            EndState::InternallyTerminated => "INTERNALLY_TERMINATED",
        }
    }
}

/// A scope instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScopeInstance {
    /// The sub-process (or multi-instance activity for a body); `None` for the process.
    pub element: Option<ElementIdx>,
    pub parent: Option<String>,
    pub execution_id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: Variables,
    pub kind: ScopeKind,
    /// Tokens waiting at a parallel join: element → arrived token count.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub joins: BTreeMap<ElementIdx, u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ScopeKind {
    Process,
    SubProcess,
    /// `X#multiInstanceBody`.
    MultiInstance(MultiInstanceState),
}

/// Progress of a multi-instance body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiInstanceState {
    /// The elements, for a collection; empty for a cardinality.
    pub items: Vec<serde_json::Value>,
    pub total: u32,
    pub started: u32,
    pub completed: u32,
}

/// An execution resting in an element.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    /// The scope instance it runs in.
    pub scope: String,
    pub element: ElementIdx,
    /// `elementId:uuid`.
    pub activity_instance_id: String,
    /// Local variables of the activity (input mappings, the multi-instance element variable).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub locals: Variables,
    pub wait: Wait,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentRef>,
}

/// What a token waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wait {
    ExternalTask {
        task_id: String,
    },
    UserTask {
        task_id: String,
    },
    Timer {
        job_id: String,
    },
    Message {
        subscription_id: String,
        name: String,
    },
    CallActivity {
        child_instance_id: Option<String>,
    },
    /// An exclusive gateway whose conditions failed: resolved by retrying (not yet offered).
    Stuck,
}

/// An open incident on a token (shown in the activity-instance tree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRef {
    pub id: String,
    pub kind: String,
    pub message: String,
}

/// A boundary timer or message armed on an activity instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Armed {
    pub boundary: ElementIdx,
    /// The job id (timer) or subscription id (message).
    pub id: String,
    pub is_timer: bool,
}

impl InstanceState {
    /// The token waiting on this external or user task.
    pub fn token_of_task(&self, task_id: &str) -> Option<&str> {
        self.tokens.iter().find_map(|(id, t)| match &t.wait {
            Wait::ExternalTask { task_id: t } | Wait::UserTask { task_id: t } if t == task_id => {
                Some(id.as_str())
            }
            _ => None,
        })
    }

    /// Whether the instance is still running.
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }
}
