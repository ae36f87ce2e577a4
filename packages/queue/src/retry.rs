use std::time::Duration;

/// How a consumer group retries a nacked message: the delay before attempt `n + 1` is
/// `initial_delay × multiplier^(n − 1)`, capped at `max_delay`; after `max_attempts` deliveries
/// the message goes to the group's dead-letter queue with its last error.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_delay: Duration,
    pub multiplier: f64,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay: Duration::from_secs(1),
            multiplier: 4.0,
            max_delay: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The delay before the next delivery of a message whose attempt number `attempt` (1-based)
    /// just failed, or `None` when it was the last attempt and the message is dead-lettered.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = self.initial_delay.as_secs_f64() * self.multiplier.powi(exponent);
        let capped = secs.min(self.max_delay.as_secs_f64());
        Some(Duration::from_secs_f64(capped.max(0.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_then_capped_then_dead() {
        let policy = RetryPolicy {
            max_attempts: 4,
            initial_delay: Duration::from_millis(100),
            multiplier: 10.0,
            max_delay: Duration::from_secs(5),
        };
        assert_eq!(policy.delay_after(1), Some(Duration::from_millis(100)));
        assert_eq!(policy.delay_after(2), Some(Duration::from_secs(1)));
        assert_eq!(policy.delay_after(3), Some(Duration::from_secs(5)));
        assert_eq!(policy.delay_after(4), None);
    }
}
