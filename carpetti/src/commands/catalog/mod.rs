//! `carpetti catalog adopt --supplier CODE`: the supplier's available items as products of our
//! catalog, one product per item — the plain way from an imported feed to something to publish
//! until service_process builds the catalog (links, packages, merged offers). Products are
//! upserted by SKU, so running it again after the next import updates them.

mod adopt;

use clap::{Args, Subcommand};

use crate::commands::local::PersistAccess;
use crate::context::Context;

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// A running system's persist instead of the embedded one under --data-dir.
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub persist: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    pub command: CatalogCommand,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Make one active product per available item of a supplier.
    Adopt(adopt::AdoptArgs),
}

pub async fn run(args: CatalogArgs, ctx: &Context) -> anyhow::Result<()> {
    let access = PersistAccess::open(ctx, args.persist, "cli").await?;
    let result = match args.command {
        CatalogCommand::Adopt(a) => adopt::run(a, &access, ctx).await,
    };
    access.close().await?;
    result
}
