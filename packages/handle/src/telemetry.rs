//! The original one-call tracing setup, kept for callers that have nothing more to configure;
//! [`crate::observe::init_logging`] is the full one (stdout, Fluent output).

use crate::observe::{LogFormat, LogOptions, LogOutput, init_logging};

/// Installs the global tracing subscriber, writing to stderr (stdout stays free for command
/// output): `level` is a filter such as `info` or `info,sqlx=warn`; `RUST_LOG`, when set and
/// valid, overrides it; `json` writes one JSON object per line (Fluent-ready), else pretty lines.
///
/// Idempotent: a second call (or a subscriber installed by someone else) leaves the first in place.
pub fn init_tracing(level: &str, json: bool) {
    let options = LogOptions {
        level: level.to_owned(),
        format: if json {
            LogFormat::Json
        } else {
            LogFormat::Pretty
        },
        output: LogOutput::Stderr,
        fluent: None,
        rust_log: true,
    };
    // Fails only when a global subscriber is already set: that is the idempotence. Without a
    // Fluent output the guard holds nothing.
    if let Ok(guard) = init_logging(&options) {
        drop(guard);
    }
}
