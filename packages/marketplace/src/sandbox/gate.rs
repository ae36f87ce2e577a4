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
            .map(|(name, quota)| (*name, RateLimiter::keyed(quota.paced(pace).governor())))
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
