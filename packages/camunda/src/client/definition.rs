//! Process definitions: lists, lookups by id and key, the deployed XML.

use super::CamundaClient;
use crate::dto::{DefinitionQuery, ProcessDefinition, ProcessDefinitionXml};
use crate::error::Result;

impl CamundaClient {
    /// `GET /process-definition`.
    pub async fn process_definitions(
        &self,
        query: &DefinitionQuery,
    ) -> Result<Vec<ProcessDefinition>> {
        self.get_query("process_definitions", &["process-definition"], query)
            .await
    }

    /// `GET /process-definition/count`.
    pub async fn process_definitions_count(&self, query: &DefinitionQuery) -> Result<u64> {
        self.get_count(
            "process_definitions_count",
            &["process-definition", "count"],
            query,
        )
        .await
    }

    /// `GET /process-definition/{id}`.
    pub async fn process_definition(&self, id: &str) -> Result<ProcessDefinition> {
        self.get_json(
            "process_definition",
            &["process-definition", id],
            Vec::new(),
        )
        .await
    }

    /// `GET /process-definition/key/{key}`: the latest version (without tenant).
    pub async fn process_definition_by_key(&self, key: &str) -> Result<ProcessDefinition> {
        self.get_json(
            "process_definition_by_key",
            &["process-definition", "key", key],
            Vec::new(),
        )
        .await
    }

    /// `GET /process-definition/{id}/xml`.
    pub async fn process_definition_xml(&self, id: &str) -> Result<ProcessDefinitionXml> {
        self.get_json(
            "process_definition_xml",
            &["process-definition", id, "xml"],
            Vec::new(),
        )
        .await
    }

    /// `GET /process-definition/key/{key}/xml`: the latest version's XML.
    pub async fn process_definition_xml_by_key(&self, key: &str) -> Result<ProcessDefinitionXml> {
        self.get_json(
            "process_definition_xml_by_key",
            &["process-definition", "key", key, "xml"],
            Vec::new(),
        )
        .await
    }
}
