//! One command per file; [`run`] dispatches. To add a command: a file (or folder) here, a variant
//! in `cli::Command`, an arm in [`run`].

pub mod bench;
pub mod catalog;
pub mod channel;
pub mod config;
pub mod export;
pub mod import;
pub mod keys;
mod local;
pub mod mp;
pub mod process;
pub mod sandbox;
pub mod serve;
pub mod up;

use anyhow::bail;

use crate::cli::Command;
use crate::context::Context;
use crate::output;
use crate::platform::{self, Mode, Platform};
use crate::services::{self, Listening, Outcome, ServiceName, Shutdown};

/// Runs one command.
pub async fn run(command: Command, ctx: &Context) -> anyhow::Result<()> {
    match command {
        Command::Up(args) => up::run(args, ctx).await,
        Command::Serve(args) => serve::run(args, ctx).await,
        Command::Config(args) => config::run(args, ctx),
        Command::Bench(args) => bench::run(args, ctx).await,
        Command::Keys(args) => keys::run(args, ctx),
        Command::Import(args) => import::run(args, ctx).await,
        Command::Export(args) => export::run(args, ctx).await,
        Command::Process(args) => process::run(args, ctx).await,
        Command::Channel(args) => channel::run(args, ctx).await,
        Command::Mp(args) => mp::run(args, ctx).await,
        Command::Catalog(args) => catalog::run(args, ctx).await,
        Command::Sandbox(args) => sandbox::run(args, ctx).await,
    }
}

/// Starts `names`, prints what listens where, runs them until SIGTERM/Ctrl-C, prints how each
/// ended. Fails when a service fails to start or stops with an error.
async fn run_services(
    ctx: &Context,
    names: &[ServiceName],
    mode: Mode,
    heading: &str,
) -> anyhow::Result<()> {
    // Service tokens are required only where gRPC is served or called.
    let grpc = names.iter().any(|name| name.speaks_grpc());
    let platform = Platform::build_for(&ctx.config, mode, grpc).await?;
    let shutdown = Shutdown::new();
    let mut started = Vec::with_capacity(names.len() + 1);
    for name in names {
        // On error the services already started are dropped, closing their listeners and pools.
        let service = name.start(&ctx.config, &platform, &shutdown).await?;
        platform.add_local(service.service, service.address);
        started.push(service);
    }
    if let Some(metrics) = platform::start_metrics(&ctx.config, &platform, &shutdown).await? {
        started.push(metrics);
    }
    // Armed before announcing the addresses: a SIGTERM sent right after must stop us gracefully.
    let signal = carpetti_handle::shutdown_signal();
    let rows: Vec<Listening> = started.iter().map(services::Started::listening).collect();
    print_listening(ctx, heading, &rows, &platform);

    let outcomes = services::run_until_stopped(started, shutdown, signal).await;
    platform.close().await;
    print_outcomes(ctx, &outcomes);
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    if failed > 0 {
        bail!("{failed} service(s) stopped with an error (see above)");
    }
    Ok(())
}

fn print_listening(ctx: &Context, heading: &str, rows: &[Listening], platform: &Platform) {
    let auth = platform.keys.describe();
    let discovery = platform.describe_discovery();
    let queue = platform.bus.describe();
    let cache = platform.cache.describe();
    if ctx.json {
        output::json_line(&serde_json::json!({
            "event": "listening",
            "data_dir": ctx.config.data_dir,
            "services": rows,
            "queue": queue,
            "cache": cache,
            "auth": auth,
            "discovery": discovery,
        }));
        return;
    }
    let mut table = output::table(["service", "address", "backend"]);
    for row in rows {
        table.add_row([row.service, &row.address, &row.backend]);
    }
    output::line(&format!(
        "{heading} Data dir: {}. Stop with Ctrl-C.",
        ctx.config.data_dir.display()
    ));
    output::line(&table.to_string());
    output::line(&format!("Queue: {queue}. Cache: {cache}."));
    output::line(&format!("Service auth: {auth}. Discovery: {discovery}."));
    // A hint for the first gRPC service (the engine and the adapter speak HTTP).
    if let Some(first) = rows
        .iter()
        .find(|row| !matches!(row.service, "engine" | "process_adapter" | "metrics"))
    {
        output::line(&format!("Try: grpcurl -plaintext {} list", first.address));
    }
    if let Some(adapter) = rows.iter().find(|row| row.service == "process_adapter") {
        output::line(&format!(
            "Live process diagrams: http://{}/processes/<business key>",
            adapter.address
        ));
    }
}

fn print_outcomes(ctx: &Context, outcomes: &[Outcome]) {
    if ctx.json {
        output::json_line(&serde_json::json!({ "event": "stopped", "services": outcomes }));
        return;
    }
    let mut table = output::table(["service", "result", "uptime"]);
    for o in outcomes {
        table.add_row([o.service, &o.result, &format!("{:.1} s", o.uptime_secs)]);
    }
    output::line(&table.to_string());
}
