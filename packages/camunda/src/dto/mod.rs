//! The JSON shapes of the Camunda 7 REST API (camelCase, as documented). Every response field is
//! optional or defaulted so that an engine that adds, omits or nulls a field never fails a decode;
//! request bodies leave out what is unset. Query structs become query strings (see [`crate::query`]).

mod definition;
mod deployment;
mod external_task;
mod history;
mod incident;
mod instance;
mod message;
mod task;

use serde::{Deserialize, Serialize};

pub use definition::{DefinitionQuery, ProcessDefinition, ProcessDefinitionXml};
pub use deployment::{Deployment, DeploymentResult};
pub(crate) use external_task::millis;
pub use external_task::{
    BpmnErrorRequest, CompleteRequest, ExtendLockRequest, ExternalTask, ExternalTaskQuery, Failure,
    FetchAndLock, FetchTopic, LockedExternalTask, SortingEntry,
};
pub use history::{
    HistoricActivityInstance, HistoricProcessInstance, HistoryActivityInstanceQuery,
    HistoryProcessInstanceQuery,
};
pub use incident::{Incident, IncidentQuery};
pub use instance::{
    ActivityIncident, ActivityInstance, InstanceQuery, ProcessInstance, StartRequest,
    StartedProcessInstance, TransitionInstance,
};
pub use message::{CorrelatedExecution, MessageCorrelationResult, MessageRequest};
pub use task::{Task, TaskQuery};

/// `GET /engine` item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EngineName {
    pub name: String,
}

/// A HATEOAS link of a resource (`links` arrays).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AtomLink {
    pub method: Option<String>,
    pub href: Option<String>,
    pub rel: Option<String>,
}

/// The answer of every `…/count` endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CountResult {
    pub count: u64,
}

/// `sortOrder` of a list query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// Paging and sorting shared by the list queries (`firstResult`, `maxResults`, `sortBy`,
/// `sortOrder`). Camunda rejects `sortOrder` without `sortBy` (400).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_result: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
}

impl Page {
    /// The first `max` results from `first`.
    pub fn window(first: u64, max: u64) -> Self {
        Self {
            first_result: Some(first),
            max_results: Some(max),
            ..Self::default()
        }
    }

    pub fn sorted(mut self, by: &str, order: SortOrder) -> Self {
        self.sort_by = Some(by.to_owned());
        self.sort_order = Some(order);
        self
    }
}
