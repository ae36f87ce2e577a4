//! `carpetti process deploy FILE…`.

use std::path::PathBuf;

use anyhow::Context as _;
use carpetti_camunda::{CamundaClient, Deployment};
use clap::Args;

use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// BPMN files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The deployment's name (duplicate filtering compares deployments of one name).
    #[arg(long, default_value = "carpetti-cli")]
    pub name: String,
    /// Deploy every file as a new version even when it did not change.
    #[arg(long)]
    pub force: bool,
}

pub async fn run(args: DeployArgs, client: &CamundaClient, ctx: &Context) -> anyhow::Result<()> {
    let mut resources = Vec::new();
    for file in &args.files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .context("a file name")?;
        resources.push((name, bytes));
    }
    let deployment = Deployment {
        name: args.name,
        source: Some("carpetti process deploy".into()),
        duplicate_filtering: !args.force,
        deploy_changed_only: !args.force,
        tenant_id: None,
        resources,
    };
    let result = client.deploy(&deployment).await.context("deploying")?;
    if ctx.json {
        output::json_line(&serde_json::json!({
            "deployment": result.id,
            "definitions": result.deployed_process_definitions.values().map(|d| serde_json::json!({"id": d.id, "key": d.key, "version": d.version, "resource": d.resource})).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    if result.deployed_process_definitions.is_empty() {
        output::line(&format!(
            "Nothing changed: deployment {} stays current.",
            result.id
        ));
        return Ok(());
    }
    let mut table = output::table(["process", "version", "definition id", "resource"]);
    for d in result.deployed_process_definitions.values() {
        table.add_row([
            d.key.clone(),
            d.version.to_string(),
            d.id.clone(),
            d.resource.clone().unwrap_or_default(),
        ]);
    }
    output::line(&format!("Deployment {}:", result.id));
    output::line(&table.to_string());
    Ok(())
}
