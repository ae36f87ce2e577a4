//! The metric names the cache emits through the `metrics` facade (the binary installs the
//! exporter), and the per-instance counters behind [`crate::CacheStats`]. Every metric carries a
//! `cache` label (the namespace). Hit ratio = `hits_total / (hits_total + misses_total)`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use carpetti_util::breaker::BreakerState;
use metrics::{Counter, Gauge, SharedString};

/// Reads answered from the cache; label `layer`: `local` (moka: the in-process backend or the
/// Redis backend's near-cache) or `redis`.
pub const HITS: &str = "carpetti_cache_hits_total";
/// Reads that found nothing (including reads skipped or failed because Redis is unavailable).
pub const MISSES: &str = "carpetti_cache_misses_total";
/// Loads run by `get_or_load`; label `outcome`: `ok` or `error`.
pub const LOADS: &str = "carpetti_cache_loads_total";
/// `get_or_load` callers that joined a load already in flight instead of starting one.
pub const LOAD_JOINS: &str = "carpetti_cache_load_joins_total";
/// Redis calls that failed or timed out; label `op`.
pub const BACKEND_ERRORS: &str = "carpetti_cache_backend_errors_total";
/// Redis calls not attempted because the circuit breaker was open; label `op`.
pub const BACKEND_SKIPPED: &str = "carpetti_cache_backend_skipped_total";
/// The Redis circuit breaker: 0 closed, 1 half-open, 2 open.
pub const BREAKER_STATE: &str = "carpetti_cache_breaker_state";
/// Invalidations applied; label `origin`: `local` or `remote` (received over pub/sub).
pub const INVALIDATIONS: &str = "carpetti_cache_invalidations_total";
/// Times the near-cache was emptied because its invalidation subscription was lost or resumed.
pub const NEAR_RESETS: &str = "carpetti_cache_near_resets_total";

/// Registers descriptions of every metric with the installed recorder.
pub fn describe() {
    metrics::describe_counter!(HITS, "Cache reads answered from the cache, by layer");
    metrics::describe_counter!(MISSES, "Cache reads that found nothing");
    metrics::describe_counter!(
        LOADS,
        "Loads from the source run by get_or_load, by outcome"
    );
    metrics::describe_counter!(
        LOAD_JOINS,
        "get_or_load callers that joined a load in flight"
    );
    metrics::describe_counter!(
        BACKEND_ERRORS,
        "Redis calls that failed or timed out, by op"
    );
    metrics::describe_counter!(BACKEND_SKIPPED, "Redis calls skipped by the open breaker");
    metrics::describe_gauge!(
        BREAKER_STATE,
        "Redis breaker: 0 closed, 1 half-open, 2 open"
    );
    metrics::describe_counter!(INVALIDATIONS, "Invalidations applied, by origin");
    metrics::describe_counter!(
        NEAR_RESETS,
        "Near-cache flushes on subscription loss/resume"
    );
}

/// Where a hit came from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Layer {
    Local,
    Redis,
}

/// A snapshot of one cache instance's counters (shared by its clones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct CacheStats {
    /// Hits in the local layer (the in-process store, or the Redis backend's near-cache).
    pub local_hits: u64,
    /// Hits answered by Redis.
    pub redis_hits: u64,
    pub misses: u64,
    /// Loads run (each one a call of a loader).
    pub loads: u64,
    pub load_errors: u64,
    /// Callers that waited on a load another caller started.
    pub load_joins: u64,
    /// Redis calls that failed or timed out.
    pub backend_errors: u64,
    /// Redis calls skipped because the breaker was open.
    pub backend_skipped: u64,
    /// Invalidations received from other instances and applied here.
    pub remote_invalidations: u64,
    /// Near-cache flushes (subscription lost or resumed).
    pub near_resets: u64,
}

impl CacheStats {
    /// Hits in any layer.
    pub fn hits(&self) -> u64 {
        self.local_hits + self.redis_hits
    }
}

/// The metric handles of one cache, registered once with the recorder installed when the cache
/// is built (so install the exporter before building caches, as `carpetti` does at start).
struct Handles {
    local_hits: Counter,
    redis_hits: Counter,
    misses: Counter,
    loads_ok: Counter,
    loads_error: Counter,
    load_joins: Counter,
    invalidations_local: Counter,
    invalidations_remote: Counter,
    near_resets: Counter,
    breaker: Gauge,
}

impl Handles {
    fn new(cache: &Arc<str>) -> Self {
        let label = || SharedString::from(Arc::clone(cache));
        Self {
            local_hits: metrics::counter!(HITS, "cache" => label(), "layer" => "local"),
            redis_hits: metrics::counter!(HITS, "cache" => label(), "layer" => "redis"),
            misses: metrics::counter!(MISSES, "cache" => label()),
            loads_ok: metrics::counter!(LOADS, "cache" => label(), "outcome" => "ok"),
            loads_error: metrics::counter!(LOADS, "cache" => label(), "outcome" => "error"),
            load_joins: metrics::counter!(LOAD_JOINS, "cache" => label()),
            invalidations_local: metrics::counter!(INVALIDATIONS, "cache" => label(), "origin" => "local"),
            invalidations_remote: metrics::counter!(INVALIDATIONS, "cache" => label(), "origin" => "remote"),
            near_resets: metrics::counter!(NEAR_RESETS, "cache" => label()),
            breaker: metrics::gauge!(BREAKER_STATE, "cache" => label()),
        }
    }
}

/// Counts events into both the instance's atomics and the metrics facade.
pub(crate) struct Instruments {
    cache: Arc<str>,
    handles: Handles,
    local_hits: AtomicU64,
    redis_hits: AtomicU64,
    misses: AtomicU64,
    loads: AtomicU64,
    load_errors: AtomicU64,
    load_joins: AtomicU64,
    backend_errors: AtomicU64,
    backend_skipped: AtomicU64,
    remote_invalidations: AtomicU64,
    near_resets: AtomicU64,
}

impl Instruments {
    pub(crate) fn new(cache: Arc<str>) -> Self {
        Self {
            handles: Handles::new(&cache),
            cache,
            local_hits: AtomicU64::new(0),
            redis_hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            loads: AtomicU64::new(0),
            load_errors: AtomicU64::new(0),
            load_joins: AtomicU64::new(0),
            backend_errors: AtomicU64::new(0),
            backend_skipped: AtomicU64::new(0),
            remote_invalidations: AtomicU64::new(0),
            near_resets: AtomicU64::new(0),
        }
    }

    fn label(&self) -> SharedString {
        SharedString::from(Arc::clone(&self.cache))
    }

    pub(crate) fn hit(&self, layer: Layer) {
        let (counter, handle) = match layer {
            Layer::Local => (&self.local_hits, &self.handles.local_hits),
            Layer::Redis => (&self.redis_hits, &self.handles.redis_hits),
        };
        counter.fetch_add(1, Ordering::Relaxed);
        handle.increment(1);
    }

    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
        self.handles.misses.increment(1);
    }

    pub(crate) fn load(&self, ok: bool) {
        self.loads.fetch_add(1, Ordering::Relaxed);
        if ok {
            self.handles.loads_ok.increment(1);
        } else {
            self.load_errors.fetch_add(1, Ordering::Relaxed);
            self.handles.loads_error.increment(1);
        }
    }

    pub(crate) fn load_joined(&self) {
        self.load_joins.fetch_add(1, Ordering::Relaxed);
        self.handles.load_joins.increment(1);
    }

    /// Errors and skips are rare (Redis trouble): registered per event, labelled by operation.
    pub(crate) fn backend_error(&self, op: &'static str) {
        self.backend_errors.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(BACKEND_ERRORS, "cache" => self.label(), "op" => op).increment(1);
    }

    pub(crate) fn backend_skipped(&self, op: &'static str) {
        self.backend_skipped.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(BACKEND_SKIPPED, "cache" => self.label(), "op" => op).increment(1);
    }

    pub(crate) fn breaker(&self, state: BreakerState) {
        self.handles.breaker.set(state.as_gauge());
    }

    pub(crate) fn invalidation(&self, remote: bool) {
        if remote {
            self.remote_invalidations.fetch_add(1, Ordering::Relaxed);
            self.handles.invalidations_remote.increment(1);
        } else {
            self.handles.invalidations_local.increment(1);
        }
    }

    pub(crate) fn near_reset(&self) {
        self.near_resets.fetch_add(1, Ordering::Relaxed);
        self.handles.near_resets.increment(1);
    }
    pub(crate) fn snapshot(&self) -> CacheStats {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CacheStats {
            local_hits: read(&self.local_hits),
            redis_hits: read(&self.redis_hits),
            misses: read(&self.misses),
            loads: read(&self.loads),
            load_errors: read(&self.load_errors),
            load_joins: read(&self.load_joins),
            backend_errors: read(&self.backend_errors),
            backend_skipped: read(&self.backend_skipped),
            remote_invalidations: read(&self.remote_invalidations),
            near_resets: read(&self.near_resets),
        }
    }
}
