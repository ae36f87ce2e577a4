//! User tasks and incidents.

use serde::Serialize;

use super::{CamundaClient, Retry};
use crate::dto::{Incident, IncidentQuery, Task, TaskQuery};
use crate::error::Result;
use crate::variables::Variables;

#[derive(Serialize)]
struct CompleteTaskBody<'a> {
    variables: &'a Variables,
}

impl CamundaClient {
    /// `GET /task`.
    pub async fn tasks(&self, query: &TaskQuery) -> Result<Vec<Task>> {
        self.get_query("tasks", &["task"], query).await
    }

    /// `GET /task/count`.
    pub async fn tasks_count(&self, query: &TaskQuery) -> Result<u64> {
        self.get_count("tasks_count", &["task", "count"], query)
            .await
    }

    /// `POST /task/{id}/complete` → 204 (without `withVariablesInReturn`).
    pub async fn complete_task(&self, id: &str, variables: &Variables) -> Result<()> {
        self.post_no_content(
            "complete_task",
            &["task", id, "complete"],
            &CompleteTaskBody { variables },
            Retry::Once,
        )
        .await
    }

    /// `GET /incident`.
    pub async fn incidents(&self, query: &IncidentQuery) -> Result<Vec<Incident>> {
        self.get_query("incidents", &["incident"], query).await
    }

    /// `GET /incident/count`.
    pub async fn incidents_count(&self, query: &IncidentQuery) -> Result<u64> {
        self.get_count("incidents_count", &["incident", "count"], query)
            .await
    }
}
