//! History: process instances (ended ones too) and activity instances.

use super::CamundaClient;
use crate::dto::{
    HistoricActivityInstance, HistoricProcessInstance, HistoryActivityInstanceQuery,
    HistoryProcessInstanceQuery,
};
use crate::error::Result;

impl CamundaClient {
    /// `GET /history/process-instance`.
    pub async fn history_process_instances(
        &self,
        query: &HistoryProcessInstanceQuery,
    ) -> Result<Vec<HistoricProcessInstance>> {
        self.get_query(
            "history_process_instances",
            &["history", "process-instance"],
            query,
        )
        .await
    }

    /// `GET /history/process-instance/count`.
    pub async fn history_process_instances_count(
        &self,
        query: &HistoryProcessInstanceQuery,
    ) -> Result<u64> {
        self.get_count(
            "history_process_instances_count",
            &["history", "process-instance", "count"],
            query,
        )
        .await
    }

    /// `GET /history/process-instance/{id}`.
    pub async fn history_process_instance(&self, id: &str) -> Result<HistoricProcessInstance> {
        self.get_json(
            "history_process_instance",
            &["history", "process-instance", id],
            Vec::new(),
        )
        .await
    }

    /// `GET /history/activity-instance`.
    pub async fn history_activity_instances(
        &self,
        query: &HistoryActivityInstanceQuery,
    ) -> Result<Vec<HistoricActivityInstance>> {
        self.get_query(
            "history_activity_instances",
            &["history", "activity-instance"],
            query,
        )
        .await
    }
}
