//! The fetch loop: wait for capacity, long-poll for at most that many tasks, hand each to a task
//! runner (see [`super::task`]), back off on errors, drain on shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::task::{Shared, run_task};
use super::{Settings, Worker};
use crate::dto::{FetchAndLock, millis};
use crate::error::CamundaError;

impl Worker {
    /// Runs until `shutdown` resolves, then stops fetching, waits up to the shutdown grace for
    /// running handlers, and unlocks the tasks of the handlers still running after it.
    ///
    /// A long poll in flight when `shutdown` resolves is dropped; should the engine have locked
    /// tasks for it, they become fetchable again when their lock expires.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Worker {
            client,
            settings,
            topics,
            handlers,
        } = self;
        let request_template = FetchAndLock {
            worker_id: settings.worker_id.clone(),
            max_tasks: settings.max_tasks,
            use_priority: Some(settings.use_priority),
            async_response_timeout: (!settings.async_response_timeout.is_zero())
                .then(|| millis(settings.async_response_timeout)),
            sorting: None,
            topics,
        };
        let shared = Arc::new(Shared {
            client,
            settings: settings.clone(),
            handlers,
            lock_durations: request_template
                .topics
                .iter()
                .map(|t| (t.topic_name.clone(), Duration::from_millis(t.lock_duration)))
                .collect(),
            abort: CancellationToken::new(),
        });
        let capacity = usize::try_from(settings.max_tasks).unwrap_or(usize::MAX);
        let semaphore = Arc::new(Semaphore::new(capacity));
        let mut running = JoinSet::new();
        let mut backoff = fetch_backoff(&settings);
        tracing::info!(
            worker_id = %settings.worker_id,
            topics = ?shared.lock_durations.keys().collect::<Vec<_>>(),
            "camunda worker started"
        );
        tokio::pin!(shutdown);

        loop {
            while running.try_join_next().is_some() {}
            let mut permits = tokio::select! {
                biased;
                () = &mut shutdown => break,
                permit = semaphore.clone().acquire_owned() => match permit {
                    Ok(permit) => vec![permit],
                    Err(_) => break,
                },
            };
            while permits.len() < capacity {
                match semaphore.clone().try_acquire_owned() {
                    Ok(permit) => permits.push(permit),
                    Err(_) => break,
                }
            }
            let request = FetchAndLock {
                max_tasks: u32::try_from(permits.len()).unwrap_or(settings.max_tasks),
                ..request_template.clone()
            };
            let started = Instant::now();
            let fetched = tokio::select! {
                biased;
                () = &mut shutdown => break,
                fetched = shared.client.fetch_and_lock(&request) => fetched,
            };
            let pause = match fetched {
                Ok(tasks) if tasks.is_empty() => {
                    backoff = fetch_backoff(&settings);
                    // An engine that answers an empty long poll at once must not make us spin.
                    settings.poll_interval.saturating_sub(started.elapsed())
                }
                Ok(tasks) => {
                    backoff = fetch_backoff(&settings);
                    tracing::debug!(count = tasks.len(), "camunda worker: fetched tasks");
                    for task in tasks {
                        let permit = match permits.pop() {
                            Some(permit) => permit,
                            None => match acquire(&semaphore).await {
                                Some(permit) => permit,
                                None => break,
                            },
                        };
                        running.spawn(run_task(shared.clone(), task, permit));
                    }
                    Duration::ZERO
                }
                Err(error) => {
                    let mut delay = backoff.next().unwrap_or(settings.fetch_backoff_max);
                    if let CamundaError::CircuitOpen(open) = &error {
                        delay = delay.max(open.retry_in);
                    }
                    tracing::warn!(%error, ?delay, "camunda worker: fetchAndLock failed; backing off");
                    delay
                }
            };
            drop(permits);
            if !pause.is_zero() {
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }

        tracing::info!(
            running = running.len(),
            grace = ?settings.shutdown_grace,
            "camunda worker stopping: waiting for running handlers"
        );
        let drained = tokio::time::timeout(settings.shutdown_grace, drain(&mut running)).await;
        if drained.is_err() {
            tracing::warn!(
                running = running.len(),
                "camunda worker: grace period over; unlocking the remaining tasks"
            );
            shared.abort.cancel();
            drain(&mut running).await;
        }
        tracing::info!(worker_id = %settings.worker_id, "camunda worker stopped");
    }
}

async fn acquire(semaphore: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
    semaphore.clone().acquire_owned().await.ok()
}

async fn drain(running: &mut JoinSet<()>) {
    while running.join_next().await.is_some() {}
}

fn fetch_backoff(settings: &Settings) -> backon::ExponentialBackoff {
    ExponentialBuilder::default()
        .with_min_delay(settings.fetch_backoff_min)
        .with_max_delay(settings.fetch_backoff_max)
        .with_jitter()
        .without_max_times()
        .build()
}
