//! Process-wide logging: [`init_logging`] installs a subscriber writing one JSON object per line
//! (what Fluent Bit / Fluentd collect from a container's stdout) or pretty lines for people, and,
//! when configured, the Fluent Forward output.
//!
//! A JSON line holds `timestamp` (RFC 3339, UTC, microseconds), `level`, `target`, `message`, the
//! fields of every enclosing span (`request_id`, `service`, `method`, `trace_id`, `span_id`,
//! `parent_span_id`, …), `span` (the innermost span's name) and the event's own fields.

mod layer;
mod record;

use std::io::IsTerminal;

use tracing::Dispatch;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Registry};

use super::ObserveError;
use super::fluent::{self, FluentHandle, FluentOptions};
use layer::StructuredLayer;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (the default).
    #[default]
    Json,
    /// Human-readable lines, coloured on a terminal.
    Pretty,
}

/// Where log lines go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogOutput {
    /// Standard output (the default: where container log collectors read).
    #[default]
    Stdout,
    /// Standard error (for commands whose stdout is their result).
    Stderr,
}

/// Everything [`init_logging`] needs; each field maps to one configuration key.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// `log.level`: a filter such as `info` or `info,sqlx=warn`; `RUST_LOG`, when set and
    /// valid, wins; an invalid filter falls back to `info`.
    pub level: String,
    /// `log.format`.
    pub format: LogFormat,
    /// Standard output or standard error.
    pub output: LogOutput,
    /// `log.fluent_address` / `log.fluent_tag`: also send every event to a Fluent receiver.
    pub fluent: Option<FluentOptions>,
    /// Whether `RUST_LOG` overrides `level` (default true; tests turn it off).
    pub rust_log: bool,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            level: "info".to_owned(),
            format: LogFormat::Json,
            output: LogOutput::Stdout,
            fluent: None,
            rust_log: true,
        }
    }
}

/// Keeps the logging outputs running: dropping it (or [`LogGuard::shutdown`]) flushes the
/// Fluent output. Keep it until the process ends.
#[derive(Debug, Default)]
#[must_use = "dropping the guard stops the Fluent output"]
pub struct LogGuard {
    fluent: Option<FluentHandle>,
}

impl LogGuard {
    /// The Fluent output, when one was configured.
    pub fn fluent(&self) -> Option<&FluentHandle> {
        self.fluent.as_ref()
    }

    /// Flushes and stops the Fluent output (bounded by its flush timeout).
    pub fn shutdown(mut self) {
        if let Some(mut fluent) = self.fluent.take() {
            fluent.shutdown();
        }
    }
}

/// Installs the global subscriber described by `options`. Fails when one is already installed
/// or the Fluent options are invalid.
pub fn init_logging(options: &LogOptions) -> Result<LogGuard, ObserveError> {
    let writer = match options.output {
        LogOutput::Stdout => BoxMakeWriter::new(std::io::stdout),
        LogOutput::Stderr => BoxMakeWriter::new(std::io::stderr),
    };
    let ansi = match options.output {
        LogOutput::Stdout => std::io::stdout().is_terminal(),
        LogOutput::Stderr => std::io::stderr().is_terminal(),
    };
    let (dispatch, guard) = build_dispatch(options, writer, ansi)?;
    tracing::dispatcher::set_global_default(dispatch)?;
    Ok(guard)
}

/// The subscriber [`init_logging`] installs, writing to `writer`, not installed: for tests
/// (`tracing::dispatcher::set_default`) and for callers that combine it themselves.
pub fn build_dispatch(
    options: &LogOptions,
    writer: BoxMakeWriter,
    ansi: bool,
) -> Result<(Dispatch, LogGuard), ObserveError> {
    let (fluent_sender, fluent_handle) = match &options.fluent {
        Some(fluent_options) => {
            let (sender, handle) = fluent::start(fluent_options.clone())?;
            (Some(sender), Some(handle))
        }
        None => (None, None),
    };
    let (pretty, structured) = match options.format {
        LogFormat::Json => (
            None,
            Some(StructuredLayer::new(Some(writer), fluent_sender)),
        ),
        LogFormat::Pretty => {
            let pretty = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(ansi)
                .with_target(true);
            let fluent_only = fluent_sender.map(|s| StructuredLayer::new(None, Some(s)));
            (Some(pretty), fluent_only)
        }
    };
    let subscriber = Registry::default()
        .with(env_filter(&options.level, options.rust_log))
        .with(pretty)
        .with(structured);
    let guard = LogGuard {
        fluent: fluent_handle,
    };
    Ok((Dispatch::new(subscriber), guard))
}

fn env_filter(level: &str, rust_log: bool) -> EnvFilter {
    rust_log
        .then(|| std::env::var("RUST_LOG").ok())
        .flatten()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .or_else(|| EnvFilter::try_new(level).ok())
        .unwrap_or_else(|| EnvFilter::new("info"))
}
