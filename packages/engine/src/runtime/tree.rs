//! The activity-instance tree of a running instance, shaped as Camunda's
//! `GET /process-instance/{id}/activity-instances` answers: the root is the process instance
//! (`activityId` = the definition id, `activityType` = `processDefinition`), scopes nest, and a
//! multi-instance activity shows its `X#multiInstanceBody` over the inner instances.

use serde::Serialize;

use super::state::{InstanceState, ScopeKind};
use crate::model::ProcessModel;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityInstanceNode {
    pub id: String,
    pub parent_activity_instance_id: Option<String>,
    pub activity_id: String,
    pub activity_type: String,
    pub activity_name: Option<String>,
    pub process_instance_id: String,
    pub process_definition_id: String,
    pub child_activity_instances: Vec<ActivityInstanceNode>,
    pub child_transition_instances: Vec<TransitionInstanceNode>,
    pub execution_ids: Vec<String>,
    pub incident_ids: Vec<String>,
    pub incidents: Vec<IncidentInfo>,
}

/// Executions waiting between activities; this engine has no asynchronous continuations, so
/// the list is always empty, as Camunda's is for such models.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionInstanceNode {
    pub id: String,
    pub activity_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentInfo {
    pub id: String,
    pub activity_id: String,
}

/// Builds the tree of a running instance.
pub fn activity_tree(model: &ProcessModel, state: &InstanceState) -> ActivityInstanceNode {
    let mut root = node(
        state,
        state.id.clone(),
        None,
        state.definition_id.clone(),
        "processDefinition".into(),
        model.name.clone(),
        state.id.clone(),
    );
    fill(model, state, &state.id, &mut root);
    root
}

fn node(
    state: &InstanceState,
    id: String,
    parent: Option<String>,
    activity_id: String,
    activity_type: String,
    name: Option<String>,
    execution: String,
) -> ActivityInstanceNode {
    ActivityInstanceNode {
        id,
        parent_activity_instance_id: parent,
        activity_id,
        activity_type,
        activity_name: name,
        process_instance_id: state.id.clone(),
        process_definition_id: state.definition_id.clone(),
        child_activity_instances: Vec::new(),
        child_transition_instances: Vec::new(),
        execution_ids: vec![execution],
        incident_ids: Vec::new(),
        incidents: Vec::new(),
    }
}

fn fill(
    model: &ProcessModel,
    state: &InstanceState,
    scope_id: &str,
    into: &mut ActivityInstanceNode,
) {
    for (token_id, token) in state.tokens.iter().filter(|(_, t)| t.scope == scope_id) {
        let e = model.element(token.element);
        let mut child = node(
            state,
            token.activity_instance_id.clone(),
            Some(scope_id.to_owned()),
            e.id.to_string(),
            e.activity_type().into(),
            e.name.as_deref().map(str::to_owned),
            token_id.clone(),
        );
        if let Some(incident) = &token.incident {
            child.incident_ids.push(incident.id.clone());
            child.incidents.push(IncidentInfo {
                id: incident.id.clone(),
                activity_id: e.id.to_string(),
            });
        }
        into.child_activity_instances.push(child);
    }
    for (id, scope) in state
        .scopes
        .iter()
        .filter(|(_, s)| s.parent.as_deref() == Some(scope_id))
    {
        let Some(element) = scope.element else {
            continue;
        };
        let e = model.element(element);
        let (activity_id, activity_type) = match scope.kind {
            ScopeKind::MultiInstance(_) => (
                format!("{}#multiInstanceBody", e.id),
                "multiInstanceBody".to_owned(),
            ),
            _ => (e.id.to_string(), e.activity_type().to_owned()),
        };
        let mut child = node(
            state,
            id.clone(),
            Some(scope_id.to_owned()),
            activity_id,
            activity_type,
            e.name.as_deref().map(str::to_owned),
            scope.execution_id.clone(),
        );
        fill(model, state, id, &mut child);
        into.child_activity_instances.push(child);
    }
}
