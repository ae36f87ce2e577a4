//! `carpetti import FILE|URL --supplier CODE`: imports a feed into the catalog and prints the run's
//! report. By default it works on the embedded system under `--data-dir` (service_persist started
//! in this process on a loopback port; SQLite unless `database.url` says PostgreSQL); with
//! `--provider HOST:PORT` it hands the feed to a running service_provider instead (a file is
//! uploaded, a URL is fetched by the provider).

mod embedded;
mod progress;
mod remote;
mod report;
mod supplier;

pub use progress::Bars;

use std::path::PathBuf;

use anyhow::bail;
use carpetti_provider::format::Format;
use clap::{Args, ValueEnum};

use crate::context::Context;

/// Flags of `carpetti import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The feed: a file path or an http(s) URL.
    pub source: String,
    /// The supplier's code (created on first use, named after the code; with `--provider`, only
    /// when `--persist` is given too).
    #[arg(long, value_name = "CODE")]
    pub supplier: String,
    /// The feed's format (default: the supplier's, else guessed from the file name).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Download even if the server says the feed is not modified.
    #[arg(long)]
    pub force: bool,
    /// Hand the feed to a running service_provider at this address instead of importing here.
    #[arg(long, value_name = "HOST:PORT")]
    pub provider: Option<String>,
    /// With `--provider`: the running system's service_persist, where an unknown supplier is
    /// created on first use (without it the supplier must exist).
    #[arg(long, value_name = "HOST:PORT", requires = "provider")]
    pub persist: Option<std::net::SocketAddr>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Yml,
    Xml,
    Csv,
    Xlsx,
    Json,
}

impl FormatArg {
    pub fn format(self) -> Format {
        match self {
            FormatArg::Yml => Format::Yml,
            FormatArg::Xml => Format::Xml,
            FormatArg::Csv => Format::Csv,
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::Json => Format::Json,
        }
    }
}

/// A format as the proto enum.
pub fn proto_format(format: Format) -> i32 {
    use carpetti_proto::catalog::v1::FeedFormat;
    match format {
        Format::Yml => FeedFormat::Yml as i32,
        Format::Xml => FeedFormat::Xml as i32,
        Format::Csv => FeedFormat::Csv as i32,
        Format::Xlsx => FeedFormat::Xlsx as i32,
        Format::Json => FeedFormat::Json as i32,
    }
}

/// Whether `source` is fetched (a URL) rather than read from disk.
fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

pub async fn run(args: ImportArgs, ctx: &Context) -> anyhow::Result<()> {
    if !is_url(&args.source) && !PathBuf::from(&args.source).is_file() {
        bail!(
            "{}: no such file (give a file path or an http(s) URL)",
            args.source
        );
    }
    let report = match &args.provider {
        Some(address) => remote::run(&args, address, ctx).await?,
        None => embedded::run(&args, ctx).await?,
    };
    report::print(ctx, &args.supplier, &report);
    if report::failed(&report) {
        let why = report
            .run
            .and_then(|run| run.error)
            .unwrap_or_else(|| "unknown reason".to_owned());
        bail!("the import failed: {why}");
    }
    Ok(())
}
