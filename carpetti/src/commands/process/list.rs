//! `carpetti process list`: instances from the history view (running and ended).

use anyhow::Context as _;
use carpetti_camunda::CamundaClient;
use carpetti_camunda::dto::{HistoryProcessInstanceQuery, Page, SortOrder};
use clap::Args;

use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only instances of this process key.
    #[arg(long)]
    pub key: Option<String>,
    #[arg(long)]
    pub business_key: Option<String>,
    /// Only running instances.
    #[arg(long)]
    pub running: bool,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
}

pub async fn run(args: ListArgs, client: &CamundaClient, ctx: &Context) -> anyhow::Result<()> {
    let query = HistoryProcessInstanceQuery {
        process_definition_key: args.key,
        process_instance_business_key: args.business_key,
        unfinished: args.running.then_some(true),
        page: Page::window(0, args.limit).sorted("startTime", SortOrder::Desc),
        ..Default::default()
    };
    let instances = client
        .history_process_instances(&query)
        .await
        .context("listing instances")?;
    if ctx.json {
        for i in &instances {
            output::json_line(&serde_json::to_value(i)?);
        }
        return Ok(());
    }
    let mut table = super::instances_table();
    for i in &instances {
        table.add_row(super::instance_row(i));
    }
    output::line(&table.to_string());
    output::line(&format!("{} instance(s).", instances.len()));
    Ok(())
}
