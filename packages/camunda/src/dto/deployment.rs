//! Deployments: `POST /deployment/create` (multipart/form-data).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AtomLink, ProcessDefinition};
use crate::serde_ext::{null_as_default, opt_date};

/// What to deploy. Each resource becomes one file part; its file name is the resource name
/// Camunda keeps (and reports as the definitions' `resource`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployment {
    /// `deployment-name`.
    pub name: String,
    /// `deployment-source`, e.g. the deploying service.
    pub source: Option<String>,
    /// `enable-duplicate-filtering`: an identical redeploy returns the existing deployment.
    pub duplicate_filtering: bool,
    /// `deploy-changed-only`: only changed resources are redeployed (implies duplicate filtering).
    pub deploy_changed_only: bool,
    /// `tenant-id`.
    pub tenant_id: Option<String>,
    /// `(file name, content)`, e.g. `("order.bpmn", xml bytes)`.
    pub resources: Vec<(String, Vec<u8>)>,
}

impl Deployment {
    /// A deployment of one resource, with duplicate filtering on.
    pub fn single(name: &str, file_name: &str, content: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.to_owned(),
            source: None,
            duplicate_filtering: true,
            deploy_changed_only: false,
            tenant_id: None,
            resources: vec![(file_name.to_owned(), content.into())],
        }
    }
}

/// DeploymentWithDefinitionsDto, the answer of `POST /deployment/create`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentResult {
    #[serde(deserialize_with = "null_as_default")]
    pub links: Vec<AtomLink>,
    pub id: String,
    pub name: Option<String>,
    pub source: Option<String>,
    #[serde(with = "opt_date")]
    pub deployment_time: Option<DateTime<FixedOffset>>,
    pub tenant_id: Option<String>,
    /// The process definitions this deployment created, by definition id (`null` in Camunda
    /// when there are none, e.g. a filtered duplicate: read here as empty).
    #[serde(deserialize_with = "null_as_default")]
    pub deployed_process_definitions: BTreeMap<String, ProcessDefinition>,
    pub deployed_case_definitions: Option<Value>,
    pub deployed_decision_definitions: Option<Value>,
    pub deployed_decision_requirements_definitions: Option<Value>,
}
