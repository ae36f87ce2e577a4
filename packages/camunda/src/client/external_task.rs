//! External tasks: fetch and lock, the worker's reports, lookups.

use reqwest::Method;
use serde::Serialize;

use super::{CamundaClient, Payload, Retry, decode, json_payload};
use crate::dto::{
    ExtendLockRequest, ExternalTask, ExternalTaskQuery, Failure, FetchAndLock, LockedExternalTask,
};
use crate::error::Result;
use crate::variables::Variables;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CompleteBody<'a> {
    worker_id: &'a str,
    variables: &'a Variables,
    local_variables: &'a Variables,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BpmnErrorBody<'a> {
    worker_id: &'a str,
    error_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    variables: &'a Variables,
}

#[derive(Serialize)]
struct RetriesBody {
    retries: u32,
}

impl CamundaClient {
    /// `POST /external-task/fetchAndLock`. With `async_response_timeout` set this is a long
    /// poll: the HTTP timeout is that plus the client's request timeout. Retried on
    /// unavailability (a lost answer only leaves tasks locked until their lock expires).
    pub async fn fetch_and_lock(&self, request: &FetchAndLock) -> Result<Vec<LockedExternalTask>> {
        let long_poll =
            std::time::Duration::from_millis(request.async_response_timeout.unwrap_or(0));
        let body = self
            .send(
                "fetch_and_lock",
                Method::POST,
                &["external-task", "fetchAndLock"],
                json_payload(request)?,
                Retry::Idempotent,
                self.request_timeout() + long_poll,
            )
            .await?;
        decode("fetch_and_lock", &body)
    }

    /// `POST /external-task/{id}/complete` → 204. 400 when the lock is not this worker's, 404
    /// when the task is gone (e.g. cancelled by a boundary event).
    pub async fn complete(
        &self,
        task_id: &str,
        worker_id: &str,
        variables: &Variables,
        local_variables: &Variables,
    ) -> Result<()> {
        let body = CompleteBody {
            worker_id,
            variables,
            local_variables,
        };
        self.post_no_content(
            "complete",
            &["external-task", task_id, "complete"],
            &body,
            Retry::Once,
        )
        .await
    }

    /// `POST /external-task/{id}/failure` → 204. `retries = 0` raises an incident.
    pub async fn failure(&self, task_id: &str, failure: &Failure) -> Result<()> {
        self.post_no_content(
            "failure",
            &["external-task", task_id, "failure"],
            failure,
            Retry::Once,
        )
        .await
    }

    /// `POST /external-task/{id}/bpmnError` → 204: throws `code` from the task's activity.
    pub async fn bpmn_error(
        &self,
        task_id: &str,
        worker_id: &str,
        code: &str,
        message: Option<&str>,
        variables: &Variables,
    ) -> Result<()> {
        let body = BpmnErrorBody {
            worker_id,
            error_code: code,
            error_message: message,
            variables,
        };
        self.post_no_content(
            "bpmn_error",
            &["external-task", task_id, "bpmnError"],
            &body,
            Retry::Once,
        )
        .await
    }

    /// `POST /external-task/{id}/extendLock` → 204: the lock now ends `new_duration_ms` from now.
    pub async fn extend_lock(
        &self,
        task_id: &str,
        worker_id: &str,
        new_duration_ms: u64,
    ) -> Result<()> {
        let body = ExtendLockRequest {
            worker_id: worker_id.to_owned(),
            new_duration: new_duration_ms,
        };
        self.post_no_content(
            "extend_lock",
            &["external-task", task_id, "extendLock"],
            &body,
            Retry::Idempotent,
        )
        .await
    }

    /// `POST /external-task/{id}/unlock` (no body) → 204: the task is fetchable again at once.
    pub async fn unlock(&self, task_id: &str) -> Result<()> {
        self.send(
            "unlock",
            Method::POST,
            &["external-task", task_id, "unlock"],
            Payload::None,
            Retry::Idempotent,
            self.request_timeout(),
        )
        .await
        .map(drop)
    }

    /// `PUT /external-task/{id}/retries` → 204: e.g. raises retries again to resolve an incident.
    pub async fn set_external_task_retries(&self, task_id: &str, retries: u32) -> Result<()> {
        self.send(
            "set_external_task_retries",
            Method::PUT,
            &["external-task", task_id, "retries"],
            json_payload(&RetriesBody { retries })?,
            Retry::Idempotent,
            self.request_timeout(),
        )
        .await
        .map(drop)
    }

    /// `GET /external-task/{id}`.
    pub async fn external_task(&self, task_id: &str) -> Result<ExternalTask> {
        self.get_json("external_task", &["external-task", task_id], Vec::new())
            .await
    }

    /// `GET /external-task`.
    pub async fn external_tasks(&self, query: &ExternalTaskQuery) -> Result<Vec<ExternalTask>> {
        self.get_query("external_tasks", &["external-task"], query)
            .await
    }

    /// `GET /external-task/count`.
    pub async fn external_tasks_count(&self, query: &ExternalTaskQuery) -> Result<u64> {
        self.get_count("external_tasks_count", &["external-task", "count"], query)
            .await
    }
}
