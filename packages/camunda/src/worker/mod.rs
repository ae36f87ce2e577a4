//! The external-task worker runtime: long-polls `fetchAndLock` for its topics, runs the topic's
//! [`Handler`] per task (concurrently, at most `max_tasks` at a time), extends the lock of a
//! handler that runs past half its lock duration, and reports the [`Outcome`] (complete,
//! bpmnError, failure with retries and back-off, unlock). Fetch errors back off exponentially;
//! on shutdown it stops fetching, lets running handlers finish within a grace period and unlocks
//! the tasks of those that do not.
//!
//! ```no_run
//! # async fn demo(client: carpetti_camunda::CamundaClient) -> Result<(), Box<dyn std::error::Error>> {
//! use carpetti_camunda::worker::{handler_fn, Outcome, Worker};
//! use carpetti_camunda::{VariableValue, Variables};
//!
//! let worker = Worker::builder(client)
//!     .worker_id("billing-1")
//!     .max_tasks(8)
//!     .subscribe("charge", handler_fn(|task| async move {
//!         let amount = task.variable("amount").and_then(|v| v.as_i64()).unwrap_or(0);
//!         Outcome::complete_with(Variables::from([
//!             ("charged".to_owned(), VariableValue::long(amount)),
//!         ]))
//!     }))
//!     .build()?;
//! worker.run(async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(()) }
//! ```

mod handler;
mod run;
mod task;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub use handler::{FnHandler, Handler, Outcome, RetryPolicy, handler_fn};

use crate::client::CamundaClient;
use crate::dto::{FetchTopic, millis};

/// Camunda's upper bound of `asyncResponseTimeout`.
const MAX_ASYNC_RESPONSE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A worker that is not runnable as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("a worker needs at least one subscription")]
    NoSubscription,
    #[error("topic {0:?} is subscribed twice")]
    DuplicateTopic(String),
    #[error("max_tasks must be at least 1")]
    ZeroMaxTasks,
    #[error("the lock duration of topic {0:?} is zero")]
    ZeroLockDuration(String),
    #[error("async_response_timeout exceeds Camunda's 30 minutes")]
    LongPollTooLong,
}

/// A configured worker; [`Worker::run`] runs it.
pub struct Worker {
    client: CamundaClient,
    settings: Settings,
    topics: Vec<FetchTopic>,
    handlers: HashMap<String, Arc<dyn Handler>>,
}

#[derive(Clone, Debug)]
struct Settings {
    worker_id: String,
    max_tasks: u32,
    async_response_timeout: Duration,
    use_priority: bool,
    retry: RetryPolicy,
    fetch_backoff_min: Duration,
    fetch_backoff_max: Duration,
    poll_interval: Duration,
    shutdown_grace: Duration,
}

impl Worker {
    /// A builder with the defaults: a random worker id, 10 tasks, 30 s long polls, 60 s locks,
    /// priority order, [`RetryPolicy::default`], fetch back-off 0.5–30 s, 30 s shutdown grace.
    pub fn builder(client: CamundaClient) -> WorkerBuilder {
        WorkerBuilder {
            client,
            worker_id: None,
            max_tasks: 10,
            async_response_timeout: Duration::from_secs(30),
            lock_duration: Duration::from_secs(60),
            use_priority: true,
            retry: RetryPolicy::default(),
            fetch_backoff: (Duration::from_millis(500), Duration::from_secs(30)),
            poll_interval: Duration::from_millis(300),
            shutdown_grace: Duration::from_secs(30),
            subscriptions: Vec::new(),
        }
    }

    pub fn worker_id(&self) -> &str {
        &self.settings.worker_id
    }

    /// The topics as the worker fetches them.
    pub fn topics(&self) -> &[FetchTopic] {
        &self.topics
    }
}

/// See [`Worker::builder`].
pub struct WorkerBuilder {
    client: CamundaClient,
    worker_id: Option<String>,
    max_tasks: u32,
    async_response_timeout: Duration,
    lock_duration: Duration,
    use_priority: bool,
    retry: RetryPolicy,
    fetch_backoff: (Duration, Duration),
    poll_interval: Duration,
    shutdown_grace: Duration,
    /// The topics as given; a zero `lock_duration` takes the worker's.
    subscriptions: Vec<(FetchTopic, Arc<dyn Handler>)>,
}

impl WorkerBuilder {
    /// The `workerId` that owns the locks (default `carpetti-<uuid>`).
    pub fn worker_id(mut self, worker_id: impl Into<String>) -> Self {
        self.worker_id = Some(worker_id.into());
        self
    }

    /// Tasks handled at once (and the most fetched per poll).
    pub fn max_tasks(mut self, max_tasks: u32) -> Self {
        self.max_tasks = max_tasks;
        self
    }

    /// How long the engine may hold an empty fetch (long polling); zero polls without waiting.
    pub fn async_response_timeout(mut self, timeout: Duration) -> Self {
        self.async_response_timeout = timeout;
        self
    }

    /// The lock taken per task; a handler running past half of it gets the lock extended.
    pub fn lock_duration(mut self, lock_duration: Duration) -> Self {
        self.lock_duration = lock_duration;
        self
    }

    /// Fetch higher-priority tasks first (`usePriority`).
    pub fn use_priority(mut self, use_priority: bool) -> Self {
        self.use_priority = use_priority;
        self
    }

    /// The retries and back-off of [`Outcome::Fail`] without a policy of its own.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The exponential back-off after a failed fetch, from `min` up to `max`.
    pub fn fetch_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.fetch_backoff = (min, max.max(min));
        self
    }

    /// The least time between two fetches that found nothing (guards against an engine that
    /// ignores long polling).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How long shutdown waits for running handlers before unlocking their tasks.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Handles `topic` with `handler`.
    pub fn subscribe(mut self, topic: &str, handler: impl Handler + 'static) -> Self {
        let topic = FetchTopic::new(topic, Duration::ZERO);
        self.subscriptions.push((topic, Arc::new(handler)));
        self
    }

    /// Handles a topic with filters (variables to fetch, business key, definition keys…); a zero
    /// `lock_duration` takes the worker's.
    pub fn subscribe_topic(mut self, topic: FetchTopic, handler: impl Handler + 'static) -> Self {
        self.subscriptions.push((topic, Arc::new(handler)));
        self
    }

    pub fn build(self) -> Result<Worker, BuildError> {
        if self.subscriptions.is_empty() {
            return Err(BuildError::NoSubscription);
        }
        if self.max_tasks == 0 {
            return Err(BuildError::ZeroMaxTasks);
        }
        if self.async_response_timeout > MAX_ASYNC_RESPONSE_TIMEOUT {
            return Err(BuildError::LongPollTooLong);
        }
        let mut topics = Vec::with_capacity(self.subscriptions.len());
        let mut handlers = HashMap::new();
        for (mut topic, handler) in self.subscriptions {
            if topic.lock_duration == 0 {
                topic.lock_duration = millis(self.lock_duration);
            }
            if topic.lock_duration == 0 {
                return Err(BuildError::ZeroLockDuration(topic.topic_name));
            }
            if handlers.insert(topic.topic_name.clone(), handler).is_some() {
                return Err(BuildError::DuplicateTopic(topic.topic_name));
            }
            topics.push(topic);
        }
        let worker_id = self
            .worker_id
            .unwrap_or_else(|| format!("carpetti-{}", uuid::Uuid::now_v7()));
        Ok(Worker {
            client: self.client,
            settings: Settings {
                worker_id,
                max_tasks: self.max_tasks,
                async_response_timeout: self.async_response_timeout,
                use_priority: self.use_priority,
                retry: self.retry,
                fetch_backoff_min: self.fetch_backoff.0,
                fetch_backoff_max: self.fetch_backoff.1,
                poll_interval: self.poll_interval,
                shutdown_grace: self.shutdown_grace,
            },
            topics,
            handlers,
        })
    }
}
