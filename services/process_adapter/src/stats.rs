//! The service's statistics: engine calls (count, errors, latency as an exponentially weighted
//! moving average) and how many channels this instance polls. [`Pacing`] turns them into the next
//! poll interval of a channel.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::metrics as m;

/// Engine call statistics, shared by every channel of one adapter.
#[derive(Debug, Default)]
pub struct EngineStats {
    calls: AtomicU64,
    errors: AtomicU64,
    /// EWMA of call latency in microseconds (weight 1/8 per sample).
    latency_us: AtomicU64,
}

impl EngineStats {
    pub fn record(&self, call: &'static str, elapsed: Duration, ok: bool) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let sample = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        // A lost update under a race only skews the average by one sample.
        let old = self.latency_us.load(Ordering::Relaxed);
        let new = if old == 0 {
            sample
        } else {
            old - old / 8 + sample / 8
        };
        self.latency_us.store(new, Ordering::Relaxed);
        m::engine_call(call, elapsed, ok);
    }

    /// Engine calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Engine calls that failed.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// The recent average latency of one engine call.
    pub fn latency(&self) -> Duration {
        Duration::from_micros(self.latency_us.load(Ordering::Relaxed))
    }
}

/// Channels this instance polls now (the lease holders among its channels).
#[derive(Debug, Default)]
pub struct PollingChannels(AtomicUsize);

impl PollingChannels {
    pub fn add(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn remove(&self) {
        // Never below zero even if a caller double-removes.
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// How poll intervals adapt.
#[derive(Debug, Clone)]
pub struct Pacing {
    /// The interval while a process moves (and the first one).
    pub min: Duration,
    /// The longest interval a quiet channel backs off to (unless load demands more).
    pub max: Duration,
    /// Each quiet poll multiplies the interval by this, once the process has not moved for
    /// `settle`.
    pub backoff: f64,
    /// A process that moved within this long counts as moving: its interval does not back off
    /// (so a process stepping every few seconds is not polled less often than it steps).
    pub settle: Duration,
    /// Engine requests per second this instance allows itself across all its channels: with
    /// many channels every interval stretches so that the total stays under it.
    pub engine_budget_rps: f64,
    /// Engine latency above this stretches every interval proportionally.
    pub latency_target: Duration,
    /// ± this fraction of random jitter, so channels do not poll in lockstep.
    pub jitter: f64,
}

impl Default for Pacing {
    fn default() -> Self {
        Self {
            min: Duration::from_millis(250),
            max: Duration::from_secs(10),
            backoff: 1.5,
            settle: Duration::from_secs(30),
            engine_budget_rps: 400.0,
            latency_target: Duration::from_millis(100),
            jitter: 0.1,
        }
    }
}

impl Pacing {
    /// The interval after a poll: the minimum when the cursor just changed, the previous one
    /// while the process moved within `settle` (`since_moved`), else the previous one backed
    /// off; then stretched by the engine budget over `channels` and by engine latency.
    pub fn next(
        &self,
        previous: Duration,
        since_moved: Duration,
        channels: usize,
        latency: Duration,
    ) -> Duration {
        let base = if since_moved.is_zero() {
            self.min
        } else if since_moved < self.settle {
            previous.clamp(self.min, self.max)
        } else {
            previous.mul_f64(self.backoff.max(1.0)).min(self.max)
        };
        let budget = if self.engine_budget_rps > 0.0 {
            Duration::from_secs_f64(channels as f64 / self.engine_budget_rps)
        } else {
            Duration::ZERO
        };
        let slow = if latency > self.latency_target && !self.latency_target.is_zero() {
            latency.as_secs_f64() / self.latency_target.as_secs_f64()
        } else {
            1.0
        };
        let interval = base.max(budget).mul_f64(slow);
        let ceiling = self.max.max(budget).mul_f64(slow);
        let jitter = 1.0 + self.jitter * (fastrand::f64() * 2.0 - 1.0);
        interval
            .mul_f64(jitter)
            .clamp(self.min, ceiling.max(self.min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> Pacing {
        Pacing {
            jitter: 0.0,
            ..Pacing::default()
        }
    }

    #[test]
    fn moves_fast_holds_while_moving_lately_backs_off_when_settled_and_caps() {
        let p = quiet();
        let ms = Duration::from_millis;
        let settled = p.settle;
        assert_eq!(p.next(ms(4000), Duration::ZERO, 1, ms(1)), ms(250));
        assert_eq!(
            p.next(ms(250), ms(5000), 1, ms(1)),
            ms(250),
            "moved 5 s ago: hold"
        );
        assert_eq!(p.next(ms(250), settled, 1, ms(1)), ms(375));
        assert_eq!(p.next(ms(9000), settled, 1, ms(1)), p.max);
    }

    #[test]
    fn stretches_with_channels_and_latency() {
        let p = quiet();
        let ms = Duration::from_millis;
        // 2,000 channels at 400 rps: each channel every 5 s, even while it moves.
        let now = Duration::ZERO;
        assert_eq!(p.next(ms(250), now, 2000, ms(1)), ms(5000));
        // 40,000 channels: 100 s, beyond max, because the budget says so.
        assert_eq!(p.next(ms(250), now, 40_000, ms(1)), ms(100_000));
        // The engine answers in 300 ms instead of 100: three times slower polls.
        assert_eq!(p.next(ms(250), now, 1, ms(300)), ms(750));
    }

    #[test]
    fn stats_average_latency() {
        let s = EngineStats::default();
        s.record("x", Duration::from_millis(8), true);
        s.record("x", Duration::from_millis(16), false);
        assert_eq!(s.calls(), 2);
        assert_eq!(s.errors(), 1);
        assert_eq!(s.latency(), Duration::from_millis(9));
    }
}
