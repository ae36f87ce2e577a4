//! Client-side rate limits: one GCRA token bucket per operation group of an account, shaped by
//! the marketplace's documented quota, and a cap on parallel requests (Yandex Market allows 4).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota as GovernorQuota, RateLimiter};

/// A documented quota: `calls` per `period`, `burst` of them at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    pub calls: u32,
    pub period: Duration,
    pub burst: u32,
}

impl Quota {
    pub fn per_minute(calls: u32, burst: u32) -> Self {
        Self {
            calls,
            period: Duration::from_secs(60),
            burst,
        }
    }

    pub fn per_second(calls: u32) -> Self {
        Self {
            calls,
            period: Duration::from_secs(1),
            burst: calls,
        }
    }

    /// The interval between two calls at the sustained rate.
    pub fn interval(&self) -> Duration {
        self.period / self.calls.max(1)
    }

    /// The quota `pace` times faster (benchmarks compress time in sandbox and client alike).
    pub fn paced(self, pace: f64) -> Self {
        let pace = if pace.is_finite() && pace > 0.0 {
            pace
        } else {
            1.0
        };
        Self {
            period: self.period.div_f64(pace),
            ..self
        }
    }

    /// The governor quota of this one.
    pub(crate) fn governor(self) -> GovernorQuota {
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let interval = self.interval().max(Duration::from_nanos(1));
        GovernorQuota::with_period(interval)
            .unwrap_or_else(|| GovernorQuota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// The limits of one account: a bucket per operation group (several operations may share one).
#[derive(Clone, Default)]
pub struct Limits {
    buckets: HashMap<&'static str, Arc<DefaultDirectRateLimiter>>,
    fallback: Option<Arc<DefaultDirectRateLimiter>>,
    parallel: Option<Arc<tokio::sync::Semaphore>>,
    pace: f64,
}

impl Limits {
    /// No limits yet; `pace` > 1 makes every quota that many times faster (1 = documented).
    pub fn new(pace: f64) -> Self {
        Self {
            pace: if pace.is_finite() && pace > 0.0 {
                pace
            } else {
                1.0
            },
            ..Self::default()
        }
    }

    /// One bucket shared by `operations`.
    pub fn with(mut self, operations: &[&'static str], quota: Quota) -> Self {
        let bucket = Arc::new(RateLimiter::direct(quota.paced(self.pace).governor()));
        for op in operations {
            self.buckets.insert(op, Arc::clone(&bucket));
        }
        self
    }

    /// The bucket of every operation not named in [`Limits::with`].
    pub fn with_fallback(mut self, quota: Quota) -> Self {
        self.fallback = Some(Arc::new(RateLimiter::direct(
            quota.paced(self.pace).governor(),
        )));
        self
    }

    /// At most `n` requests in flight at once.
    pub fn with_parallel(mut self, n: usize) -> Self {
        self.parallel = Some(Arc::new(tokio::sync::Semaphore::new(n.max(1))));
        self
    }

    pub fn pace(&self) -> f64 {
        self.pace
    }

    /// Waits until `operation` may be called.
    pub async fn ready(&self, operation: &str) {
        if let Some(bucket) = self.buckets.get(operation).or(self.fallback.as_ref()) {
            bucket.until_ready().await;
        }
    }

    /// A slot among the parallel requests, when they are capped.
    pub async fn slot(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        match &self.parallel {
            Some(semaphore) => Arc::clone(semaphore).acquire_owned().await.ok(),
            None => None,
        }
    }
}
