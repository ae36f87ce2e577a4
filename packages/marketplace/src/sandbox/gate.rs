//! Server-side rate limits of a sandbox: per account and operation group, the documented quota;
//! a call over it is refused with the wait the marketplace would announce.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, RateLimiter};

use crate::transport::Quota;

/// Quotas by operation group, each keyed by account.
#[derive(Clone)]
pub struct RateGate {
    groups: Arc<HashMap<&'static str, DefaultKeyedRateLimiter<String>>>,
    clock: DefaultClock,
    parallel: Arc<Mutex<HashMap<String, usize>>>,
}

impl RateGate {
    /// `groups`: (operation group, quota) pairs, each quota `pace` times faster.
    pub fn new(groups: &[(&'static str, Quota)], pace: f64) -> Self {
        let groups = groups
            .iter()
            .map(|(name, quota)| {
                let quota = quota.paced(pace);
                let governor =
                    governor::Quota::with_period(quota.interval().max(Duration::from_nanos(1)))
                        .unwrap_or_else(|| governor::Quota::per_second(std::num::NonZeroU32::MIN))
                        .allow_burst(
                            std::num::NonZeroU32::new(quota.burst.max(1))
                                .unwrap_or(std::num::NonZeroU32::MIN),
                        );
                (*name, RateLimiter::keyed(governor))
            })
            .collect();
        Self {
            groups: Arc::new(groups),
            clock: DefaultClock::default(),
            parallel: Arc::default(),
        }
    }

    /// Whether `account` may call `group` now; otherwise how long until it may.
    pub fn check(&self, group: &str, account: &str) -> Result<(), Duration> {
        let Some(limiter) = self.groups.get(group) else {
            return Ok(());
        };
        limiter
            .check_key(&account.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Takes one of `limit` parallel slots of `account`, or `None` when all are in use; the slot
    /// is given back when the guard drops.
    pub fn enter(&self, account: &str, limit: usize) -> Option<ParallelGuard> {
        let mut counts = self.parallel.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(account.to_owned()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(ParallelGuard {
            account: account.to_owned(),
            parallel: Arc::clone(&self.parallel),
        })
    }
}

/// One parallel request slot of an account.
pub struct ParallelGuard {
    account: String,
    parallel: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for ParallelGuard {
    fn drop(&mut self) {
        let mut counts = self.parallel.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.account) {
            *count = count.saturating_sub(1);
        }
    }
}
