//! One task's run: the handler in its own tokio task (so a panic is contained), the lock kept
//! extended while it runs, then the report of its outcome.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinError;
use tokio_util::sync::CancellationToken;

use super::{Handler, Outcome, Settings};
use crate::client::CamundaClient;
use crate::dto::{Failure, LockedExternalTask, millis};

/// What every task runner of one worker shares.
pub(super) struct Shared {
    pub client: CamundaClient,
    pub settings: Settings,
    pub handlers: HashMap<String, Arc<dyn Handler>>,
    pub lock_durations: HashMap<String, Duration>,
    /// Cancelled when the shutdown grace is over: runners abort their handler and unlock.
    pub abort: CancellationToken,
}

/// Runs `task` to its report; `_permit` holds the worker's capacity until then.
pub(super) async fn run_task(
    shared: Arc<Shared>,
    task: LockedExternalTask,
    _permit: OwnedSemaphorePermit,
) {
    let worker_id = shared.settings.worker_id.as_str();
    let Some(handler) = shared.handlers.get(&task.topic_name).cloned() else {
        tracing::warn!(task_id = %task.id, topic = %task.topic_name, "camunda worker: no handler for topic; unlocking");
        report(&shared, &task, Outcome::Unlock).await;
        return;
    };
    let lock = shared
        .lock_durations
        .get(&task.topic_name)
        .copied()
        .unwrap_or(Duration::from_secs(60));
    let task = Arc::new(task);
    let mut handling = tokio::spawn({
        let task = task.clone();
        async move { handler.handle(&task).await }
    });

    let period = (lock / 2).max(Duration::from_millis(1));
    let mut extend = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    extend.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut extending = true;
    let outcome = loop {
        tokio::select! {
            joined = &mut handling => break Some(joined.unwrap_or_else(|e| panicked(&e))),
            () = shared.abort.cancelled() => {
                handling.abort();
                break None;
            }
            _ = extend.tick(), if extending => {
                match shared.client.extend_lock(&task.id, worker_id, millis(lock)).await {
                    Ok(()) => tracing::debug!(task_id = %task.id, ?lock, "camunda worker: lock extended"),
                    Err(error) => {
                        tracing::warn!(task_id = %task.id, %error, "camunda worker: extendLock failed");
                        // The task is gone or no longer ours: extending again cannot help.
                        extending = error.is_unavailability();
                    }
                }
            }
        }
    };
    report(&shared, &task, outcome.unwrap_or(Outcome::Unlock)).await;
}

fn panicked(error: &JoinError) -> Outcome {
    let message = if error.is_panic() {
        "external task handler panicked"
    } else {
        "external task handler was cancelled"
    };
    Outcome::fail_with_details(message, error.to_string())
}

/// Sends the outcome's report; failures are logged (the task's lock expires engine-side).
async fn report(shared: &Shared, task: &LockedExternalTask, outcome: Outcome) {
    let client = &shared.client;
    let worker_id = shared.settings.worker_id.as_str();
    let (kind, result) = match outcome {
        Outcome::Complete {
            variables,
            local_variables,
        } => (
            "complete",
            client
                .complete(&task.id, worker_id, &variables, &local_variables)
                .await,
        ),
        Outcome::BpmnError {
            code,
            message,
            variables,
        } => (
            "bpmn_error",
            client
                .bpmn_error(&task.id, worker_id, &code, message.as_deref(), &variables)
                .await,
        ),
        Outcome::Fail {
            message,
            details,
            retry,
        } => {
            let policy = retry.unwrap_or(shared.settings.retry);
            let failure = Failure {
                worker_id: worker_id.to_owned(),
                error_message: message,
                error_details: details,
                retries: policy.retries_left(task.retries),
                retry_timeout: millis(policy.retry_timeout(task.retries)),
                variables: None,
                local_variables: None,
            };
            tracing::info!(
                task_id = %task.id,
                topic = %task.topic_name,
                retries = failure.retries,
                error = %failure.error_message,
                "camunda worker: task failed"
            );
            ("failure", client.failure(&task.id, &failure).await)
        }
        Outcome::Unlock => ("unlock", client.unlock(&task.id).await),
    };
    let status = if result.is_ok() { "ok" } else { "error" };
    metrics::counter!("camunda_worker_tasks_total", "outcome" => kind, "report" => status)
        .increment(1);
    match result {
        Ok(()) => tracing::debug!(task_id = %task.id, outcome = kind, "camunda worker: reported"),
        Err(error) if error.is_not_found() => {
            tracing::info!(task_id = %task.id, outcome = kind, %error, "camunda worker: task is gone");
        }
        Err(error) => {
            tracing::warn!(task_id = %task.id, outcome = kind, %error, "camunda worker: report failed");
        }
    }
}
