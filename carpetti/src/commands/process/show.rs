//! `carpetti process show ID`: an instance's state, where it waits now (the activity tree) and
//! its open incidents.

use anyhow::Context as _;
use carpetti_camunda::CamundaClient;
use carpetti_camunda::dto::{ActivityInstance, IncidentQuery};
use clap::Args;

use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The process instance id.
    pub id: String,
}

fn waiting(node: &ActivityInstance, depth: usize, out: &mut Vec<(String, String, String, usize)>) {
    for child in &node.child_activity_instances {
        let name = child
            .activity_name
            .clone()
            .or_else(|| child.name.clone())
            .unwrap_or_default();
        out.push((
            format!("{}{}", "  ".repeat(depth), child.activity_id),
            child.activity_type.clone().unwrap_or_default(),
            name,
            child.incident_ids.len(),
        ));
        waiting(child, depth + 1, out);
    }
}

pub async fn run(args: ShowArgs, client: &CamundaClient, ctx: &Context) -> anyhow::Result<()> {
    let instance = client
        .history_process_instance(&args.id)
        .await
        .with_context(|| format!("instance {}", args.id))?;
    let running = instance.end_time.is_none();
    let tree = if running {
        Some(
            client
                .activity_instances(&args.id)
                .await
                .context("the activity tree")?,
        )
    } else {
        None
    };
    let incidents = client
        .incidents(&IncidentQuery {
            process_instance_id: Some(args.id.clone()),
            ..Default::default()
        })
        .await
        .context("incidents")?;
    if ctx.json {
        output::json_line(
            &serde_json::json!({"instance": instance, "activities": tree, "incidents": incidents}),
        );
        return Ok(());
    }
    let mut summary = super::instances_table();
    summary.add_row(super::instance_row(&instance));
    output::line(&summary.to_string());
    if let Some(tree) = tree {
        let mut rows = Vec::new();
        waiting(&tree, 0, &mut rows);
        let mut table = output::table(["waiting in", "type", "name", "incidents"]);
        for (id, kind, name, n) in rows {
            table.add_row([id, kind, name, n.to_string()]);
        }
        output::line(&table.to_string());
    }
    if !incidents.is_empty() {
        let mut table = output::table(["incident", "type", "activity", "message"]);
        for i in &incidents {
            table.add_row([
                i.id.clone(),
                i.incident_type.clone(),
                i.activity_id.clone().unwrap_or_default(),
                i.incident_message.clone().unwrap_or_default(),
            ]);
        }
        output::line(&table.to_string());
    }
    Ok(())
}
