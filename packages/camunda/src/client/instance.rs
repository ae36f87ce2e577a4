//! Process instances: start, the runtime list, lookups, delete, the activity tree, variables.

use reqwest::Method;

use super::{CamundaClient, Payload, Retry};
use crate::dto::{
    ActivityInstance, InstanceQuery, ProcessInstance, StartRequest, StartedProcessInstance,
};
use crate::error::Result;
use crate::variables::Variables;

impl CamundaClient {
    /// `POST /process-definition/key/{key}/start`. Not retried (unless nothing was sent): a
    /// repeated start would start a second instance.
    pub async fn start_process_by_key(
        &self,
        key: &str,
        request: &StartRequest,
    ) -> Result<StartedProcessInstance> {
        self.post_json(
            "start_process",
            &["process-definition", "key", key, "start"],
            request,
            Retry::Once,
        )
        .await
    }

    /// `POST /process-definition/{id}/start`: a given version.
    pub async fn start_process_by_id(
        &self,
        definition_id: &str,
        request: &StartRequest,
    ) -> Result<StartedProcessInstance> {
        self.post_json(
            "start_process",
            &["process-definition", definition_id, "start"],
            request,
            Retry::Once,
        )
        .await
    }

    /// `GET /process-instance` (running instances only).
    pub async fn process_instances(&self, query: &InstanceQuery) -> Result<Vec<ProcessInstance>> {
        self.get_query("process_instances", &["process-instance"], query)
            .await
    }

    /// `GET /process-instance/count`.
    pub async fn process_instances_count(&self, query: &InstanceQuery) -> Result<u64> {
        self.get_count(
            "process_instances_count",
            &["process-instance", "count"],
            query,
        )
        .await
    }

    /// `GET /process-instance/{id}`; [`crate::CamundaError::NotFound`] once it has ended.
    pub async fn process_instance(&self, id: &str) -> Result<ProcessInstance> {
        self.get_json("process_instance", &["process-instance", id], Vec::new())
            .await
    }

    /// `DELETE /process-instance/{id}` (cancels it; history records it as externally terminated).
    pub async fn delete_process_instance(&self, id: &str) -> Result<()> {
        self.send(
            "delete_process_instance",
            Method::DELETE,
            &["process-instance", id],
            Payload::None,
            Retry::Once,
            self.request_timeout(),
        )
        .await
        .map(drop)
    }

    /// `GET /process-instance/{id}/activity-instances`: the tree of what is active now.
    pub async fn activity_instances(&self, id: &str) -> Result<ActivityInstance> {
        self.get_json(
            "activity_instances",
            &["process-instance", id, "activity-instances"],
            Vec::new(),
        )
        .await
    }

    /// `GET /process-instance/{id}/variables?deserializeValues=false`: Json and Object values come
    /// back as their serialized strings.
    pub async fn process_instance_variables(&self, id: &str) -> Result<Variables> {
        self.get_json(
            "process_instance_variables",
            &["process-instance", id, "variables"],
            vec![("deserializeValues".to_owned(), "false".to_owned())],
        )
        .await
    }
}
