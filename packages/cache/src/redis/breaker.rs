//! The circuit breaker around Redis: carpetti-util's `CircuitBreaker` (after `threshold`
//! consecutive failures it opens and calls are skipped — a read becomes a miss, a write is
//! dropped — without waiting for a timeout; after the cool-down one probe goes through, and its
//! success closes it), plus what the cache adds: the state gauge and a log line per transition.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use carpetti_util::breaker::{BreakerConfig, BreakerOpen, BreakerState, CircuitBreaker, Permit};

use crate::metrics::Instruments;

pub(crate) struct Breaker {
    breaker: CircuitBreaker,
    /// The state last reported (gauge and log), as `BreakerState::as_gauge` would number it.
    reported: AtomicU8,
    cooldown: Duration,
    instruments: Arc<Instruments>,
}

fn code(state: BreakerState) -> u8 {
    match state {
        BreakerState::Closed => 0,
        BreakerState::HalfOpen => 1,
        BreakerState::Open => 2,
    }
}

impl Breaker {
    pub(crate) fn new(threshold: u32, cooldown: Duration, instruments: Arc<Instruments>) -> Self {
        instruments.breaker(BreakerState::Closed);
        let config = BreakerConfig {
            failure_threshold: threshold,
            open_for: cooldown,
        };
        Self {
            breaker: CircuitBreaker::new("redis", config),
            reported: AtomicU8::new(code(BreakerState::Closed)),
            cooldown,
            instruments,
        }
    }

    /// Permission for one Redis call; report its outcome on the permit, then here.
    pub(crate) fn try_acquire(&self) -> Result<Permit<'_>, BreakerOpen> {
        self.breaker.try_acquire()
    }

    /// After a successful call (cheap unless the breaker was reported not closed).
    pub(crate) fn succeeded(&self) {
        if self.reported.load(Ordering::Relaxed) != code(BreakerState::Closed) {
            self.report();
        }
    }

    /// After a failed call.
    pub(crate) fn failed(&self) {
        self.report();
    }

    pub(crate) fn state(&self) -> BreakerState {
        self.breaker.state()
    }

    fn report(&self) {
        let state = self.breaker.state();
        let before = self.reported.swap(code(state), Ordering::AcqRel);
        if before == code(state) {
            return;
        }
        self.instruments.breaker(state);
        match state {
            BreakerState::Open if before == code(BreakerState::Closed) => tracing::warn!(
                cooldown_ms = self.cooldown.as_millis(),
                "Redis keeps failing: cache breaker open, requests are served from the source \
                 and Redis is probed once per cool-down"
            ),
            BreakerState::Closed => {
                tracing::info!("Redis is reachable again: cache breaker closed")
            }
            _ => tracing::debug!(%state, "cache breaker"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_and_closes_after_a_good_probe() {
        let breaker = Breaker::new(
            3,
            Duration::from_millis(30),
            Arc::new(Instruments::new(Arc::from("t"))),
        );
        for _ in 0..3 {
            let permit = breaker.try_acquire().map_err(|e| e.to_string());
            assert!(permit.is_ok());
            if let Ok(permit) = permit {
                permit.failure();
            }
            breaker.failed();
        }
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(breaker.try_acquire().is_err());
        std::thread::sleep(Duration::from_millis(40));
        let probe = breaker.try_acquire();
        assert!(probe.is_ok(), "one probe after the cool-down");
        assert!(breaker.try_acquire().is_err(), "only one probe at a time");
        if let Ok(probe) = probe {
            probe.success();
        }
        breaker.succeeded();
        assert_eq!(breaker.state(), BreakerState::Closed);
        assert_eq!(breaker.reported.load(Ordering::Relaxed), 0);
    }
}
