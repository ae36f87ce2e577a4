//! Ephemeral (broadcast) consumer groups of the embedded bus ([`crate::Subscription::ephemeral`]).
//!
//! An ephemeral group is a `queue_group` row whose `ephemeral_owner` is the id of the running
//! [`super::EmbeddedBus`] that subscribed it (random per bus, `queue_bus_instance`). It is routed
//! to like any group while it exists, and removed with its bindings and messages when the last
//! subscription of that bus to it ends (its `Deliveries` dropped, or the bus closed).
//!
//! **Crashes.** A process that dies leaves its ephemeral groups behind. Several processes may use
//! one SQLite file (WAL), so a bus cannot tell from the file alone whether another owner still
//! runs: each bus that has ephemeral groups refreshes `queue_bus_instance.heartbeat_at` every
//! quarter of `EmbeddedOptions::ephemeral_expiry` (default 60 s), and a group whose owner's
//! heartbeat is older than the expiry (or whose owner row is gone) is purged, with its messages,
//! when a bus opens, when one subscribes an ephemeral group, and at every heartbeat of every bus
//! on the file. So a crashed process's groups stop accumulating at most about
//! `1.25 × ephemeral_expiry` after the crash, while a live bus is never purged unless its writer
//! stalls for longer than the expiry (far beyond the 30 s busy timeout); if that ever happens, its
//! pumps notice at their next claim that the group is no longer theirs and end the subscription
//! (its `Deliveries` yields `None`) instead of reading another group's messages. Heartbeats are
//! wall-clock Unix milliseconds: the processes sharing a WAL file run on one host, one clock.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::SqliteConnection;
use tokio_util::sync::CancellationToken;

use super::Shared;
use super::command::{Command, WriterHandle};
use super::sql;
use crate::QueueError;
use crate::stored::storage;

/// This bus's identity as an owner of ephemeral groups.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner {
    pub instance: i64,
    pub expiry_ms: i64,
}

/// The ephemeral groups this bus holds, with how many of its subscriptions use each. The lock
/// is held across the writer's bind / drop, so a subscribe and the end of the last subscription
/// of the same group never cross.
pub(crate) struct Ephemeral {
    pub owner: Owner,
    groups: tokio::sync::Mutex<HashMap<i64, usize>>,
    live: AtomicUsize,
}

impl Ephemeral {
    pub fn new(owner: Owner) -> Self {
        Self {
            owner,
            groups: tokio::sync::Mutex::new(HashMap::new()),
            live: AtomicUsize::new(0),
        }
    }

    /// Declares (or joins) the ephemeral group `group` of this bus; its id.
    pub async fn join(
        &self,
        writer: &WriterHandle,
        group: String,
        patterns: Vec<String>,
    ) -> Result<i64, QueueError> {
        let mut groups = self.groups.lock().await;
        let owner = self.owner;
        let group_id = writer
            .call(|reply| Command::Bind {
                group,
                patterns,
                ephemeral: true,
                owner,
                reply,
            })
            .await?;
        *groups.entry(group_id).or_default() += 1;
        self.live.store(groups.len(), Ordering::Relaxed);
        Ok(group_id)
    }

    /// One subscription of `group_id` ended; the last one removes the group.
    pub async fn leave(&self, shared: &Shared, group_id: i64) {
        let mut groups = self.groups.lock().await;
        let Some(count) = groups.get_mut(&group_id) else {
            return;
        };
        *count = count.saturating_sub(1);
        if *count > 0 {
            return;
        }
        groups.remove(&group_id);
        self.live.store(groups.len(), Ordering::Relaxed);
        let instance = self.owner.instance;
        let dropped = shared
            .writer
            .call(|reply| Command::DropGroup {
                group_id,
                instance,
                reply,
            })
            .await;
        match dropped {
            Ok(()) => shared.wakers.forget(group_id),
            Err(err) => {
                tracing::warn!(error = %err, group_id, "embedded queue: removing an ephemeral group failed; it is purged once this bus's heartbeat expires")
            }
        }
    }

    fn alive(&self) -> bool {
        self.live.load(Ordering::Relaxed) > 0
    }
}

/// How often a bus refreshes its heartbeat and purges expired ones.
pub(crate) fn heartbeat_every(expiry: Duration) -> Duration {
    (expiry / 4).max(Duration::from_millis(50))
}

/// Refreshes this bus's heartbeat while it has ephemeral groups and purges expired ones, until
/// `cancel` (the bus closes) or the writer is gone.
pub(crate) async fn heartbeat(shared: Arc<Shared>, cancel: CancellationToken) {
    let every = heartbeat_every(shared.options.ephemeral_expiry);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        let owner = shared.ephemeral.owner;
        let alive = shared.ephemeral.alive();
        match purge(&shared.writer, owner, alive).await {
            Ok(_) => {}
            Err(QueueError::Closed) => return,
            Err(err) => tracing::warn!(error = %err, "embedded queue: ephemeral heartbeat failed"),
        }
    }
}

/// One heartbeat: refreshes this bus's (when `alive`), purges the expired groups; how many went.
pub(crate) async fn purge(
    writer: &WriterHandle,
    owner: Owner,
    alive: bool,
) -> Result<u64, QueueError> {
    let purged = writer
        .call(|reply| Command::Heartbeat {
            owner,
            alive,
            reply,
        })
        .await?;
    if purged > 0 {
        tracing::info!(
            purged,
            "embedded queue: purged ephemeral groups left by a stopped process"
        );
    }
    Ok(purged)
}

/// Records that `instance` is alive now.
pub(crate) async fn refresh(
    conn: &mut SqliteConnection,
    instance: i64,
    now_ms: i64,
) -> Result<(), QueueError> {
    sqlx::query(
        "INSERT INTO queue_bus_instance (id, heartbeat_at) VALUES (?, ?)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
    )
    .bind(instance)
    .bind(now_ms)
    .execute(conn)
    .await
    .map_err(storage("refreshing the bus heartbeat"))?;
    Ok(())
}

/// Declares the ephemeral group `group` of `owner` (refused when a durable group or another bus
/// holds the name) and binds it to `patterns`; its id.
pub(crate) async fn bind(
    conn: &mut SqliteConnection,
    group: &str,
    patterns: &[String],
    owner: Owner,
    now_ms: i64,
) -> Result<i64, QueueError> {
    refresh(conn, owner.instance, now_ms).await?;
    purge_expired(conn, now_ms.saturating_sub(owner.expiry_ms)).await?;
    let existing: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, ephemeral_owner FROM queue_group WHERE name = ?")
            .bind(group)
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage("reading a consumer group"))?;
    let refused = |reason: &str| QueueError::InvalidGroup {
        group: group.to_owned(),
        reason: reason.to_owned(),
    };
    let group_id = match existing {
        None => sqlx::query_scalar(
            "INSERT INTO queue_group (name, created_at, ephemeral_owner) VALUES (?, ?, ?)
             RETURNING id",
        )
        .bind(group)
        .bind(now_ms)
        .bind(owner.instance)
        .fetch_one(&mut *conn)
        .await
        .map_err(storage("declaring an ephemeral consumer group"))?,
        Some((id, Some(holder))) if holder == owner.instance => id,
        Some((_, Some(_))) => {
            return Err(refused(
                "another running bus holds this ephemeral group: ephemeral group names must be \
                 unique to their subscriber",
            ));
        }
        Some((_, None)) => return Err(refused("a durable consumer group of this name exists")),
    };
    sql::bind_patterns(conn, group_id, patterns).await?;
    Ok(group_id)
}

/// Removes every ephemeral group whose owner's heartbeat is older than `before_ms` (or whose
/// owner row is gone), with its bindings and messages, and the expired owner rows; how many
/// groups went.
pub(crate) async fn purge_expired(
    conn: &mut SqliteConnection,
    before_ms: i64,
) -> Result<u64, QueueError> {
    let expired: Vec<i64> = sqlx::query_scalar(
        "SELECT g.id FROM queue_group g
         LEFT JOIN queue_bus_instance b ON b.id = g.ephemeral_owner
         WHERE g.ephemeral_owner IS NOT NULL AND (b.id IS NULL OR b.heartbeat_at < ?)",
    )
    .bind(before_ms)
    .fetch_all(&mut *conn)
    .await
    .map_err(storage("finding expired ephemeral groups"))?;
    for group_id in &expired {
        delete_group(conn, *group_id).await?;
    }
    sqlx::query("DELETE FROM queue_bus_instance WHERE heartbeat_at < ?")
        .bind(before_ms)
        .execute(&mut *conn)
        .await
        .map_err(storage("purging expired bus heartbeats"))?;
    if !expired.is_empty() {
        sql::bump_bindings_version(conn).await?;
    }
    Ok(u64::try_from(expired.len()).unwrap_or(u64::MAX))
}

/// Removes the ephemeral group `group_id` if `instance` still owns it.
pub(crate) async fn drop_group(
    conn: &mut SqliteConnection,
    group_id: i64,
    instance: i64,
) -> Result<(), QueueError> {
    if owns(conn, group_id, instance).await? {
        delete_group(conn, group_id).await?;
        sql::bump_bindings_version(conn).await?;
    }
    Ok(())
}

/// The bus closes: its remaining ephemeral groups and its heartbeat row go.
pub(crate) async fn forget(conn: &mut SqliteConnection, instance: i64) -> Result<(), QueueError> {
    let groups: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM queue_group WHERE ephemeral_owner = ?")
            .bind(instance)
            .fetch_all(&mut *conn)
            .await
            .map_err(storage("listing a bus's ephemeral groups"))?;
    for group_id in &groups {
        delete_group(conn, *group_id).await?;
    }
    if !groups.is_empty() {
        sql::bump_bindings_version(conn).await?;
    }
    sqlx::query("DELETE FROM queue_bus_instance WHERE id = ?")
        .bind(instance)
        .execute(&mut *conn)
        .await
        .map_err(storage("removing a bus heartbeat"))?;
    Ok(())
}

/// Whether the group `group_id` is an ephemeral group of `instance`.
pub(crate) async fn owns(
    conn: &mut SqliteConnection,
    group_id: i64,
    instance: i64,
) -> Result<bool, QueueError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM queue_group WHERE id = ? AND ephemeral_owner = ?")
            .bind(group_id)
            .bind(instance)
            .fetch_optional(conn)
            .await
            .map_err(storage("checking an ephemeral group"))?;
    Ok(found.is_some())
}

async fn delete_group(conn: &mut SqliteConnection, group_id: i64) -> Result<(), QueueError> {
    for statement in [
        "DELETE FROM queue_message WHERE group_id = ?",
        "DELETE FROM queue_dead_letter WHERE group_id = ?",
        "DELETE FROM queue_binding WHERE group_id = ?",
        "DELETE FROM queue_group WHERE id = ?",
    ] {
        sqlx::query(statement)
            .bind(group_id)
            .execute(&mut *conn)
            .await
            .map_err(storage("removing an ephemeral group"))?;
    }
    Ok(())
}
