//! How long to wait before the next attempt: the marketplace's own hint when it gives one
//! (`Retry-After`, WB `X-Ratelimit-Retry`, Ozon `Item-Retry-After` in minutes), else exponential
//! back-off with jitter.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use http::HeaderMap;

/// Attempts, back-off and timeouts of every call.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts of one call, the first included (≥ 1).
    pub attempts: u32,
    /// First back-off; doubles per attempt up to `max_delay`.
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// Deadline of one attempt, response body included.
    pub timeout: Duration,
    /// A rate-limit hint longer than this is not waited for inside the call: the error goes back
    /// with the hint so the caller reschedules the work.
    pub max_hint: Duration,
    /// Consecutive failures (5xx, timeouts, network) that open the account's breaker, and how
    /// long it stays open.
    pub breaker_threshold: u32,
    pub breaker_open_for: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            max_hint: Duration::from_secs(120),
            breaker_threshold: 8,
            breaker_open_for: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Fast settings for tests against loopback sandboxes.
    pub fn quick() -> Self {
        Self {
            attempts: 6,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
            max_hint: Duration::from_secs(5),
            breaker_threshold: 20,
            breaker_open_for: Duration::from_millis(500),
        }
    }

    /// The back-off delays of one call: exponential from `min_delay`, capped at `max_delay`, with
    /// jitter so that many clients do not retry in step.
    pub fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// The wait the marketplace asks for, if any.
pub fn hint(headers: &HeaderMap) -> Option<Duration> {
    let seconds = |name: &str| -> Option<f64> {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
    };
    if let Some(s) = seconds("retry-after").or_else(|| seconds("x-ratelimit-retry")) {
        return Some(Duration::from_secs_f64(s));
    }
    seconds("item-retry-after").map(|minutes| Duration::from_secs_f64(minutes * 60.0))
}
