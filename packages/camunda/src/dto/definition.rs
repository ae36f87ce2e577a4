//! Process definitions: `GET /process-definition[/{id}|/key/{key}][/xml]`.

use serde::{Deserialize, Serialize};

use super::Page;

/// ProcessDefinitionDto.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProcessDefinition {
    pub id: String,
    pub key: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub name: Option<String>,
    pub version: i32,
    pub resource: Option<String>,
    pub deployment_id: Option<String>,
    pub diagram: Option<String>,
    pub suspended: bool,
    pub tenant_id: Option<String>,
    pub version_tag: Option<String>,
    pub history_time_to_live: Option<i64>,
    pub startable_in_tasklist: Option<bool>,
}

/// `GET /process-definition/{id}/xml`: the BPMN as it was deployed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProcessDefinitionXml {
    pub id: String,
    #[serde(rename = "bpmn20Xml")]
    pub bpmn20_xml: String,
}

/// The query parameters of `GET /process-definition` (lists are sent comma-separated).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DefinitionQuery {
    pub process_definition_id: Option<String>,
    pub process_definition_id_in: Vec<String>,
    pub key: Option<String>,
    pub keys_in: Vec<String>,
    pub key_like: Option<String>,
    pub name: Option<String>,
    pub name_like: Option<String>,
    pub deployment_id: Option<String>,
    pub version: Option<i32>,
    pub latest_version: Option<bool>,
    pub resource_name: Option<String>,
    pub active: Option<bool>,
    pub suspended: Option<bool>,
    pub tenant_id_in: Vec<String>,
    pub without_tenant_id: Option<bool>,
    pub version_tag: Option<String>,
    #[serde(flatten)]
    pub page: Page,
}

impl DefinitionQuery {
    /// The latest version of the definition with this key.
    pub fn latest_of(key: &str) -> Self {
        Self {
            key: Some(key.to_owned()),
            latest_version: Some(true),
            ..Self::default()
        }
    }
}
