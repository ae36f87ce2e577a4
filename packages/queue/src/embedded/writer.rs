//! The single writer of an embedded bus: every change (publish, bind, claim, ack, nack, release,
//! an ephemeral group's removal, a heartbeat) is a command on one channel (`command.rs`); the
//! writer takes whatever has queued up (up to `max_batch`) and applies it in ONE transaction, in
//! arrival order, then answers each command. Concurrent publishers and acks therefore share
//! commits (group commit) while a publish still returns only after its commit. If a batch fails,
//! its commands are retried one per transaction so that one bad command fails alone.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, watch};

use super::command::{Claimed, Command, Outcome, Settle};
use super::ephemeral;
use super::sql;
use crate::stored::{now_ms, storage};
use crate::{OutgoingMessage, QueueError, Topic, TopicPattern};

/// The consumer groups' wake-up signals: bumped after a commit made messages of the group
/// visible (publish, retry, release).
#[derive(Default)]
pub(crate) struct Wakers(Mutex<HashMap<i64, watch::Sender<u64>>>);

impl Wakers {
    pub fn subscribe(&self, group_id: i64) -> watch::Receiver<u64> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(group_id)
            .or_insert_with(|| watch::Sender::new(0))
            .subscribe()
    }

    /// Drops the signal of a removed (ephemeral) group.
    pub fn forget(&self, group_id: i64) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.remove(&group_id);
    }

    fn wake(&self, groups: &HashSet<i64>) {
        let map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for group_id in groups {
            if let Some(sender) = map.get(group_id) {
                sender.send_modify(|version| *version = version.wrapping_add(1));
            }
        }
    }
}

/// The routing table: which groups a topic goes to. Reloaded when `queue_meta.bindings_version`
/// changed (a subscribe here or in another process on the same file).
struct Routes {
    version: i64,
    bindings: Vec<(i64, TopicPattern)>,
    by_topic: HashMap<String, Vec<i64>>,
}

impl Routes {
    fn unknown() -> Self {
        Self {
            version: -1,
            bindings: Vec::new(),
            by_topic: HashMap::new(),
        }
    }

    async fn refresh(&mut self, conn: &mut SqliteConnection) -> Result<(), QueueError> {
        let version = sql::bindings_version(conn).await?;
        if version == self.version {
            return Ok(());
        }
        let mut bindings = Vec::new();
        for (group_id, pattern) in sql::bindings(conn).await? {
            bindings.push((group_id, TopicPattern::parse(&pattern)?));
        }
        *self = Self {
            version,
            bindings,
            by_topic: HashMap::new(),
        };
        Ok(())
    }

    fn groups(&mut self, topic: &Topic) -> &[i64] {
        let bindings = &self.bindings;
        self.by_topic
            .entry(topic.as_str().to_owned())
            .or_insert_with(|| {
                let mut groups: Vec<i64> = bindings
                    .iter()
                    .filter(|(_, pattern)| pattern.matches(topic))
                    .map(|(group_id, _)| *group_id)
                    .collect();
                groups.sort_unstable();
                groups.dedup();
                groups
            })
    }
}

pub(crate) struct Writer {
    pool: SqlitePool,
    wakers: Arc<Wakers>,
    routes: Routes,
    max_batch: usize,
}

impl Writer {
    pub fn new(pool: SqlitePool, wakers: Arc<Wakers>, max_batch: usize) -> Self {
        Self {
            pool,
            wakers,
            routes: Routes::unknown(),
            max_batch: max_batch.max(1),
        }
    }

    /// Applies commands until a `Shutdown` (or every sender is gone).
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Command>) {
        let mut batch = Vec::new();
        while let Some(first) = rx.recv().await {
            batch.push(first);
            while batch.len() < self.max_batch {
                match rx.try_recv() {
                    Ok(command) => batch.push(command),
                    Err(_) => break,
                }
            }
            let stop = batch.iter().any(|c| matches!(c, Command::Shutdown { .. }));
            self.execute(std::mem::take(&mut batch)).await;
            if stop {
                return;
            }
        }
    }

    async fn execute(&mut self, batch: Vec<Command>) {
        let mut woken = HashSet::new();
        match self.apply(&batch, &mut woken).await {
            Ok(outcomes) => {
                self.wakers.wake(&woken);
                for (command, outcome) in batch.into_iter().zip(outcomes) {
                    command.answer(Ok(outcome));
                }
            }
            Err(err) if batch.len() == 1 => {
                self.routes = Routes::unknown();
                if let Some(command) = batch.into_iter().next() {
                    command.answer(Err(err));
                }
            }
            Err(err) => {
                tracing::debug!(error = %err, size = batch.len(), "embedded queue: batch failed, applying its commands one by one");
                self.routes = Routes::unknown();
                for command in batch {
                    let mut woken = HashSet::new();
                    let result = self.apply(std::slice::from_ref(&command), &mut woken).await;
                    if result.is_err() {
                        self.routes = Routes::unknown();
                    }
                    self.wakers.wake(&woken);
                    command.answer(result.and_then(|mut outcomes| {
                        outcomes
                            .pop()
                            .ok_or_else(|| QueueError::Storage("internal: no outcome".to_owned()))
                    }));
                }
            }
        }
    }

    /// Applies `batch` in one transaction; one outcome per command.
    async fn apply(
        &mut self,
        batch: &[Command],
        woken: &mut HashSet<i64>,
    ) -> Result<Vec<Outcome>, QueueError> {
        let now = now_ms();
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|err| QueueError::Unavailable(format!("embedded queue database: {err}")))?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut routes_checked = false;
        // Runs of publishes and of acks are applied as one statement each.
        let mut rows: Vec<(i64, &OutgoingMessage)> = Vec::new();
        let mut acks: HashMap<i64, Vec<i64>> = HashMap::new();
        for command in batch {
            if !matches!(command, Command::Publish { .. }) && !rows.is_empty() {
                sql::insert_messages(&mut tx, &rows, now).await?;
                rows.clear();
            }
            if !matches!(
                command,
                Command::Settle {
                    settle: Settle::Ack { .. },
                    ..
                }
            ) && !acks.is_empty()
            {
                flush_acks(&mut tx, &mut acks).await?;
            }
            let outcome = match command {
                Command::Publish { messages, .. } => {
                    if !routes_checked {
                        self.routes.refresh(&mut tx).await?;
                        routes_checked = true;
                    }
                    for message in messages {
                        for group_id in self.routes.groups(&message.topic) {
                            rows.push((*group_id, message));
                            woken.insert(*group_id);
                        }
                    }
                    Outcome::Done
                }
                Command::Bind {
                    group,
                    patterns,
                    ephemeral,
                    owner,
                    ..
                } => {
                    routes_checked = false;
                    Outcome::Group(if *ephemeral {
                        ephemeral::bind(&mut tx, group, patterns, *owner, now).await?
                    } else {
                        sql::bind(&mut tx, group, patterns, *owner, now).await?
                    })
                }
                Command::Claim {
                    group_id,
                    instance: Some(instance),
                    ..
                } if !ephemeral::owns(&mut tx, *group_id, *instance).await? => {
                    Outcome::Claimed(Claimed {
                        rows: Vec::new(),
                        next_visible_at: None,
                        gone: true,
                    })
                }
                Command::Claim {
                    group_id,
                    owner,
                    limit,
                    lease_ms,
                    ..
                } => {
                    let rows =
                        sql::claim(&mut tx, *group_id, *owner, *limit, now, now + lease_ms).await?;
                    let next_visible_at = if rows.len() < *limit {
                        sql::next_visible(&mut tx, *group_id, now).await?
                    } else {
                        None
                    };
                    Outcome::Claimed(Claimed {
                        rows,
                        next_visible_at,
                        gone: false,
                    })
                }
                Command::Settle {
                    group_id, settle, ..
                } => {
                    match settle {
                        Settle::Ack { id, owner } => acks.entry(*owner).or_default().push(*id),
                        Settle::Retry {
                            id,
                            owner,
                            error,
                            visible_at,
                        } => {
                            sql::retry(&mut tx, *id, *owner, error, *visible_at).await?;
                            woken.insert(*group_id);
                        }
                        Settle::Dead { id, owner, error } => {
                            sql::dead_letter(&mut tx, *id, *owner, error, now).await?;
                        }
                        Settle::Release { id, owner } => {
                            sql::release(&mut tx, *id, *owner, now).await?;
                            woken.insert(*group_id);
                        }
                        Settle::ReleaseOwner { owner } => {
                            sql::release_owner(&mut tx, *owner, now).await?;
                            woken.insert(*group_id);
                        }
                    }
                    Outcome::Done
                }
                Command::DeadLetters { group, limit, .. } => {
                    Outcome::DeadLetters(sql::dead_letters(&mut tx, group, *limit).await?)
                }
                Command::DropGroup {
                    group_id, instance, ..
                } => {
                    routes_checked = false;
                    ephemeral::drop_group(&mut tx, *group_id, *instance).await?;
                    Outcome::Done
                }
                Command::Heartbeat { owner, alive, .. } => {
                    routes_checked = false;
                    if *alive {
                        ephemeral::refresh(&mut tx, owner.instance, now).await?;
                    }
                    let before = now.saturating_sub(owner.expiry_ms);
                    Outcome::Count(ephemeral::purge_expired(&mut tx, before).await?)
                }
                Command::Forget { instance, .. } => {
                    routes_checked = false;
                    ephemeral::forget(&mut tx, *instance).await?;
                    Outcome::Done
                }
                Command::Shutdown { .. } => Outcome::Done,
            };
            outcomes.push(outcome);
        }
        if !rows.is_empty() {
            sql::insert_messages(&mut tx, &rows, now).await?;
        }
        flush_acks(&mut tx, &mut acks).await?;
        tx.commit()
            .await
            .map_err(storage("committing to the embedded queue"))?;
        Ok(outcomes)
    }
}

async fn flush_acks(
    conn: &mut SqliteConnection,
    acks: &mut HashMap<i64, Vec<i64>>,
) -> Result<(), QueueError> {
    for (owner, ids) in acks.drain() {
        sql::ack(conn, owner, &ids).await?;
    }
    Ok(())
}
