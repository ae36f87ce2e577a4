//! The `carpetti` binary owns the command line: it parses it, loads the configuration and hands
//! over to one command under `commands/` (`up`, `serve <service>`, `config`, …).

mod cli;
mod commands;
mod context;
mod output;
mod services;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: an import allocates and frees millions of small strings (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: cli::Cli) -> anyhow::Result<()> {
    let ctx = context::Context::load(&cli.global)?;
    // Benchmarks keep the terminal for their progress bars: only warnings are logged.
    let level = match cli.command {
        cli::Command::Bench(_) => "warn",
        _ => ctx.config.log.level.as_str(),
    };
    carpetti_handle::init_tracing(level, ctx.config.log.format.is_json());
    commands::run(cli.command, &ctx).await
}

/// Prints an error and its causes for people (no backtrace), skipping a cause whose text the
/// message before it already shows.
fn report(error: &anyhow::Error) {
    eprintln!("carpetti: error: {error}");
    let mut previous = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !previous.contains(&text) {
            eprintln!("  caused by: {text}");
        }
        previous = text;
    }
}
