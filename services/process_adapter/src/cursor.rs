//! The cursor: where a process instance is now, flattened from Camunda's activity-instance tree
//! (`GET /process-instance/{id}/activity-instances`) the way Cockpit counts it — every activity
//! instance and every transition instance (a token waiting before or after an activity) counts
//! on its activity; `X#multiInstanceBody` becomes a multi-instance entry for `X`; incidents are
//! listed with their messages.

use std::collections::BTreeMap;

use carpetti_camunda::ActivityInstance;
use serde::Serialize;

const MULTI_INSTANCE_BODY: &str = "#multiInstanceBody";

/// An instance's lifecycle state, Camunda's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceState {
    Active,
    Suspended,
    Completed,
    ExternallyTerminated,
    InternallyTerminated,
}

impl InstanceState {
    /// Camunda's history `state` text; unknown texts of an ended instance read as completed.
    pub fn parse(raw: Option<&str>) -> Self {
        match raw {
            Some("ACTIVE") => Self::Active,
            Some("SUSPENDED") => Self::Suspended,
            Some("EXTERNALLY_TERMINATED") => Self::ExternallyTerminated,
            Some("INTERNALLY_TERMINATED") => Self::InternallyTerminated,
            _ => Self::Completed,
        }
    }

    pub fn is_ended(self) -> bool {
        !matches!(self, Self::Active | Self::Suspended)
    }
}

/// Tokens on one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityCount {
    pub activity_id: String,
    /// Activity instances plus transition instances on this activity.
    pub count: u32,
    /// Of `count`, the transition instances (waiting at an asynchronous continuation).
    pub waiting: u32,
}

/// A multi-instance activity and how many inner instances run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiInstance {
    pub activity_id: String,
    pub instances: u32,
}

/// An open incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentView {
    pub id: String,
    pub activity_id: String,
    #[serde(rename = "type")]
    pub incident_type: String,
    pub message: String,
}

/// An incident's type and message, as `GET /incident` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDetail {
    pub incident_type: String,
    pub message: String,
}

/// Where an instance is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    pub state: InstanceState,
    pub ended: bool,
    pub activities: Vec<ActivityCount>,
    pub multi_instance: Vec<MultiInstance>,
    pub incidents: Vec<IncidentView>,
}

impl Cursor {
    /// The cursor of an ended instance: no tokens.
    pub fn ended(state: InstanceState) -> Self {
        Self {
            state,
            ended: true,
            activities: Vec::new(),
            multi_instance: Vec::new(),
            incidents: Vec::new(),
        }
    }

    /// Flattens a running instance's tree. `details` gives the type and message of each incident
    /// id (an incident without details is listed with an empty message).
    pub fn from_tree(
        tree: &ActivityInstance,
        state: InstanceState,
        details: &dyn Fn(&str) -> Option<IncidentDetail>,
    ) -> Self {
        let mut counts: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        let mut bodies: BTreeMap<String, u32> = BTreeMap::new();
        let mut incidents: BTreeMap<String, String> = BTreeMap::new();
        for node in tree.walk().into_iter().skip(1) {
            for incident in &node.incidents {
                let activity = incident
                    .activity_id
                    .clone()
                    .unwrap_or_else(|| node.activity_id.clone());
                incidents.insert(incident.id.clone(), base_id(&activity).to_owned());
            }
            for id in &node.incident_ids {
                incidents
                    .entry(id.clone())
                    .or_insert_with(|| base_id(&node.activity_id).to_owned());
            }
            if let Some(base) = node.activity_id.strip_suffix(MULTI_INSTANCE_BODY) {
                let inner =
                    node.child_activity_instances.len() + node.child_transition_instances.len();
                *bodies.entry(base.to_owned()).or_default() += saturating(inner);
            } else {
                counts.entry(node.activity_id.clone()).or_default().0 += 1;
            }
        }
        for node in tree.walk() {
            for transition in &node.child_transition_instances {
                let id = base_id(&transition.activity_id).to_owned();
                let entry = counts.entry(id.clone()).or_default();
                entry.0 += 1;
                entry.1 += 1;
                for incident in &transition.incident_ids {
                    incidents
                        .entry(incident.clone())
                        .or_insert_with(|| id.clone());
                }
            }
        }
        let activities = counts
            .into_iter()
            .map(|(activity_id, (count, waiting))| ActivityCount {
                activity_id,
                count,
                waiting,
            })
            .collect();
        let multi_instance = bodies
            .into_iter()
            .map(|(activity_id, instances)| MultiInstance {
                activity_id,
                instances,
            })
            .collect();
        let incidents = incidents
            .into_iter()
            .map(|(id, activity_id)| {
                let detail = details(&id);
                IncidentView {
                    activity_id,
                    incident_type: detail
                        .as_ref()
                        .map(|d| d.incident_type.clone())
                        .unwrap_or_default(),
                    message: detail.map(|d| d.message).unwrap_or_default(),
                    id,
                }
            })
            .collect();
        Self {
            state,
            ended: false,
            activities,
            multi_instance,
            incidents,
        }
    }

    /// The ids of the incidents the tree names (to fetch their messages).
    pub fn incident_ids(tree: &ActivityInstance) -> Vec<String> {
        let mut ids = Vec::new();
        for node in tree.walk() {
            ids.extend(node.incidents.iter().map(|i| i.id.clone()));
            ids.extend(node.incident_ids.iter().cloned());
            for transition in &node.child_transition_instances {
                ids.extend(transition.incident_ids.iter().cloned());
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }
}

fn base_id(activity_id: &str) -> &str {
    activity_id
        .strip_suffix(MULTI_INSTANCE_BODY)
        .unwrap_or(activity_id)
}

fn saturating(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
