// Group commit: commands of one kind (external-task completes, instance starts) that arrive
// while others are being written wait in a queue; the next free slot takes up to `GROUP_MAX` of
// them and writes them in one transaction with set-based statements instead of a transaction
// each. What a group cannot take is written alone, the way a single command always was, so each
// command still gets its own answer and its own error. This file holds the queue and the writes
// both kinds share; `complete_group.rs` and `start_group.rs` the commands.

use std::future::Future;
use std::sync::Weak;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Semaphore;

use super::apply::{push_external_tasks, push_history};
use crate::runtime::{Effects, EndState, InstanceState};

/// The most commands one group writes.
pub(crate) const GROUP_MAX: usize = 128;
/// The most new tasks, or history rows, of one command written set-based; a command that makes
/// more (a multi-instance fan-out) is written by the general path, which splits it.
const SET_BASED_ROWS: usize = 16;
/// Commands per multi-row statement: at most 64 × 16 rows × 15 columns = 15,360 parameters,
/// under the limits of both databases.
const STATEMENT_COMMANDS: usize = 64;

/// A kind of command written in groups.
pub(crate) trait GroupKind: Sized + Send + 'static {
    /// The store's queue of this kind.
    fn groups(store: &Store) -> &Groups<Self>;
    /// Writes a group, answering each command.
    fn write(store: &Store, group: Vec<Self>) -> impl Future<Output = ()> + Send + '_;
}

/// The commands of one kind waiting for a group, and the slots of groups being written.
pub(crate) struct Groups<P> {
    queue: Mutex<Vec<P>>,
    slots: Arc<Semaphore>,
    /// False when groups are switched off (0 slots): each command is written alone.
    enabled: bool,
    store: Weak<Store>,
    written: AtomicU64,
    grouped: AtomicU64,
    alone: AtomicU64,
    /// Nanoseconds groups spent being written, summed over groups.
    writing: AtomicU64,
}

impl<P: GroupKind> Groups<P> {
    /// `slots` groups are written at once at most (0: no groups, each command alone); `store` is
    /// the store they are written to.
    pub(crate) fn new(slots: usize, store: Weak<Store>) -> Self {
        Self {
            queue: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(slots.max(1))),
            enabled: slots > 0,
            store,
            written: AtomicU64::new(0),
            grouped: AtomicU64::new(0),
            alone: AtomicU64::new(0),
            writing: AtomicU64::new(0),
        }
    }

    /// How the commands since the engine opened were written.
    pub(crate) fn stats(&self) -> crate::api::GroupStats {
        crate::api::GroupStats {
            groups: self.written.load(Ordering::Relaxed),
            grouped: self.grouped.load(Ordering::Relaxed),
            alone: self.alone.load(Ordering::Relaxed),
            writing: std::time::Duration::from_nanos(self.writing.load(Ordering::Relaxed)),
        }
    }

    /// Whether commands go through groups (switched on, and the store is shared).
    pub(crate) fn enabled(&self) -> bool {
        self.enabled && self.store.strong_count() > 0
    }

    pub(crate) fn count_group(&self, taken: usize) {
        if taken > 0 {
            self.written.fetch_add(1, Ordering::Relaxed);
            self.grouped.fetch_add(taken as u64, Ordering::Relaxed);
        }
    }

    pub(crate) fn count_alone(&self, commands: usize) {
        self.alone.fetch_add(commands as u64, Ordering::Relaxed);
    }

    /// Queues a command and starts a group if a slot is free.
    pub(crate) fn push(&self, command: P) {
        self.lock_queue().push(command);
        self.drive();
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<P>> {
        // the queue holds plain data: a panic while it was held leaves nothing half-done
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts writing a group if a slot is free and commands are waiting. A command queued while
    /// every slot is busy is taken by the group that frees its slot next.
    fn drive(&self) {
        let Some(store) = self.store.upgrade() else {
            return;
        };
        let (slot, group) = loop {
            let Ok(slot) = self.slots.clone().try_acquire_owned() else {
                return;
            };
            let group: Vec<P> = {
                let mut queue = self.lock_queue();
                let take = queue.len().min(GROUP_MAX);
                queue.drain(..take).collect()
            };
            if !group.is_empty() {
                break (slot, group);
            }
            // A command pushed while this call held the slot found no slot free and left it to
            // us: look at the queue again once the slot is free, or it would wait forever.
            drop(slot);
            if self.lock_queue().is_empty() {
                return;
            }
        };
        tokio::spawn(async move {
            let begun = std::time::Instant::now();
            P::write(&store, group).await;
            let took = u64::try_from(begun.elapsed().as_nanos()).unwrap_or(u64::MAX);
            drop(slot);
            let groups = P::groups(&store);
            groups.writing.fetch_add(took, Ordering::Relaxed);
            groups.drive();
        });
    }
}

/// A command a group took: its index in the group, its instance, what it did, and whether that
/// is written set-based with the group's other commands.
pub(crate) struct Written {
    pub(crate) index: usize,
    pub(crate) state: InstanceState,
    pub(crate) model: Arc<ProcessModel>,
    pub(crate) fx: Effects,
    pub(crate) set_based: bool,
}

/// Whether a command's effects are only what a group writes set-based: a few new external tasks
/// and history rows, no task withdrawn but `consumed`, and the instance running on or completed.
/// Anything else (user tasks, timers, messages, incidents, call activities, a cancelled end) is
/// written by the general path inside the group's transaction.
pub(crate) fn fits_group(fx: &Effects, consumed: Option<&str>) -> bool {
    fx.external_tasks.len() <= SET_BASED_ROWS
        && fx.history.len() <= SET_BASED_ROWS
        && fx.user_tasks.is_empty()
        && fx.jobs.is_empty()
        && fx.jobs_removed.is_empty()
        && fx.subscriptions.is_empty()
        && fx.subscriptions_removed.is_empty()
        && fx.incidents.is_empty()
        && fx.incidents_resolved.is_empty()
        && fx.calls.is_empty()
        && fx.calls_cancelled.is_empty()
        && fx.call_result.is_none()
        && fx
            .tasks_removed
            .iter()
            .all(|t| Some(t.as_str()) == consumed)
        && matches!(fx.ended, None | Some(EndState::Completed))
}

impl Store {
    /// The set-based writes of a group's commands that fit it: their new external tasks and
    /// their history, each kind in multi-row statements.
    pub(crate) async fn write_set_based(
        &self,
        tx: &mut sqlx::Transaction<'static, Db>,
        written: &[Written],
        now: DateTime<Utc>,
    ) -> EngineResult<()> {
        let fitting: Vec<&Written> = written.iter().filter(|w| w.set_based).collect();
        let tasks: Vec<_> = fitting
            .iter()
            .filter(|w| !w.fx.external_tasks.is_empty())
            .map(|w| (&w.state, &*w.model, w.fx.external_tasks.as_slice()))
            .collect();
        for chunk in tasks.chunks(STATEMENT_COMMANDS) {
            let mut q = sqlx::QueryBuilder::<Db>::new("");
            push_external_tasks(&mut q, chunk, ms(now))?;
            q.build().execute(&mut **tx).await?;
        }
        let history: Vec<_> = fitting
            .iter()
            .filter(|w| !w.fx.history.is_empty())
            .map(|w| (&w.state, &*w.model, w.fx.history.as_slice()))
            .collect();
        for chunk in history.chunks(STATEMENT_COMMANDS) {
            let mut q = sqlx::QueryBuilder::<Db>::new("");
            push_history(&mut q, chunk);
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}
