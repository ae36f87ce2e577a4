//! `carpetti mp publish|listings|orders|reconcile|prices|stocks|label`: the marketplaces through
//! service_mp's library, on the embedded persist under --data-dir or a running one.

mod label;
mod listings;
mod orders;
pub(crate) mod progress;
mod publish;
mod push;
mod reconcile;

use carpetti_mp::channel::ChannelContext;
use carpetti_mp::connectors::ConnectOptions;
use clap::{Args, Subcommand};

use crate::commands::local::PersistAccess;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct MpArgs {
    /// A running system's persist instead of the embedded one under --data-dir.
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub persist: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    pub command: MpCommand,
}

#[derive(Debug, Subcommand)]
pub enum MpCommand {
    /// Publish products to a channel; prints created / updated / unchanged / failed with reasons.
    Publish(publish::PublishArgs),
    /// The channel's listings with the marketplace's ids and errors.
    Listings(ChannelOnly),
    /// Fetch new and changed orders into the catalog and list them.
    Orders(orders::OrdersArgs),
    /// Compare what the marketplace holds with our listings.
    Reconcile(ChannelOnly),
    /// Send the current prices of published products.
    Prices(ChannelOnly),
    /// Send the current stocks of published products, coalesced.
    Stocks(ChannelOnly),
    /// Pack an order and keep its label as a file.
    Label(label::LabelArgs),
}

/// `--channel CODE`
#[derive(Debug, Args)]
pub struct ChannelOnly {
    #[arg(long, value_name = "CODE")]
    pub channel: String,
}

pub async fn run(args: MpArgs, ctx: &Context) -> anyhow::Result<()> {
    let access = PersistAccess::open(ctx, args.persist, "mp").await?;
    let result = match args.command {
        MpCommand::Publish(a) => publish::run(a, &access, ctx).await,
        MpCommand::Listings(a) => listings::run(a, &access, ctx).await,
        MpCommand::Orders(a) => orders::run(a, &access, ctx).await,
        MpCommand::Reconcile(a) => reconcile::run(a, &access, ctx).await,
        MpCommand::Prices(a) => push::prices(a, &access, ctx).await,
        MpCommand::Stocks(a) => push::stocks(a, &access, ctx).await,
        MpCommand::Label(a) => label::run(a, &access, ctx).await,
    };
    access.close().await?;
    result
}

/// The channel with its connector.
pub async fn channel(access: &PersistAccess, code: &str) -> anyhow::Result<ChannelContext> {
    ChannelContext::load(&access.client, code, &ConnectOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("channel {code}: {e}"))
}
