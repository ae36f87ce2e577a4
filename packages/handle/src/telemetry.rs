//! Process-wide tracing setup.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the global tracing subscriber, writing to stderr (stdout stays free for command
/// output): `level` is a filter such as `info` or `info,sqlx=warn`; `RUST_LOG`, when set and
/// valid, overrides it; `json` writes one JSON object per line (Fluent-ready), else pretty lines.
///
/// Idempotent: a second call (or a subscriber installed by someone else) leaves the first in place.
pub fn init_tracing(level: &str, json: bool) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .or_else(|| EnvFilter::try_new(level).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));

    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // `try_init` fails only when a global subscriber is already set: that is the idempotence.
    let _already_set = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init()
    } else {
        builder.with_target(true).try_init()
    };
}
