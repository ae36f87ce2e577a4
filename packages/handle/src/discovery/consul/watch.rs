//! The watch loop: blocking queries on `health/service`, as Consul's documentation prescribes —
//! wait on the last `X-Consul-Index`, reset the index to 0 when it goes backwards, never wait on
//! an index below 1, rate-limit the loop, and back off exponentially (with jitter) on errors while
//! keeping the last known list.

use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio::sync::watch;
use tokio::time::Instant;

use super::Inner;
use crate::discovery::ServiceInstance;

/// Least time between the starts of two queries, so that a misbehaving index cannot make a busy
/// loop.
const MIN_QUERY_SPACING: Duration = Duration::from_millis(100);

fn backoff() -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(250))
        .with_max_delay(Duration::from_secs(30))
        .with_jitter()
        .without_max_times()
        .build()
}

/// Keeps `sender` current with the passing instances of `service` until every receiver is gone.
pub(super) async fn run(
    inner: Arc<Inner>,
    service: String,
    sender: watch::Sender<Vec<ServiceInstance>>,
) {
    let mut index: u64 = 0;
    let mut first = true;
    let mut delays = backoff();
    let mut failures: u32 = 0;
    loop {
        let started = Instant::now();
        let answer = tokio::select! {
            () = sender.closed() => return,
            answer = inner.health(&service, index) => answer,
        };
        match answer {
            Ok(answer) => {
                if failures > 0 {
                    tracing::info!(%service, failures, "consul watch: recovered");
                    failures = 0;
                    delays = backoff();
                }
                index = next_index(index, answer.index);
                let instances = answer.instances;
                if first {
                    first = false;
                    sender.send_replace(instances);
                } else {
                    sender.send_if_modified(|current| {
                        let changed = *current != instances;
                        if changed {
                            tracing::info!(
                                %service,
                                instances = instances.len(),
                                "consul watch: passing instances changed"
                            );
                            *current = instances;
                        }
                        changed
                    });
                }
                let spacing = MIN_QUERY_SPACING.saturating_sub(started.elapsed());
                if !spacing.is_zero() {
                    tokio::select! {
                        () = sender.closed() => return,
                        () = tokio::time::sleep(spacing) => {}
                    }
                }
            }
            Err(error) => {
                failures += 1;
                let delay = delays.next().unwrap_or(Duration::from_secs(30));
                tracing::warn!(
                    %service,
                    failures,
                    retry_in_ms = delay.as_millis() as u64,
                    %error,
                    "consul watch: query failed; keeping the last known instances"
                );
                tokio::select! {
                    () = sender.closed() => return,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

/// The index to wait on next, given the one just waited on and the one answered.
fn next_index(previous: u64, answered: u64) -> u64 {
    if answered < previous {
        // The index went backwards (e.g. a snapshot restore): restart the blocking loop.
        0
    } else {
        // An index of 0 after a real answer is a Consul bug that would make a busy loop; 1 is
        // always safe to wait on.
        answered.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::next_index;

    #[test]
    fn index_resets_when_it_goes_backwards_and_never_waits_on_zero() {
        assert_eq!(next_index(0, 42), 42);
        assert_eq!(next_index(42, 42), 42);
        assert_eq!(next_index(42, 43), 43);
        assert_eq!(next_index(42, 7), 0);
        assert_eq!(next_index(0, 0), 1);
    }
}
