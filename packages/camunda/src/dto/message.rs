//! Message correlation: `POST /message`.

use serde::{Deserialize, Serialize};

use super::ProcessInstance;
use crate::serde_ext::null_as_default;
use crate::variables::Variables;

/// The body of `POST /message`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRequest {
    pub message_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_tenant_id: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_instance_id: Option<String>,
    /// Matched against the process variables of a waiting instance.
    #[serde(default, skip_serializing_if = "Variables::is_empty")]
    pub correlation_keys: Variables,
    #[serde(default, skip_serializing_if = "Variables::is_empty")]
    pub local_correlation_keys: Variables,
    #[serde(default, skip_serializing_if = "Variables::is_empty")]
    pub process_variables: Variables,
    #[serde(default, skip_serializing_if = "Variables::is_empty")]
    pub process_variables_local: Variables,
    /// Correlate to every match instead of exactly one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// Answer 200 with the results (else 204).
    #[serde(default)]
    pub result_enabled: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub variables_in_result_enabled: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub start_messages_only: bool,
}

impl MessageRequest {
    /// A message by name, with results enabled.
    pub fn new(message_name: &str) -> Self {
        Self {
            message_name: message_name.to_owned(),
            result_enabled: true,
            ..Self::default()
        }
    }

    pub fn with_business_key(mut self, business_key: &str) -> Self {
        self.business_key = Some(business_key.to_owned());
        self
    }
}

/// MessageCorrelationResultWithVariableDto.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageCorrelationResult {
    /// `Execution` (a waiting instance was triggered) or `ProcessDefinition` (one was started).
    pub result_type: String,
    pub execution: Option<CorrelatedExecution>,
    pub process_instance: Option<ProcessInstance>,
    #[serde(deserialize_with = "null_as_default")]
    pub variables: Variables,
}

/// The execution a message reached.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CorrelatedExecution {
    pub id: String,
    pub process_instance_id: Option<String>,
    pub ended: bool,
    pub tenant_id: Option<String>,
}
