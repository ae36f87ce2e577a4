//! `carpetti up`: every service in one process, on the embedded defaults.

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use crate::context::Context;
use crate::services::ServiceName;

/// `carpetti up` takes only the global flags.
#[derive(Debug, Args)]
pub struct UpArgs {}

/// Creates the data dir, starts all services, runs them until Ctrl-C/SIGTERM.
pub async fn run(_args: UpArgs, ctx: &Context) -> anyhow::Result<()> {
    let data_dir = &ctx.config.data_dir;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
    super::run_services(
        ctx,
        ServiceName::value_variants(),
        super::Mode::Up,
        "Carpetti is up.",
    )
    .await
}
