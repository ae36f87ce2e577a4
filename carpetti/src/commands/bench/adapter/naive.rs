//! The peer: the naive design, where each viewer polls the engine itself. `viewers` tasks, viewer
//! `i` polling `GET /process-instance/{id}/activity-instances` of channel `i % channels`'s instance
//! every `interval` (the freshness the adapter gives a moving process), staggered over one
//! interval, through one pooled HTTP client; after a warm-up (connections opening), the requests
//! answered within the window are counted, with their errors and latency.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde::Serialize;
use tokio::time::MissedTickBehavior;

use super::report::{percentile, round};

/// Not counted: sockets opening, the first requests queueing.
pub const WARM_UP: Duration = Duration::from_secs(2);

/// The peer's figures.
#[derive(Debug, Clone, Serialize)]
pub struct NaiveRun {
    pub viewers: usize,
    pub interval_ms: u64,
    /// What `viewers` polls every `interval_ms` ask of the engine.
    pub demanded_per_sec: f64,
    pub seconds: f64,
    /// Requests answered 2xx within the window.
    pub requests: u64,
    pub requests_per_sec: f64,
    /// Requests that failed (status, transport, timeout) within the window.
    pub errors: u64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    /// The last error, if any.
    pub last_error: Option<String>,
}

struct Tally {
    ok: u64,
    errors: u64,
    latencies_ms: Vec<f64>,
    last_error: Option<String>,
}

/// Runs the naive viewers for `WARM_UP` + `seconds`.
pub async fn run(
    engine: SocketAddr,
    instance_ids: &[String],
    viewers: usize,
    interval: Duration,
    seconds: u64,
    bar: &ProgressBar,
) -> anyhow::Result<NaiveRun> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .build()?;
    let urls: Arc<Vec<String>> = Arc::new(
        instance_ids
            .iter()
            .map(|id| {
                format!("http://{engine}/engine-rest/process-instance/{id}/activity-instances")
            })
            .collect(),
    );
    let begun = Instant::now();
    let window_start = begun + WARM_UP;
    let window_end = window_start + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..viewers)
        .map(|i| {
            let (http, urls) = (http.clone(), urls.clone());
            let offset = interval.mul_f64(i as f64 / viewers.max(1) as f64);
            tokio::spawn(async move {
                let url = &urls[i % urls.len().max(1)];
                poll(
                    &http,
                    url,
                    begun + offset,
                    interval,
                    window_start,
                    window_end,
                )
                .await
            })
        })
        .collect();
    while Instant::now() < window_end {
        tokio::time::sleep(Duration::from_millis(200)).await;
        bar.set_position(window_start.elapsed().as_secs().min(seconds));
    }
    let mut total = Tally {
        ok: 0,
        errors: 0,
        latencies_ms: Vec::new(),
        last_error: None,
    };
    for handle in handles {
        let tally = handle.await?;
        total.ok += tally.ok;
        total.errors += tally.errors;
        total.latencies_ms.extend(tally.latencies_ms);
        total.last_error = tally.last_error.or(total.last_error);
    }
    total.latencies_ms.sort_by(f64::total_cmp);
    let window = seconds.max(1) as f64;
    Ok(NaiveRun {
        viewers,
        interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        demanded_per_sec: viewers as f64 / interval.as_secs_f64().max(1e-9),
        seconds: window,
        requests: total.ok,
        requests_per_sec: round(total.ok as f64 / window),
        errors: total.errors,
        latency_p50_ms: round(percentile(&total.latencies_ms, 0.50)),
        latency_p99_ms: round(percentile(&total.latencies_ms, 0.99)),
        last_error: total.last_error,
    })
}

/// One naive viewer: a request every `interval` from `first` (or as soon as the previous one is
/// answered, when that took longer), counted when it is answered within the window; stops at its
/// end.
async fn poll(
    http: &reqwest::Client,
    url: &str,
    first: Instant,
    interval: Duration,
    window_start: Instant,
    window_end: Instant,
) -> Tally {
    let mut tally = Tally {
        ok: 0,
        errors: 0,
        latencies_ms: Vec::new(),
        last_error: None,
    };
    let mut ticks = tokio::time::interval_at(first.into(), interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        if tokio::time::timeout_at(window_end.into(), ticks.tick())
            .await
            .is_err()
        {
            return tally;
        }
        let sent = Instant::now();
        let answered = tokio::time::timeout_at(window_end.into(), async {
            let answer = http.get(url).send().await?.error_for_status()?;
            answer.bytes().await
        })
        .await;
        let Ok(result) = answered else {
            return tally;
        };
        if Instant::now() < window_start {
            continue;
        }
        match result {
            Ok(_) => {
                tally.ok += 1;
                tally
                    .latencies_ms
                    .push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            Err(e) => {
                tally.errors += 1;
                tally.last_error = Some(e.to_string());
            }
        }
    }
}
