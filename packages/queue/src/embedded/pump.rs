//! One subscriber's delivery pump: claims up to `prefetch` visible messages of its group at a
//! time (each claimed message holds one prefetch permit until it is settled), hands them to the
//! subscriber's [`Deliveries`](crate::Deliveries), and sleeps until a publish or release wakes
//! the group, the next retry or lease deadline, or the poll interval. When the subscription
//! closes it releases the messages still leased to it, so they are redelivered at once; an
//! ephemeral group's last pump removes the group instead (see `ephemeral.rs`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::Shared;
use super::command::{Settle, WriterHandle};
use crate::stored::now_ms;
use crate::{AckHandle, Delivery, QueueError, RetryPolicy};

pub(crate) struct Pump {
    pub shared: Arc<Shared>,
    pub group_id: i64,
    pub owner: i64,
    /// The group is ephemeral: a nack drops, the end of the subscription removes the group.
    pub ephemeral: bool,
    pub retry: Arc<RetryPolicy>,
    pub prefetch: Arc<Semaphore>,
    pub tx: mpsc::Sender<Delivery>,
    pub cancel: CancellationToken,
}

impl Pump {
    pub async fn run(self) {
        let options = &self.shared.options;
        let mut wake = self.shared.wakers.subscribe(self.group_id);
        let mut failures: u32 = 0;
        'pump: loop {
            let mut permits = tokio::select! {
                biased;
                () = self.cancel.cancelled() => break,
                () = self.tx.closed() => break,
                permit = self.prefetch.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let more = u32::try_from(self.prefetch.available_permits()).unwrap_or(0);
            if more > 0
                && let Ok(extra) = self.prefetch.clone().try_acquire_many_owned(more)
            {
                permits.merge(extra);
            }
            wake.borrow_and_update();
            let limit = permits.num_permits();
            let lease_ms = i64::try_from(options.lease_timeout.as_millis()).unwrap_or(i64::MAX);
            let instance = self
                .ephemeral
                .then_some(self.shared.ephemeral.owner.instance);
            let claimed = match self
                .shared
                .writer
                .claim(self.group_id, self.owner, limit, lease_ms, instance)
                .await
            {
                Ok(claimed) if claimed.gone => {
                    tracing::error!(
                        group_id = self.group_id,
                        "embedded queue: this bus's ephemeral group was purged (its heartbeat expired); ending the subscription"
                    );
                    break;
                }
                Ok(claimed) => {
                    failures = 0;
                    claimed
                }
                Err(QueueError::Closed) => break,
                Err(err) => {
                    drop(permits);
                    failures = failures.saturating_add(1);
                    let backoff = Duration::from_millis(100u64 << failures.min(8))
                        .min(options.poll_interval.max(Duration::from_millis(100)) * 10);
                    tracing::warn!(error = %err, retry_in = ?backoff, "embedded queue: claiming messages failed");
                    tokio::select! {
                        () = self.cancel.cancelled() => break,
                        () = tokio::time::sleep(backoff) => continue,
                    }
                }
            };
            let full = claimed.rows.len() == limit;
            for row in claimed.rows {
                let Some(permit) = permits.split(1) else {
                    break;
                };
                let handle = EmbeddedAck {
                    id: row.id,
                    owner: self.owner,
                    group_id: self.group_id,
                    ephemeral: self.ephemeral,
                    attempt: row.envelope.headers.attempt,
                    retry: self.retry.clone(),
                    writer: self.shared.writer.clone(),
                    _permit: permit,
                    settled: false,
                };
                if self
                    .tx
                    .send(Delivery::new(row.envelope, Box::new(handle)))
                    .await
                    .is_err()
                {
                    break 'pump;
                }
            }
            drop(permits);
            if full {
                continue;
            }
            let mut wait = options.poll_interval;
            if let Some(at) = claimed.next_visible_at {
                let until = u64::try_from(at.saturating_sub(now_ms())).unwrap_or(0) + 1;
                wait = wait.min(Duration::from_millis(until));
            }
            tokio::select! {
                () = self.cancel.cancelled() => break,
                () = self.tx.closed() => break,
                changed = wake.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(wait).await;
                    }
                }
                () = tokio::time::sleep(wait) => {}
            }
        }
        if self.ephemeral {
            self.shared
                .ephemeral
                .leave(&self.shared, self.group_id)
                .await;
        } else if let Err(err) = self
            .shared
            .writer
            .release_owner(self.group_id, self.owner)
            .await
        {
            tracing::debug!(error = %err, "embedded queue: releasing a closed subscription's messages (the lease deadline will)");
        }
    }
}

/// Settles one delivery through the writer. Dropped unsettled, it releases the message at once.
struct EmbeddedAck {
    id: i64,
    owner: i64,
    group_id: i64,
    ephemeral: bool,
    attempt: u32,
    retry: Arc<RetryPolicy>,
    writer: WriterHandle,
    /// Held until settled: one of the subscriber's `prefetch` slots.
    _permit: OwnedSemaphorePermit,
    settled: bool,
}

#[async_trait]
impl AckHandle for EmbeddedAck {
    /// Queued to the writer and committed with the next batch (within milliseconds); a crash
    /// before that commit redelivers the message.
    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        self.settled = true;
        let settle = Settle::Ack {
            id: self.id,
            owner: self.owner,
        };
        self.writer.settle_later(self.group_id, settle)
    }

    async fn nack(mut self: Box<Self>, error: String) -> Result<(), QueueError> {
        self.settled = true;
        if self.ephemeral {
            return self.drop_message(error).await;
        }
        let settle = match self.retry.delay_after(self.attempt) {
            Some(delay) => Settle::Retry {
                id: self.id,
                owner: self.owner,
                error,
                visible_at: now_ms()
                    .saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX)),
            },
            None => Settle::Dead {
                id: self.id,
                owner: self.owner,
                error,
            },
        };
        self.writer.settle(self.group_id, settle).await
    }

    async fn reject(mut self: Box<Self>, error: String) -> Result<(), QueueError> {
        self.settled = true;
        if self.ephemeral {
            return self.drop_message(error).await;
        }
        let settle = Settle::Dead {
            id: self.id,
            owner: self.owner,
            error,
        };
        self.writer.settle(self.group_id, settle).await
    }
}

impl EmbeddedAck {
    /// An ephemeral group has no retries nor dead letters: the message is deleted (committed
    /// before this returns).
    async fn drop_message(&self, error: String) -> Result<(), QueueError> {
        tracing::debug!(group_id = self.group_id, %error, "embedded queue: settled with an error; dropped (ephemeral group)");
        let settle = Settle::Ack {
            id: self.id,
            owner: self.owner,
        };
        self.writer.settle(self.group_id, settle).await
    }
}

impl Drop for EmbeddedAck {
    fn drop(&mut self) {
        if !self.settled {
            let settle = Settle::Release {
                id: self.id,
                owner: self.owner,
            };
            // A closed writer: the lease deadline redelivers it instead.
            let _ = self.writer.settle_later(self.group_id, settle);
        }
    }
}
