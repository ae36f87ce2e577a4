//! The command line: global flags and one variant per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::bench::BenchArgs;
use crate::commands::catalog::CatalogArgs;
use crate::commands::channel::ChannelArgs;
use crate::commands::export::ExportArgs;
use crate::commands::import::ImportArgs;
use crate::commands::keys::KeysArgs;
use crate::commands::mp::MpArgs;
use crate::commands::process::ProcessArgs;
use crate::commands::sandbox::SandboxArgs;
use crate::commands::{config::ConfigArgs, serve::ServeArgs, up::UpArgs};

/// Carpetti — marketplace-integration middleware: supplier catalogs in, one catalog, marketplaces
/// and the shop out.
#[derive(Debug, Parser)]
#[command(name = "carpetti", version, propagate_version = true)]
pub struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, before or after the command's name.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Configuration file (default: ./carpetti.toml when present). See docs/configuration.md.
    #[arg(long, global = true, value_name = "PATH", env = "CARPETTI_CONFIG")]
    pub config: Option<PathBuf>,

    /// Where embedded state lives (SQLite database, queues, files); overrides `data_dir`.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print results as JSON (one document a line) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The commands. Each lives in its own file under `commands/`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every service in this process on the embedded defaults (SQLite under --data-dir) and
    /// print what listens where. Ctrl-C or SIGTERM stops it gracefully.
    Up(UpArgs),
    /// Run one service in this process (for distributed runs, e.g. with CARPETTI_DATABASE_URL).
    Serve(ServeArgs),
    /// Print the effective configuration, where each value came from, secrets masked.
    Config(ConfigArgs),
    /// Run a benchmark suite against its named limit (see docs/benchmarks.md).
    Bench(BenchArgs),
    /// Service-to-service token keys (`keys generate`).
    Keys(KeysArgs),
    /// Import a supplier's feed (file or URL; YML, CSV, XLSX, JSON) into the catalog and print
    /// the run's report.
    Import(ImportArgs),
    /// Write a feed from the catalog (`export yml --channel CODE --out FILE`).
    Export(ExportArgs),
    /// Business processes on the engine (`engine.url`): deploy BPMN, start, list, show.
    Process(ProcessArgs),
    /// The catalog: `catalog adopt --supplier CODE` makes a product of every available item.
    Catalog(CatalogArgs),
    /// Sales channels: add (settings, credentials), list, show, map categories and attributes.
    Channel(ChannelArgs),
    /// Marketplaces: publish, listings, orders, reconcile, prices, stocks, labels.
    Mp(MpArgs),
    /// Serve the four marketplace sandboxes on loopback ports (Ozon, Wildberries, Yandex Market,
    /// Megamarket) and print how to point a channel at each.
    Sandbox(SandboxArgs),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
