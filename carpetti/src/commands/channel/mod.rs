//! `carpetti channel add|list|show|map`: the sales channels in persist — marketplace, settings,
//! credentials (kept in persist's secret store, never printed), and the mappings of our
//! categories and attributes to the marketplace's.

mod add;
mod list;
mod map;
mod show;

pub use show::status_name;

use clap::{Args, Subcommand};

use crate::commands::local::PersistAccess;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct ChannelArgs {
    /// A running system's persist instead of the embedded one under --data-dir.
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub persist: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    pub command: ChannelCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChannelCommand {
    /// Add (or replace the settings and credentials of) a channel.
    Add(add::AddArgs),
    /// List the channels.
    List,
    /// Show one channel: settings, credential names (never values), mappings, listings by status.
    Show(show::ShowArgs),
    /// Map one of our categories or attributes to the marketplace's.
    Map(map::MapArgs),
}

pub async fn run(args: ChannelArgs, ctx: &Context) -> anyhow::Result<()> {
    let access = PersistAccess::open(ctx, args.persist, "cli").await?;
    let result = match args.command {
        ChannelCommand::Add(a) => add::run(a, &access.client, ctx).await,
        ChannelCommand::List => list::run(&access.client, ctx).await,
        ChannelCommand::Show(a) => show::run(a, &access.client, ctx).await,
        ChannelCommand::Map(a) => map::run(a, &access.client, ctx).await,
    };
    access.close().await?;
    result
}

/// `name=value` pairs of the command line.
pub fn pairs(raw: &[String], what: &str) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| anyhow::anyhow!("{what} {pair:?} is not name=value"))
        })
        .collect()
}
