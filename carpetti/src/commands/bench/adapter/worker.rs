//! The worker that keeps the processes moving: one fetchAndLock loop over the loop model's two
//! topics, each fetched task completed on its instance's own schedule (instance `k` steps at
//! `k/channels` of a step, then every `step`), and for each completion the wall-clock time the
//! `complete` call returned and the task the instance waits in afterwards — what a viewer's
//! cursor must show next, to measure the latency end to end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use carpetti_camunda::dto::{FetchAndLock, FetchTopic};
use carpetti_camunda::{CamundaClient, Variables};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The loop model (testdata/bpmn/adapter-loop.bpmn).
pub const MODEL: &str = include_str!("../../../../../testdata/bpmn/adapter-loop.bpmn");
/// Its process id.
pub const PROCESS_KEY: &str = "adapter-loop";
/// Its two steps: (activity id, topic).
const STEPS: [(&str, &str); 2] = [("Task_A", "adapter.loop.a"), ("Task_B", "adapter.loop.b")];
const WORKER_ID: &str = "bench-adapter";
/// Tasks one fetch takes.
const FETCH_MAX: u32 = 500;

/// The business key of channel `k`.
pub fn business_key(k: usize) -> String {
    format!("bench-{k}")
}

/// The channel of a business key.
pub fn channel_of(business_key: &str) -> Option<usize> {
    business_key.strip_prefix("bench-")?.parse().ok()
}

/// Which step (index into the model's steps) an activity id is; `None` for anything else.
pub fn step_of(activity_id: &str) -> Option<u8> {
    STEPS
        .iter()
        .position(|(id, _)| *id == activity_id)
        .and_then(|i| u8::try_from(i).ok())
}

/// Milliseconds since the Unix epoch, with sub-millisecond precision.
pub fn wall_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// One completed step: when its `complete` returned (wall ms), and the step the instance waits
/// in now.
#[derive(Debug, Clone, Copy)]
pub struct Completion {
    pub at_ms: f64,
    pub now_at: u8,
}

/// What the worker did.
#[derive(Debug, Default)]
pub struct Counters {
    pub completed: AtomicU64,
    pub errors: AtomicU64,
    pub fetches: AtomicU64,
}

/// The running worker.
pub struct Worker {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
    pub counters: Arc<Counters>,
    /// Per channel, its completions in order.
    pub completions: Arc<Mutex<Vec<Vec<Completion>>>>,
}

impl Worker {
    /// Starts moving `channels` instances, each one step every `step`.
    pub fn start(client: CamundaClient, channels: usize, step: Duration) -> Self {
        let (stop, stopped) = watch::channel(false);
        let counters = Arc::new(Counters::default());
        let completions = Arc::new(Mutex::new(vec![Vec::new(); channels]));
        let handle = tokio::spawn(fetch_loop(
            client,
            channels,
            step,
            stopped,
            counters.clone(),
            completions.clone(),
        ));
        Self {
            stop,
            handle,
            counters,
            completions,
        }
    }

    /// Stops fetching and drops the pending completions.
    pub async fn stop(self) -> Vec<Vec<Completion>> {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
        self.completions
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }
}

async fn fetch_loop(
    client: CamundaClient,
    channels: usize,
    step: Duration,
    mut stopped: watch::Receiver<bool>,
    counters: Arc<Counters>,
    completions: Arc<Mutex<Vec<Vec<Completion>>>>,
) {
    let begun = Instant::now();
    // Spread the instances over one step: instance k first moves at k/channels of it.
    let mut next_due: Vec<Instant> = (0..channels)
        .map(|k| begun + step.mul_f64(k as f64 / channels.max(1) as f64))
        .collect();
    let lock = step + Duration::from_secs(60);
    let request = FetchAndLock {
        worker_id: WORKER_ID.to_owned(),
        max_tasks: FETCH_MAX,
        use_priority: None,
        async_response_timeout: Some(1000),
        sorting: None,
        topics: STEPS
            .iter()
            .map(|(_, topic)| FetchTopic::new(topic, lock))
            .collect(),
    };
    let mut pending = JoinSet::new();
    loop {
        while pending.try_join_next().is_some() {}
        let fetched = tokio::select! {
            _ = stopped.changed() => break,
            fetched = client.fetch_and_lock(&request) => fetched,
        };
        counters.fetches.fetch_add(1, Ordering::Relaxed);
        let tasks = match fetched {
            Ok(tasks) => tasks,
            Err(e) => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "bench adapter worker: fetchAndLock failed");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        for task in tasks {
            let channel = task.business_key.as_deref().and_then(channel_of);
            let done = task.activity_id.as_deref().and_then(step_of);
            let (Some(k), Some(done)) = (channel, done) else {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let Some(due) = next_due.get_mut(k) else {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let at = (*due).max(Instant::now());
            *due = at + step;
            let now_at = (done + 1) % STEPS.len() as u8;
            let (client, counters, completions) =
                (client.clone(), counters.clone(), completions.clone());
            pending.spawn(async move {
                tokio::time::sleep_until(at.into()).await;
                let result = client
                    .complete(&task.id, WORKER_ID, &Variables::new(), &Variables::new())
                    .await;
                let at_ms = wall_ms();
                match result {
                    Ok(()) => {
                        counters.completed.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut all) = completions.lock()
                            && let Some(list) = all.get_mut(k)
                        {
                            list.push(Completion { at_ms, now_at });
                        }
                    }
                    Err(e) => {
                        counters.errors.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(error = %e, "bench adapter worker: complete failed");
                    }
                }
            });
        }
    }
    pending.abort_all();
    while pending.join_next().await.is_some() {}
}
