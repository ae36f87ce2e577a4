//! `carpetti serve <service>`: one service in this process.

use clap::{Args, ValueEnum};

use crate::context::Context;
use crate::services::ServiceName;

/// `carpetti serve <service>`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The service to run.
    #[arg(value_enum)]
    pub service: ServiceName,
}

/// Starts the one service and runs it until Ctrl-C/SIGTERM.
pub async fn run(args: ServeArgs, ctx: &Context) -> anyhow::Result<()> {
    let name = args
        .service
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let heading = format!("Carpetti serves {name}.");
    super::run_services(ctx, &[args.service], super::Mode::Serve, &heading).await
}
