//! What a worker runs per task ([`Handler`]) and what it reports back ([`Outcome`]).

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;

use crate::dto::LockedExternalTask;
use crate::variables::Variables;

/// Handles the tasks of one topic. The worker runs handlers concurrently (up to its `max_tasks`),
/// keeps their locks extended while they run, and reports the [`Outcome`]. A panic is reported as
/// a failure.
#[async_trait]
pub trait Handler: Send + Sync {
    async fn handle(&self, task: &LockedExternalTask) -> Outcome;
}

/// A handler from an async closure taking the task by value: `handler_fn(|task| async move { … })`.
pub fn handler_fn<F, Fut>(f: F) -> FnHandler<F>
where
    F: Fn(LockedExternalTask) -> Fut + Send + Sync,
    Fut: Future<Output = Outcome> + Send,
{
    FnHandler(f)
}

/// See [`handler_fn`].
pub struct FnHandler<F>(F);

#[async_trait]
impl<F, Fut> Handler for FnHandler<F>
where
    F: Fn(LockedExternalTask) -> Fut + Send + Sync,
    Fut: Future<Output = Outcome> + Send,
{
    async fn handle(&self, task: &LockedExternalTask) -> Outcome {
        (self.0)(task.clone()).await
    }
}

/// How a handler ended, and so what the worker reports.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// `complete`: the process continues with these variables (process scope) and local ones.
    Complete {
        variables: Variables,
        local_variables: Variables,
    },
    /// `bpmnError`: throws `code` from the task's activity (caught by a boundary or event
    /// sub-process; without a catcher the engine ends the scope).
    BpmnError {
        code: String,
        message: Option<String>,
        variables: Variables,
    },
    /// `failure`: a technical failure. The task is retried after a back-off until its retries are
    /// used up; the last failure (retries 0) raises an incident. `retry` overrides the worker's
    /// [`RetryPolicy`].
    Fail {
        message: String,
        details: Option<String>,
        retry: Option<RetryPolicy>,
    },
    /// `unlock`: give the task back untouched (fetchable again at once).
    Unlock,
}

impl Outcome {
    /// Complete without variables.
    pub fn complete() -> Self {
        Self::complete_with(Variables::new())
    }

    /// Complete, setting process variables.
    pub fn complete_with(variables: Variables) -> Self {
        Outcome::Complete {
            variables,
            local_variables: Variables::new(),
        }
    }

    pub fn bpmn_error(code: &str, message: &str) -> Self {
        Outcome::BpmnError {
            code: code.to_owned(),
            message: Some(message.to_owned()),
            variables: Variables::new(),
        }
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Outcome::Fail {
            message: message.into(),
            details: None,
            retry: None,
        }
    }

    /// A failure with details (e.g. an error chain or a stack trace).
    pub fn fail_with_details(message: impl Into<String>, details: impl Into<String>) -> Self {
        Outcome::Fail {
            message: message.into(),
            details: Some(details.into()),
            retry: None,
        }
    }
}

/// Retries of failed tasks: a fresh task (engine `retries` null) gets `max_retries`; each failure
/// reports one less, with `retryTimeout = base_timeout · 2^failures` capped at `max_timeout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_timeout: Duration,
    pub max_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_timeout: Duration::from_secs(5),
            max_timeout: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// No retries: the first failure raises an incident.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    fn current(&self, task_retries: Option<i32>) -> u32 {
        task_retries.map_or(self.max_retries, |r| u32::try_from(r).unwrap_or(0))
    }

    /// The `retries` to report for a task whose engine-side retries are `task_retries`: one less,
    /// never below 0.
    pub fn retries_left(&self, task_retries: Option<i32>) -> u32 {
        self.current(task_retries).saturating_sub(1)
    }

    /// The `retryTimeout` to report: exponential in the failures so far.
    pub fn retry_timeout(&self, task_retries: Option<i32>) -> Duration {
        let failures = self.max_retries.saturating_sub(self.current(task_retries));
        let factor = 1_u32 << failures.min(20);
        self.base_timeout
            .saturating_mul(factor)
            .min(self.max_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_count_down_with_growing_timeouts() {
        let p = RetryPolicy {
            max_retries: 3,
            base_timeout: Duration::from_secs(1),
            max_timeout: Duration::from_secs(3),
        };
        let steps: Vec<_> = [None, Some(2), Some(1), Some(0)]
            .into_iter()
            .map(|r| (p.retries_left(r), p.retry_timeout(r).as_secs()))
            .collect();
        assert_eq!(steps, vec![(2, 1), (1, 2), (0, 3), (0, 3)]);
        assert_eq!(p.retries_left(Some(-4)), 0);
        assert_eq!(p.retries_left(Some(10)), 9, "raised retries are respected");
        assert_eq!(RetryPolicy::none().retries_left(None), 0);
    }
}
