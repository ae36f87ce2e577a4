//! `carpetti process deploy|start|list|show`: operators' commands over the engine's Camunda 7
//! REST API at `engine.url` (the embedded engine of `carpetti up`, or a real Camunda 7), with
//! `engine.user` / `engine.password` as Basic auth when set.

mod deploy;
mod list;
mod show;
mod start;

use anyhow::Context as _;
use carpetti_camunda::{Auth, CamundaClient, ClientConfig};
use clap::{Args, Subcommand};

use crate::context::Context;

#[derive(Debug, Args)]
pub struct ProcessArgs {
    /// The engine's REST base URL (default: `engine.url`).
    #[arg(long, global = true, value_name = "URL")]
    pub engine_url: Option<String>,
    #[command(subcommand)]
    pub command: ProcessCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProcessCommand {
    /// Deploy BPMN files as one deployment; unchanged files are not re-versioned.
    Deploy(deploy::DeployArgs),
    /// Start an instance of the latest version of a process.
    Start(start::StartArgs),
    /// List process instances, running and ended.
    List(list::ListArgs),
    /// Show one instance: its state, where it waits, its incidents.
    Show(show::ShowArgs),
}

pub async fn run(args: ProcessArgs, ctx: &Context) -> anyhow::Result<()> {
    let client = client(args.engine_url.as_deref(), ctx)?;
    match args.command {
        ProcessCommand::Deploy(a) => deploy::run(a, &client, ctx).await,
        ProcessCommand::Start(a) => start::run(a, &client, ctx).await,
        ProcessCommand::List(a) => list::run(a, &client, ctx).await,
        ProcessCommand::Show(a) => show::run(a, &client, ctx).await,
    }
}

fn client(url: Option<&str>, ctx: &Context) -> anyhow::Result<CamundaClient> {
    let engine = &ctx.config.engine;
    let url = url.unwrap_or(&engine.url);
    let mut config = ClientConfig::new(url).with_context(|| format!("engine URL {url}"))?;
    if let (Some(user), Some(password)) = (&engine.user, &engine.password) {
        config = config.with_auth(Auth::Basic {
            user: user.clone(),
            password: password.clone(),
        });
    }
    CamundaClient::new(config).context("building the engine client")
}

/// A date for tables: `2026-12-02 14:39:23`.
fn when(at: Option<chrono::DateTime<chrono::FixedOffset>>) -> String {
    at.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// The table `list` and `show` print instances in.
fn instances_table() -> comfy_table::Table {
    crate::output::table([
        "instance",
        "process",
        "business key",
        "state",
        "started",
        "ended",
    ])
}

/// One instance as a row of [`instances_table`].
fn instance_row(i: &carpetti_camunda::dto::HistoricProcessInstance) -> [String; 6] {
    let process = format!(
        "{}:{}",
        i.process_definition_key.clone().unwrap_or_default(),
        i.process_definition_version.unwrap_or_default()
    );
    [
        i.id.clone(),
        process,
        i.business_key.clone().unwrap_or_default(),
        i.state.clone().unwrap_or_default(),
        when(i.start_time),
        when(i.end_time),
    ]
}
