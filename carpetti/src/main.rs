//! The `carpetti` binary owns the command line: it parses it, loads the configuration and hands
//! over to one command under `commands/` (`up`, `serve <service>`, `config`, …).

mod cli;
mod commands;
mod context;
mod output;
mod platform;
mod services;

use std::process::ExitCode;

use anyhow::Context as _;
use carpetti_handle::observe;
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
    let _logs = observe::init_logging(&log_options(&cli.command, &ctx.config))
        .context("starting the log outputs")?;
    commands::run(cli.command, &ctx).await
}

/// Services log to stdout (what Fluent Bit / Fluentd collect), one JSON object a line by
/// default; one-shot commands log to stderr, their stdout being their result. Benchmarks, imports
/// and exports keep the terminal for their progress bars and summary: only warnings are logged
/// (RUST_LOG still raises it).
fn log_options(command: &cli::Command, config: &carpetti_config::Config) -> observe::LogOptions {
    let service = matches!(command, cli::Command::Up(_) | cli::Command::Serve(_));
    let level = match command {
        cli::Command::Bench(_) | cli::Command::Import(_) | cli::Command::Export(_) => {
            "warn".to_owned()
        }
        _ => config.log.level.clone(),
    };
    observe::LogOptions {
        level,
        format: if config.log.format.is_json() {
            observe::LogFormat::Json
        } else {
            observe::LogFormat::Pretty
        },
        output: if service {
            observe::LogOutput::Stdout
        } else {
            observe::LogOutput::Stderr
        },
        fluent: config
            .log
            .fluent_address
            .as_ref()
            .filter(|_| service)
            .map(|address| {
                observe::FluentOptions::new(address.as_str(), config.log.fluent_tag.as_str())
            }),
        rust_log: true,
    }
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
