use std::time::Duration;

use carpetti_util::breaker::BreakerConfig;

/// How a typed client calls a service.
#[derive(Debug, Clone)]
pub struct CallPolicy {
    /// Deadline of one attempt (until the response headers arrive); also sent as `grpc-timeout`.
    pub attempt_timeout: Duration,
    /// Attempts of an idempotent call, the first included (≥ 1).
    pub max_attempts: usize,
    /// Back-off between attempts: exponential from `min_delay`, capped at `max_delay`, with
    /// jitter so that many clients do not retry in step.
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// Connection timeout to one instance.
    pub connect_timeout: Duration,
    /// The breaker of each instance.
    pub breaker: BreakerConfig,
    /// Largest message decoded or encoded.
    pub max_message_bytes: usize,
}

impl Default for CallPolicy {
    fn default() -> Self {
        Self {
            attempt_timeout: Duration::from_secs(10),
            max_attempts: 4,
            min_delay: Duration::from_millis(25),
            max_delay: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(2),
            breaker: BreakerConfig::default(),
            max_message_bytes: 16 * 1024 * 1024,
        }
    }
}
