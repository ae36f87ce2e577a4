//! `carpetti export yml --out FILE (--channel CODE | --supplier CODE)`: writes a YML feed, streamed
//! from persist (constant memory whatever the catalog size). With `--channel` the catalog's active
//! products in the channel's flavor (Megamarket: stock per warehouse; Ozon: the price/stock feed;
//! Yandex Market and our shop: the full catalog); with `--supplier` that supplier's available
//! items as a full catalog. Works on the embedded system under `--data-dir`, or on a running
//! system's persist with `--persist HOST:PORT`.

mod channel;
mod feed;
pub mod supplier;

use std::path::PathBuf;

use anyhow::bail;
use carpetti_yml::Flavor;
use clap::{Args, Subcommand, ValueEnum};

use crate::commands::local::LocalSystem;
use crate::context::Context;

/// `carpetti export …`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub what: ExportWhat,
}

/// What to export.
#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// A YML feed (Yandex Market Language).
    Yml(YmlArgs),
}

/// Flags of `carpetti export yml`.
#[derive(Debug, Args)]
pub struct YmlArgs {
    /// The channel whose feed to write (its kind picks the flavor).
    #[arg(
        long,
        value_name = "CODE",
        conflicts_with = "supplier",
        required_unless_present = "supplier"
    )]
    pub channel: Option<String>,
    /// Write this supplier's items instead of the catalog.
    #[arg(long, value_name = "CODE")]
    pub supplier: Option<String>,
    /// The file to write (replaced atomically when complete).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Override the flavor.
    #[arg(long, value_enum)]
    pub flavor: Option<FlavorArg>,
    /// Read from a running system's service_persist instead of the embedded one.
    #[arg(long, value_name = "HOST:PORT")]
    pub persist: Option<std::net::SocketAddr>,
}

/// `--flavor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlavorArg {
    YandexMarket,
    Megamarket,
    Ozon,
}

impl FlavorArg {
    fn flavor(self) -> Flavor {
        match self {
            FlavorArg::YandexMarket => Flavor::YandexMarket,
            FlavorArg::Megamarket => Flavor::Megamarket,
            FlavorArg::Ozon => Flavor::OzonPriceStock,
        }
    }
}

pub async fn run(args: ExportArgs, ctx: &Context) -> anyhow::Result<()> {
    let ExportWhat::Yml(args) = args.what;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        bail!("{}: no such directory", dir.display());
    }
    let (client, local) = match args.persist {
        Some(address) => {
            let platform =
                crate::platform::Platform::build(&ctx.config, crate::platform::Mode::Up).await?;
            let client = platform.persist_client("cli", Some(address))?;
            (client, None)
        }
        None => {
            let local = LocalSystem::start(ctx).await?;
            (local.persist("cli")?, Some(local))
        }
    };
    let result = match (&args.channel, &args.supplier) {
        (Some(channel), _) => channel::export(&client, channel, &args, ctx).await,
        (None, Some(supplier)) => supplier::export(&client, supplier, &args, ctx).await,
        (None, None) => Err(anyhow::anyhow!("give --channel CODE or --supplier CODE")),
    };
    if let Some(local) = local {
        local.stop().await?;
    }
    let summary = result?;
    feed::print(ctx, &args.out, &summary);
    Ok(())
}
