//! The relay: publishes pending outbox rows in id order and deletes them once confirmed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Pool;
use tokio::sync::Notify;

use crate::database::{QueueDatabase, RelayStep};
use crate::{Bus, QueueError};

/// How the relay batches, waits and backs off.
#[derive(Debug, Clone)]
pub struct RelayOptions {
    /// Rows published per pass (one `publish_batch`).
    pub batch_size: usize,
    /// The fallback poll when nobody notifies (e.g. rows written by another process).
    pub poll_interval: Duration,
    /// A publish that takes longer fails the pass (the rows stay and are retried).
    pub publish_timeout: Duration,
    /// The back-off after a failed pass starts here, doubles, and stops growing at `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RelayOptions {
    fn default() -> Self {
        Self {
            batch_size: 256,
            poll_interval: Duration::from_secs(1),
            publish_timeout: Duration::from_secs(30),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Wakes the relay after a transaction with outbox rows committed.
#[derive(Clone, Default)]
pub struct OutboxNotifier(Arc<Notify>);

impl OutboxNotifier {
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// Publishes the outbox of one database through a bus. Run it as a task with [`OutboxRelay::run`].
pub struct OutboxRelay<DB: QueueDatabase> {
    pool: Pool<DB>,
    bus: Arc<dyn Bus>,
    options: RelayOptions,
    notifier: OutboxNotifier,
}

impl<DB: QueueDatabase> OutboxRelay<DB> {
    pub fn new(pool: Pool<DB>, bus: Arc<dyn Bus>) -> Self {
        Self {
            pool,
            bus,
            options: RelayOptions::default(),
            notifier: OutboxNotifier::default(),
        }
    }

    pub fn with_options(mut self, options: RelayOptions) -> Self {
        self.options = options;
        self
    }

    /// The handle that wakes this relay; give it to the code that enqueues.
    pub fn notifier(&self) -> OutboxNotifier {
        self.notifier.clone()
    }

    /// Relays until the outbox is empty (or another relay holds it); how many rows were relayed.
    /// An error leaves the unpublished rows in place.
    pub async fn relay_pending(&self) -> Result<usize, QueueError> {
        let mut total = 0;
        loop {
            let step = DB::outbox_relay(
                &self.pool,
                self.bus.as_ref(),
                self.options.batch_size.max(1),
                self.options.publish_timeout,
            )
            .await?;
            match step {
                RelayStep::Relayed(0) | RelayStep::Busy => return Ok(total),
                RelayStep::Relayed(count) => total += count,
            }
        }
    }

    /// Relays until `shutdown` resolves: on every notify, every poll interval, and after a failure
    /// with exponential back-off.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        let mut backoff = self.options.min_backoff;
        loop {
            let wait = match self.relay_pending().await {
                Ok(count) => {
                    if count > 0 {
                        tracing::debug!(count, "outbox rows relayed");
                    }
                    backoff = self.options.min_backoff;
                    self.options.poll_interval
                }
                Err(err) => {
                    tracing::warn!(error = %err, retry_in = ?backoff, "outbox relay failed");
                    let wait = backoff;
                    backoff = (backoff * 2).min(self.options.max_backoff);
                    wait
                }
            };
            let failing = backoff > self.options.min_backoff;
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(wait) => {}
                // While failing, a notify does not cut the back-off short.
                () = self.notifier.0.notified(), if !failing => {}
            }
        }
    }
}
