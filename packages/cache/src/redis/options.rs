//! Options of the Redis backend and its near-cache.

use std::time::Duration;

/// Options of the Redis backend.
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// The namespace of the keys (`[a-z0-9_.-]`, up to 64 characters).
    pub namespace: String,
    /// Deadline of every Redis call (and of each SCAN/UNLINK batch of a prefix delete).
    pub command_timeout: Duration,
    /// Deadline of a connection attempt.
    pub connect_timeout: Duration,
    /// Consecutive failures that open the circuit breaker.
    pub breaker_threshold: u32,
    /// How long the open breaker skips Redis before one probe call.
    pub breaker_cooldown: Duration,
    /// The near-cache, or `None` to read Redis every time.
    pub near_cache: Option<NearCacheOptions>,
    /// `COUNT` hint of each `SCAN` batch of a prefix delete.
    pub scan_count: usize,
}

/// Options of the near-cache in front of Redis.
#[derive(Debug, Clone)]
pub struct NearCacheOptions {
    /// Upper bound of keys + values held, in bytes.
    pub max_bytes: u64,
    /// The longest a value stays in the near-cache (capped by its remaining TTL in Redis); bounds
    /// staleness should an invalidation ever be missed.
    pub max_ttl: Duration,
}

impl Default for NearCacheOptions {
    fn default() -> Self {
        Self {
            max_bytes: 16 << 20,
            max_ttl: Duration::from_secs(10),
        }
    }
}

impl RedisOptions {
    /// Defaults: 250 ms per call, 1 s to connect, breaker at 5 failures with a 1 s cool-down,
    /// a 16 MiB near-cache holding values at most 10 s, SCAN batches of 500.
    pub fn new(namespace: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            command_timeout: Duration::from_millis(250),
            connect_timeout: Duration::from_secs(1),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(1),
            near_cache: Some(NearCacheOptions::default()),
            scan_count: 500,
        }
    }
}
