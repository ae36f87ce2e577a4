//! Process instances: start, the runtime list and lookups, and the activity-instance tree.

use serde::{Deserialize, Serialize};

use super::{AtomLink, Page};
use crate::serde_ext::null_as_default;
use crate::variables::Variables;

/// The body of `POST /process-definition/key/{key}/start`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    #[serde(default, deserialize_with = "null_as_default")]
    pub variables: Variables,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_key: Option<String>,
    /// Answer with the instance's variables after the start's first transaction.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_variables_in_return: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_custom_listeners: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_io_mappings: Option<bool>,
}

impl StartRequest {
    pub fn with_business_key(mut self, business_key: &str) -> Self {
        self.business_key = Some(business_key.to_owned());
        self
    }
}

/// ProcessInstanceDto.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProcessInstance {
    #[serde(deserialize_with = "null_as_default")]
    pub links: Vec<AtomLink>,
    pub id: String,
    pub definition_id: Option<String>,
    /// Camunda 7.20+.
    pub definition_key: Option<String>,
    pub business_key: Option<String>,
    pub case_instance_id: Option<String>,
    /// Deprecated by Camunda: the runtime list only holds running instances.
    pub ended: bool,
    pub suspended: bool,
    pub tenant_id: Option<String>,
}

/// ProcessInstanceWithVariablesDto, the answer of a start.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartedProcessInstance {
    #[serde(flatten)]
    pub instance: ProcessInstance,
    /// Only with `withVariablesInReturn`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub variables: Variables,
}

/// The query parameters of `GET /process-instance` (runtime instances only: ended ones are in
/// the history).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceQuery {
    pub process_instance_ids: Vec<String>,
    pub business_key: Option<String>,
    pub business_key_like: Option<String>,
    pub case_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    pub process_definition_key: Option<String>,
    pub process_definition_key_in: Vec<String>,
    pub deployment_id: Option<String>,
    pub super_process_instance: Option<String>,
    pub sub_process_instance: Option<String>,
    pub active: Option<bool>,
    pub suspended: Option<bool>,
    pub with_incident: Option<bool>,
    pub incident_id: Option<String>,
    pub incident_type: Option<String>,
    pub incident_message: Option<String>,
    pub incident_message_like: Option<String>,
    pub tenant_id_in: Vec<String>,
    pub without_tenant_id: Option<bool>,
    /// The instance waits in one of these (leaf) activities.
    pub activity_id_in: Vec<String>,
    pub root_process_instances: Option<bool>,
    /// `name_op_value` filters, see [`crate::query::variable_filter`].
    pub variables: Vec<String>,
    #[serde(flatten)]
    pub page: Page,
}

/// ActivityInstanceDto: a node of `GET /process-instance/{id}/activity-instances`. The root's
/// `id` is the process instance id and its `activity_type` is `processDefinition`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityInstance {
    pub id: String,
    pub parent_activity_instance_id: Option<String>,
    pub activity_id: String,
    pub activity_type: Option<String>,
    pub activity_name: Option<String>,
    /// Older Camunda versions call the name `name`.
    pub name: Option<String>,
    pub process_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub child_activity_instances: Vec<ActivityInstance>,
    #[serde(deserialize_with = "null_as_default")]
    pub child_transition_instances: Vec<TransitionInstance>,
    #[serde(deserialize_with = "null_as_default")]
    pub execution_ids: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub incident_ids: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub incidents: Vec<ActivityIncident>,
}

impl ActivityInstance {
    /// This node and all below it, depth first.
    pub fn walk(&self) -> Vec<&ActivityInstance> {
        let mut out = vec![self];
        for child in &self.child_activity_instances {
            out.extend(child.walk());
        }
        out
    }

    /// The activity ids of the leaves (where the instance waits), transition instances included.
    pub fn active_activity_ids(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for node in self.walk() {
            if node.child_activity_instances.is_empty()
                && node.child_transition_instances.is_empty()
                && node.parent_activity_instance_id.is_some()
            {
                out.push(node.activity_id.as_str());
            }
            out.extend(
                node.child_transition_instances
                    .iter()
                    .map(|t| t.activity_id.as_str()),
            );
        }
        out
    }
}

/// TransitionInstanceDto: an execution waiting in an asyncBefore/asyncAfter job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TransitionInstance {
    pub id: String,
    pub parent_activity_instance_id: Option<String>,
    pub activity_id: String,
    pub activity_name: Option<String>,
    pub activity_type: Option<String>,
    pub process_instance_id: Option<String>,
    pub process_definition_id: Option<String>,
    pub execution_id: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub incident_ids: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub incidents: Vec<ActivityIncident>,
}

/// An incident on a node of the tree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityIncident {
    pub id: String,
    pub activity_id: Option<String>,
}
