//! The adapter's Prometheus metrics (through the `metrics` facade; the binary installs the
//! exporter): channels, subscribers, connections, engine calls, poll intervals, push latency.

use std::time::Duration;

/// Channel objects of this instance (gauge).
pub const CHANNELS: &str = "carpetti_adapter_channels";
/// Channels this instance polls, i.e. holds the lease of (gauge).
pub const POLLING: &str = "carpetti_adapter_polling_channels";
/// Subscriptions over all sockets (gauge).
pub const SUBSCRIBERS: &str = "carpetti_adapter_subscribers";
/// Open WebSocket connections (gauge).
pub const CONNECTIONS: &str = "carpetti_adapter_connections";
/// Engine calls by `call` and `outcome` (counter); its rate is the engine calls per second.
pub const ENGINE_CALLS: &str = "carpetti_adapter_engine_calls_total";
/// Engine call latency by `call` (histogram, seconds).
pub const ENGINE_SECONDS: &str = "carpetti_adapter_engine_call_seconds";
/// The interval chosen after each poll (histogram, seconds).
pub const POLL_INTERVAL: &str = "carpetti_adapter_poll_interval_seconds";
/// From the end of the poll that saw a change to the frame written to a viewer (histogram,
/// seconds).
pub const PUSH_SECONDS: &str = "carpetti_adapter_push_seconds";
/// Frames sent, by `type` (counter).
pub const FRAMES: &str = "carpetti_adapter_frames_total";
/// Connections the adapter closed, by `reason` (counter): `silent`, `send_timeout`, `send_error`.
pub const DROPPED: &str = "carpetti_adapter_dropped_connections_total";

/// Registers descriptions (once per process is enough; repeating is harmless).
pub fn describe() {
    metrics::describe_gauge!(CHANNELS, "channel objects of this adapter instance");
    metrics::describe_gauge!(POLLING, "channels this instance polls (lease held)");
    metrics::describe_gauge!(SUBSCRIBERS, "subscriptions over all WebSocket connections");
    metrics::describe_gauge!(CONNECTIONS, "open WebSocket connections");
    metrics::describe_counter!(ENGINE_CALLS, "engine REST calls by call and outcome");
    metrics::describe_histogram!(
        ENGINE_SECONDS,
        metrics::Unit::Seconds,
        "engine call latency"
    );
    metrics::describe_histogram!(
        POLL_INTERVAL,
        metrics::Unit::Seconds,
        "poll interval chosen after each poll"
    );
    metrics::describe_histogram!(
        PUSH_SECONDS,
        metrics::Unit::Seconds,
        "from the poll that saw a change to the frame written to a viewer"
    );
    metrics::describe_counter!(FRAMES, "frames sent by type");
    metrics::describe_counter!(DROPPED, "connections closed by the adapter by reason");
}

pub(crate) fn engine_call(call: &'static str, elapsed: Duration, ok: bool) {
    let outcome = if ok { "ok" } else { "error" };
    metrics::counter!(ENGINE_CALLS, "call" => call, "outcome" => outcome).increment(1);
    metrics::histogram!(ENGINE_SECONDS, "call" => call).record(elapsed.as_secs_f64());
}

pub(crate) fn poll_interval(interval: Duration) {
    metrics::histogram!(POLL_INTERVAL).record(interval.as_secs_f64());
}

pub(crate) fn pushed(kind: &'static str, latency: Option<Duration>) {
    metrics::counter!(FRAMES, "type" => kind).increment(1);
    if let Some(latency) = latency {
        metrics::histogram!(PUSH_SECONDS).record(latency.as_secs_f64());
    }
}

pub(crate) fn dropped(reason: &'static str) {
    metrics::counter!(DROPPED, "reason" => reason).increment(1);
}

pub(crate) fn gauge(name: &'static str, value: usize) {
    metrics::gauge!(name).set(value as f64);
}
