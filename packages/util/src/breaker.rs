//! A circuit breaker: after `failure_threshold` consecutive failures a target is considered down
//! and calls fail fast for `open_for`; then one probe call is let through (half-open) — its success
//! closes the breaker, its failure opens it again.
//!
//! Shared by every outbound path (typed gRPC clients per target, Redis, marketplaces), so the
//! state machine is written and tested once. No crate of the job is both small and well kept
//! (failsafe is unmaintained; the others are single-release), hence this one.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// When a breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker (≥ 1).
    pub failure_threshold: u32,
    /// How long an open breaker fails fast before it lets one probe through.
    pub open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            open_for: Duration::from_secs(10),
        }
    }
}

/// The state of a breaker, as metrics report it (0 closed, 1 half-open, 2 open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    HalfOpen,
    Open,
}

impl BreakerState {
    /// The gauge value: 0 closed, 1 half-open, 2 open.
    pub fn as_gauge(self) -> f64 {
        match self {
            BreakerState::Closed => 0.0,
            BreakerState::HalfOpen => 1.0,
            BreakerState::Open => 2.0,
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BreakerState::Closed => "closed",
            BreakerState::HalfOpen => "half-open",
            BreakerState::Open => "open",
        })
    }
}

/// A call refused because the breaker is open (or its one probe is already in flight).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("circuit breaker for {target} is open; next probe in {retry_in:?}")]
pub struct BreakerOpen {
    pub target: String,
    pub retry_in: Duration,
}

#[derive(Debug)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

/// One target's breaker. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct CircuitBreaker {
    target: String,
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

/// Permission for one call. Report its outcome with [`Permit::success`] or [`Permit::failure`];
/// dropping it unreported (the call was cancelled) counts as neither, and frees the probe slot.
#[must_use = "report the call's outcome"]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    settled: bool,
}

impl CircuitBreaker {
    pub fn new(target: impl Into<String>, config: BreakerConfig) -> Self {
        Self {
            target: target.into(),
            config: BreakerConfig {
                failure_threshold: config.failure_threshold.max(1),
                open_for: config.open_for,
            },
            inner: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    /// Asks to make a call now.
    pub fn try_acquire(&self) -> Result<Permit<'_>, BreakerOpen> {
        self.try_acquire_at(Instant::now())
    }

    /// [`CircuitBreaker::try_acquire`] at a given instant (tests drive time with it).
    pub fn try_acquire_at(&self, now: Instant) -> Result<Permit<'_>, BreakerOpen> {
        let mut inner = self.lock();
        let probe = match &*inner {
            Inner::Closed { .. } => false,
            Inner::Open { until } if now < *until => {
                return Err(self.refused(*until - now));
            }
            Inner::Open { .. } | Inner::HalfOpen { probing: false } => {
                *inner = Inner::HalfOpen { probing: true };
                true
            }
            Inner::HalfOpen { probing: true } => return Err(self.refused(Duration::ZERO)),
        };
        Ok(Permit {
            breaker: self,
            probe,
            settled: false,
        })
    }

    /// The state now (an open breaker whose time is up still reads open until a call probes it).
    pub fn state(&self) -> BreakerState {
        match &*self.lock() {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { .. } => BreakerState::Open,
            Inner::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    fn refused(&self, retry_in: Duration) -> BreakerOpen {
        BreakerOpen {
            target: self.target.clone(),
            retry_in,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave `Inner` half-updated (single assignments).
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, success: bool, probe: bool, now: Instant) {
        let mut inner = self.lock();
        *inner = match (&*inner, success) {
            (_, true) => Inner::Closed { failures: 0 },
            (Inner::Closed { failures }, false) if !probe => {
                let failures = failures + 1;
                if failures >= self.config.failure_threshold {
                    Inner::Open {
                        until: now + self.config.open_for,
                    }
                } else {
                    Inner::Closed { failures }
                }
            }
            // A failed probe, or a failure reported after the breaker already moved on.
            (Inner::HalfOpen { .. }, false) => Inner::Open {
                until: now + self.config.open_for,
            },
            (Inner::Open { until }, false) => Inner::Open { until: *until },
            (Inner::Closed { failures }, false) => Inner::Closed {
                failures: *failures,
            },
        };
    }

    fn release_probe(&self) {
        let mut inner = self.lock();
        if let Inner::HalfOpen { probing: true } = &*inner {
            *inner = Inner::HalfOpen { probing: false };
        }
    }
}

impl Permit<'_> {
    pub fn success(mut self) {
        self.settled = true;
        self.breaker.record(true, self.probe, Instant::now());
    }

    pub fn failure(mut self) {
        self.settled = true;
        self.breaker.record(false, self.probe, Instant::now());
    }

    /// [`Permit::failure`] at a given instant (tests drive time with it).
    pub fn failure_at(mut self, now: Instant) {
        self.settled = true;
        self.breaker.record(false, self.probe, now);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.settled && self.probe {
            self.breaker.release_probe();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> CircuitBreaker {
        CircuitBreaker::new(
            "persist",
            BreakerConfig {
                failure_threshold: 3,
                open_for: Duration::from_secs(10),
            },
        )
    }

    #[test]
    fn opens_after_consecutive_failures_only() {
        let b = breaker();
        let t = Instant::now();
        for _ in 0..2 {
            b.try_acquire_at(t).expect("closed").failure_at(t);
        }
        b.try_acquire_at(t).expect("closed").success();
        for _ in 0..2 {
            b.try_acquire_at(t).expect("closed").failure_at(t);
        }
        assert_eq!(
            b.state(),
            BreakerState::Closed,
            "a success resets the count"
        );
        b.try_acquire_at(t).expect("closed").failure_at(t);
        assert_eq!(b.state(), BreakerState::Open);
        let refused = b
            .try_acquire_at(t + Duration::from_secs(4))
            .err()
            .expect("open");
        assert_eq!(refused.retry_in, Duration::from_secs(6));
    }

    #[test]
    fn one_probe_after_the_cool_down_decides() {
        let b = breaker();
        let t = Instant::now();
        for _ in 0..3 {
            b.try_acquire_at(t).expect("closed").failure_at(t);
        }
        let later = t + Duration::from_secs(11);
        let probe = b.try_acquire_at(later).expect("probe allowed");
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.try_acquire_at(later).is_err(), "only one probe at a time");
        probe.failure_at(later);
        assert_eq!(b.state(), BreakerState::Open, "failed probe re-opens");
        assert!(b.try_acquire_at(later + Duration::from_secs(5)).is_err());

        let probe = b
            .try_acquire_at(later + Duration::from_secs(11))
            .expect("second probe");
        probe.success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(b.try_acquire_at(later).is_ok());
    }

    #[test]
    fn a_cancelled_probe_frees_the_slot() {
        let b = breaker();
        let t = Instant::now();
        for _ in 0..3 {
            b.try_acquire_at(t).expect("closed").failure_at(t);
        }
        let later = t + Duration::from_secs(11);
        drop(b.try_acquire_at(later).expect("probe"));
        assert!(b.try_acquire_at(later).is_ok(), "slot freed by the drop");
    }
}
