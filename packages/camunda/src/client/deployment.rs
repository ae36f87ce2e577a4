//! `POST /deployment/create`, the one multipart/form-data call.

use reqwest::header::ACCEPT;
use reqwest::multipart::{Form, Part};

use super::{CamundaClient, Retry, decode};
use crate::dto::{Deployment, DeploymentResult};
use crate::error::Result;

impl CamundaClient {
    /// Deploys BPMN (or other) resources: text parts `deployment-name`, `deployment-source`,
    /// `enable-duplicate-filtering`, `deploy-changed-only`, `tenant-id`, and one file part per
    /// resource, named after its file. Not retried (unless nothing was sent).
    pub async fn deploy(&self, deployment: &Deployment) -> Result<DeploymentResult> {
        let url = self.url(&["deployment", "create"])?;
        let body = self
            .execute("deploy", Retry::Once, self.request_timeout(), || {
                self.inner
                    .http
                    .post(url.clone())
                    .header(ACCEPT, "application/json")
                    .multipart(form(deployment))
            })
            .await?;
        decode("deploy", &body)
    }
}

fn form(deployment: &Deployment) -> Form {
    let mut form = Form::new()
        .text("deployment-name", deployment.name.clone())
        .text(
            "enable-duplicate-filtering",
            deployment.duplicate_filtering.to_string(),
        )
        .text(
            "deploy-changed-only",
            deployment.deploy_changed_only.to_string(),
        );
    if let Some(source) = &deployment.source {
        form = form.text("deployment-source", source.clone());
    }
    if let Some(tenant) = &deployment.tenant_id {
        form = form.text("tenant-id", tenant.clone());
    }
    for (file_name, content) in &deployment.resources {
        let part = Part::bytes(content.clone()).file_name(file_name.clone());
        // The part name is free; Camunda names the resource after the file name.
        form = form.part(file_name.clone(), part);
    }
    form
}
