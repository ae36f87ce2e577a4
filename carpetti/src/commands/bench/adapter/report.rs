//! The figures of `carpetti bench adapter` made from what the run noted (the viewers' arrivals,
//! the worker's completions, `/health`, `/proc`), and their summary: a table, or one JSON
//! document with `--json`.

use serde::Serialize;

use super::AdapterBenchArgs;
use super::naive::NaiveRun;
use super::system::Memory;
use super::viewers::{Arrival, OTHER};
use super::worker::Completion;
use crate::commands::bench::rss;
use crate::context::Context;
use crate::output;

/// The targets.
const TARGET_P99_PUSH_MS: f64 = 50.0;
const TARGET_RSS_MIB: f64 = 300.0;
/// A completion noted at most this long after a cursor showing its result still caused it (the
/// adapter's poll can see the commit before the worker has read the `complete` answer).
const SLACK_MS: f64 = 50.0;

/// The value at quantile `q` of sorted values (0 when empty).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A latency distribution, ms.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        Self {
            count: values.len(),
            p50_ms: round(percentile(&values, 0.50)),
            p99_ms: round(percentile(&values, 0.99)),
            max_ms: round(values.last().copied().unwrap_or(0.0)),
        }
    }
}

/// The viewers' side of the window.
#[derive(Debug, Clone, Serialize)]
pub struct Viewing {
    /// Cursor changes received in the window (each viewer's first cursor is its channel's state
    /// when it subscribed, not a change, and is left out).
    pub changes: usize,
    pub changes_per_sec: f64,
    /// arrival − `observedAt` (the end of the poll that saw the change); `observedAt` is whole
    /// ms, so each value is up to 1 ms above the truth.
    pub push: Latency,
    /// arrival − the moment the worker's `complete` of the step the cursor shows returned.
    pub end_to_end: Latency,
    /// Changes no completion could be matched to (a cursor showing neither step, or none).
    pub unmatched: usize,
    /// The steps the worker completed in the window × the viewers of their channel: the
    /// changes the viewers would receive if every step were shown.
    pub expected_changes: usize,
    /// 1 − changes ÷ expected: steps no viewer saw, mostly because two steps fell between two
    /// polls of their channel (the cursor came back to the same task).
    pub missed_fraction: f64,
}

/// Matches the arrivals inside `[start_ms, end_ms]` with the worker's completions; `viewers`
/// followed the channels as viewer i → channel i % channels.
pub fn viewing(
    arrivals: &[Arrival],
    completions: &[Vec<Completion>],
    viewers: usize,
    (start_ms, end_ms): (f64, f64),
) -> Viewing {
    let channels = completions.len().max(1);
    let expected_changes: usize = completions
        .iter()
        .enumerate()
        .map(|(k, list)| {
            let watching = viewers / channels + usize::from(k < viewers % channels);
            let steps = list
                .iter()
                .filter(|c| c.at_ms >= start_ms && c.at_ms <= end_ms)
                .count();
            steps * watching
        })
        .sum();
    let mut push = Vec::new();
    let mut end_to_end = Vec::new();
    let mut unmatched = 0;
    for a in arrivals {
        if a.first || a.arrival_ms < start_ms || a.arrival_ms > end_ms {
            continue;
        }
        push.push(a.arrival_ms - a.observed_at_ms as f64);
        let cause = (a.step != OTHER)
            .then(|| completions.get(a.channel as usize))
            .flatten()
            .and_then(|list| {
                list.iter()
                    .rev()
                    .find(|c| c.now_at == a.step && c.at_ms <= a.arrival_ms + SLACK_MS)
            });
        match cause {
            Some(c) => end_to_end.push((a.arrival_ms - c.at_ms).max(0.0)),
            None => unmatched += 1,
        }
    }
    let changes = push.len();
    Viewing {
        changes,
        changes_per_sec: round(changes as f64 / ((end_ms - start_ms) / 1000.0).max(1e-9)),
        push: Latency::of(push),
        end_to_end: Latency::of(end_to_end),
        unmatched,
        expected_changes,
        // Steps completed just before the window can arrive inside it: the count is approximate
        // at the window edges, and never below zero.
        missed_fraction: round_to(
            (1.0 - changes as f64 / expected_changes.max(1) as f64).max(0.0),
            4,
        ),
    }
}

/// The adapter during the window.
#[derive(Debug, Clone, Serialize)]
pub struct AdapterSide {
    pub connections: usize,
    pub channels: usize,
    pub subscribers: usize,
    pub polling: usize,
    pub engine_requests: u64,
    pub engine_requests_per_sec: f64,
    pub engine_requests_per_sec_per_channel: f64,
    pub engine_requests_per_sec_per_viewer: f64,
    /// The most its pacing allows for these channels: min(channels × 1000 / min_poll_ms,
    /// engine_budget_rps).
    pub pacing_ceiling_per_sec: f64,
    pub engine_errors: u64,
    pub engine_latency_ms: f64,
    pub cpu_percent: f64,
    pub memory: Memory,
    /// Its log lines at warn level or above over the whole run, and the last few.
    pub warnings: u64,
    pub last_warnings: Vec<String>,
    /// Engine requests/s it made during the naive phase (its viewers gone).
    pub engine_requests_per_sec_without_viewers: Option<f64>,
}

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub suite: &'static str,
    pub machine: String,
    pub viewers: usize,
    pub channels: usize,
    pub seconds: f64,
    pub step_ms: u64,
    pub min_poll_ms: u64,
    pub max_poll_ms: u64,
    pub engine_budget_rps: f64,
    pub connected: u64,
    pub connect_failed: u64,
    pub connect_errors: u64,
    pub last_connect_error: Option<String>,
    pub seconds_to_connect: f64,
    pub dropped: u64,
    pub protocol_errors: u64,
    pub viewing: Viewing,
    pub adapter: AdapterSide,
    pub engine_cpu_percent: f64,
    pub engine_memory: Memory,
    pub engine_warnings: u64,
    pub client_cpu_percent: f64,
    pub client_memory: Memory,
    pub steps_completed: u64,
    pub steps_per_sec: f64,
    pub worker_errors: u64,
    pub naive: Option<NaiveRun>,
    pub naive_engine_cpu_percent: Option<f64>,
    /// Naive engine requests/s answered ÷ the adapter's engine requests/s.
    pub naive_ratio: Option<f64>,
    /// Naive engine requests/s demanded ÷ the adapter's engine requests/s.
    pub naive_demanded_ratio: Option<f64>,
    pub target_p99_push_met: bool,
    pub target_rss_met: bool,
}

/// `value` to 2 decimals.
pub fn round(value: f64) -> f64 {
    round_to(value, 2)
}

/// `value` to `digits` decimals.
pub fn round_to(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

fn mib(memory: &Memory) -> String {
    let one = |m: Option<f64>| crate::output::or_dash(m, |m| format!("{m:.0}"));
    format!(
        "{} MiB now, peak {} MiB",
        one(memory.rss_mib),
        one(memory.peak_mib)
    )
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

/// Prints the report.
pub fn print(args: &AdapterBenchArgs, ctx: &Context, report: &Report) {
    if ctx.json {
        output::json_line(&serde_json::to_value(report).unwrap_or_default());
        return;
    }
    let a = &report.adapter;
    let v = &report.viewing;
    let mut rows: Vec<[String; 3]> = vec![
        [
            "viewers connected".into(),
            format!("{} of {}", report.connected, report.viewers),
            format!(
                "in {:.1} s; {} gave up, {} failed attempts, {} dropped during the window, {} protocol errors",
                report.seconds_to_connect,
                report.connect_failed,
                report.connect_errors,
                report.dropped,
                report.protocol_errors
            ),
        ],
        [
            "channels (polled)".into(),
            format!("{} ({})", a.channels, a.polling),
            format!("{} subscribers on {} sockets", a.subscribers, a.connections),
        ],
        [
            "adapter → engine requests/s".into(),
            format!("{:.1}", a.engine_requests_per_sec),
            format!(
                "{} requests in {:.0} s; its pacing's ceiling for {} channels: {:.0}/s; {} errors; engine latency {:.1} ms",
                a.engine_requests,
                report.seconds,
                report.channels,
                a.pacing_ceiling_per_sec,
                a.engine_errors,
                a.engine_latency_ms
            ),
        ],
        [
            "  per channel / per viewer".into(),
            format!(
                "{:.3} / {:.4}",
                a.engine_requests_per_sec_per_channel, a.engine_requests_per_sec_per_viewer
            ),
            "requests/s".into(),
        ],
        [
            "cursor changes received".into(),
            format!("{:.0}/s", v.changes_per_sec),
            format!(
                "{} in the window, of {} steps × their viewers (≈{:.1}% never shown); steps {:.0}/s ({} worker errors)",
                v.changes,
                v.expected_changes,
                v.missed_fraction * 100.0,
                report.steps_per_sec,
                report.worker_errors
            ),
        ],
        [
            "push after the poll, p50 / p99 / max".into(),
            format!(
                "{:.1} / {:.1} / {:.1} ms",
                v.push.p50_ms, v.push.p99_ms, v.push.max_ms
            ),
            format!(
                "target p99 < {TARGET_P99_PUSH_MS:.0} ms: {}",
                met(report.target_p99_push_met)
            ),
        ],
        [
            "engine change → viewer, p50 / p99 / max".into(),
            format!(
                "{:.0} / {:.0} / {:.0} ms",
                v.end_to_end.p50_ms, v.end_to_end.p99_ms, v.end_to_end.max_ms
            ),
            format!(
                "from the complete's answer; includes the wait for the next poll; {} unmatched",
                v.unmatched
            ),
        ],
        [
            "adapter RSS".into(),
            mib(&a.memory),
            format!(
                "target < {TARGET_RSS_MIB:.0} MiB: {}",
                met(report.target_rss_met)
            ),
        ],
        [
            "adapter CPU".into(),
            format!("{:.0}% of a core", a.cpu_percent),
            format!("{} warnings logged", a.warnings),
        ],
        [
            "engine CPU / RSS".into(),
            format!("{:.0}% of a core", report.engine_cpu_percent),
            mib(&report.engine_memory),
        ],
        [
            "client (this process) CPU / RSS".into(),
            format!("{:.0}% of a core", report.client_cpu_percent),
            mib(&report.client_memory),
        ],
    ];
    if let Some(n) = &report.naive {
        rows.push([
            "naive: viewers polling the engine".into(),
            format!("{:.0} requests/s", n.requests_per_sec),
            format!(
                "{} viewers every {} ms demand {:.0}/s; {} errors; p50 {:.1} ms, p99 {:.1} ms",
                n.viewers,
                n.interval_ms,
                n.demanded_per_sec,
                n.errors,
                n.latency_p50_ms,
                n.latency_p99_ms
            ),
        ]);
        rows.push([
            "naive ÷ adapter engine requests".into(),
            format!("{:.1}×", report.naive_ratio.unwrap_or(0.0)),
            format!(
                "demanded ÷ adapter: {:.0}×; engine CPU {:.0}% of a core; adapter meanwhile {:.1} requests/s",
                report.naive_demanded_ratio.unwrap_or(0.0),
                report.naive_engine_cpu_percent.unwrap_or(0.0),
                a.engine_requests_per_sec_without_viewers.unwrap_or(0.0)
            ),
        ]);
    }
    let mut table = output::table(["figure", "value", "detail"]);
    for row in rows {
        table.add_row(row);
    }
    println!(
        "carpetti bench adapter --viewers {} --channels {} --seconds {} --step-ms {} --min-poll-ms {} --naive-seconds {} on {}",
        args.viewers,
        args.channels,
        args.seconds,
        args.step_ms,
        args.min_poll_ms,
        args.naive_seconds,
        rss::machine()
    );
    println!("{table}");
    if !a.last_warnings.is_empty() {
        println!("The adapter's last warnings:");
        for line in &a.last_warnings {
            println!("  {line}");
        }
    }
}

/// Whether the figures meet the targets: (p99 push, RSS).
pub fn targets(viewing: &Viewing, adapter: &Memory) -> (bool, bool) {
    let rss = adapter.peak_mib.or(adapter.rss_mib).unwrap_or(f64::MAX);
    (
        viewing.push.count > 0 && viewing.push.p99_ms < TARGET_P99_PUSH_MS,
        rss < TARGET_RSS_MIB,
    )
}
