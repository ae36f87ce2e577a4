//! The embedded durable backend, for `carpetti up`: the bus lives in a SQLite database (WAL), so
//! a crash loses nothing that a publish confirmed.
//!
//! - **Tables** (`migrations/sqlite/0001_embedded_bus.sql`): `queue_group` (a group is declared,
//!   and durable, from its first subscribe on), `queue_binding` (group → patterns),
//!   `queue_message` (one row per group and message, fanned out at publish time to every group
//!   whose pattern matches the topic; a message published before a group first subscribed is
//!   not delivered to it, as on RabbitMQ), `queue_dead_letter`.
//! - **Publish** returns after its transaction committed; `publish_batch` is one transaction.
//! - **Delivery**: a pump per subscription claims up to `prefetch` visible rows at once and
//!   leases them (`visible_at` becomes the lease deadline, `lease_owner` the subscriber). Acked
//!   rows are deleted; nacked ones get `attempt + 1`, `last_error` and a `visible_at` after the
//!   group's back-off, or move to the dead letters after `max_attempts`; rejected ones move there
//!   at once. A delivery dropped unsettled, or still leased when its subscription closes, is
//!   released at once; if the process dies, the lease deadline (`lease_timeout`) redelivers it
//!   with the same message id and attempt.
//! - **Writes** go through one writer task that applies whatever commands queued up in one
//!   transaction (see `writer.rs`): concurrent publishes and acks share commits.
//! - **Wake-ups**: pumps wake on a publish/release of their group in this process, at the next
//!   retry or lease deadline, and every `poll_interval` (which also picks up messages written by
//!   another process using the same file).
//! - **Ephemeral groups** (`ephemeral.rs`, migration 0004): a group owned by this bus, removed
//!   with its messages when its last subscription ends; a crashed process's are purged once its
//!   heartbeat (`queue_bus_instance`) is older than `ephemeral_expiry`.

mod command;
mod ephemeral;
mod pump;
mod sql;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use self::command::{Command, WriterHandle};
use self::ephemeral::{Ephemeral, Owner};
use self::pump::Pump;
use self::writer::{Wakers, Writer};
use crate::{Bus, DeadLetter, Deliveries, OutgoingMessage, QueueError, Subscription};

/// Tuning of an [`EmbeddedBus`].
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// How long a delivered, unsettled message stays leased to its subscriber before another one
    /// may get it. Only matters when the process died (a closed subscription releases its
    /// messages at once), so it is generous: longer than any handler runs.
    pub lease_timeout: Duration,
    /// The fallback poll of an idle subscriber.
    pub poll_interval: Duration,
    /// At most this many commands (publishes, acks, claims…) per write transaction.
    pub max_batch: usize,
    /// `synchronous=FULL` (fsync at every commit: survives a power loss) instead of `NORMAL`
    /// (survives a process crash; a power loss may lose the last commits). Only when the bus
    /// opens its own file.
    pub synchronous_full: bool,
    /// An ephemeral group whose bus has not refreshed its heartbeat for this long is taken as
    /// left by a crashed process and purged with its messages (a bus refreshes it every quarter
    /// of this while it has ephemeral groups). Keep it well above any stall of the database
    /// (the busy timeout is 30 s).
    pub ephemeral_expiry: Duration,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        Self {
            lease_timeout: Duration::from_secs(300),
            poll_interval: Duration::from_secs(1),
            max_batch: 2048,
            synchronous_full: false,
            ephemeral_expiry: Duration::from_secs(60),
        }
    }
}

/// What the pumps share with the bus.
pub(crate) struct Shared {
    writer: WriterHandle,
    wakers: Arc<Wakers>,
    options: EmbeddedOptions,
    ephemeral: Ephemeral,
}

/// The embedded durable bus. Cheap to clone; [`Bus::close`] stops it cleanly. Dropping the last
/// clone without closing behaves like a crash: the tasks stop where they are, leased messages
/// come back after `lease_timeout`.
#[derive(Clone)]
pub struct EmbeddedBus {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    writer_task: Mutex<Option<JoinHandle<()>>>,
    /// The subscriptions' pumps and the ephemeral heartbeat.
    pumps: Mutex<Vec<JoinHandle<()>>>,
    cancel: CancellationToken,
    closed: AtomicBool,
    /// The pool, when the bus opened the file itself (closed with the bus).
    own_pool: Option<SqlitePool>,
    description: String,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for pump in self
            .pumps
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            pump.abort();
        }
        if let Some(writer) = self
            .writer_task
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            writer.abort();
        }
    }
}

impl EmbeddedBus {
    /// Opens (creating if needed) the queue database at `path` (`carpetti up` uses
    /// `<data_dir>/queue.db`), in WAL mode, and applies the queue's migrations.
    pub async fn open(path: &Path, options: EmbeddedOptions) -> Result<Self, QueueError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|err| {
                QueueError::Storage(format!("cannot create {}: {err}", dir.display()))
            })?;
        }
        let synchronous = if options.synchronous_full {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        };
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(Duration::from_secs(30));
        // One connection: the writer task is the only user.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(connect)
            .await
            .map_err(|err| QueueError::Unavailable(format!("opening {}: {err}", path.display())))?;
        crate::migrate(&pool).await?;
        let description = format!("embedded (SQLite {})", path.display());
        Self::start(pool.clone(), Some(pool), description, options).await
    }

    /// Runs the bus in an already open SQLite database (e.g. the main `carpetti.db`, WAL mode
    /// and a busy timeout expected), applying the queue's migrations there. The pool stays the
    /// caller's: [`Bus::close`] does not close it.
    pub async fn with_pool(pool: SqlitePool, options: EmbeddedOptions) -> Result<Self, QueueError> {
        crate::migrate(&pool).await?;
        let description = "embedded (SQLite, shared pool)".to_owned();
        Self::start(pool, None, description, options).await
    }

    /// Starts the writer and the ephemeral heartbeat, and purges the ephemeral groups left by
    /// crashed processes (see `ephemeral.rs`) before the bus is handed out.
    async fn start(
        pool: SqlitePool,
        own_pool: Option<SqlitePool>,
        description: String,
        options: EmbeddedOptions,
    ) -> Result<Self, QueueError> {
        let wakers = Arc::new(Wakers::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let writer = Writer::new(pool, wakers.clone(), options.max_batch);
        let writer_task = tokio::spawn(writer.run(rx));
        let owner = Owner {
            instance: fresh_owner(),
            expiry_ms: i64::try_from(options.ephemeral_expiry.as_millis()).unwrap_or(i64::MAX),
        };
        let shared = Arc::new(Shared {
            writer: WriterHandle(tx),
            wakers,
            options,
            ephemeral: Ephemeral::new(owner),
        });
        let cancel = CancellationToken::new();
        let heartbeat = tokio::spawn(ephemeral::heartbeat(shared.clone(), cancel.child_token()));
        let bus = Self {
            inner: Arc::new(Inner {
                shared,
                writer_task: Mutex::new(Some(writer_task)),
                pumps: Mutex::new(vec![heartbeat]),
                cancel,
                closed: AtomicBool::new(false),
                own_pool,
                description,
            }),
        };
        if let Err(err) = ephemeral::purge(&bus.inner.shared.writer, owner, false).await {
            bus.close().await;
            return Err(err);
        }
        Ok(bus)
    }

    fn check_open(&self) -> Result<(), QueueError> {
        if self.inner.closed.load(Ordering::Acquire) {
            Err(QueueError::Closed)
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl Bus for EmbeddedBus {
    async fn publish(&self, message: OutgoingMessage) -> Result<(), QueueError> {
        self.publish_batch(vec![message]).await
    }

    async fn publish_batch(&self, messages: Vec<OutgoingMessage>) -> Result<(), QueueError> {
        self.check_open()?;
        if messages.is_empty() {
            return Ok(());
        }
        self.inner
            .shared
            .writer
            .call(|reply| Command::Publish { messages, reply })
            .await
    }

    async fn subscribe(&self, subscription: Subscription) -> Result<Deliveries, QueueError> {
        self.check_open()?;
        check_group(&subscription.group)?;
        let patterns = subscription
            .patterns
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect();
        let group = subscription.group.clone();
        let shared = &self.inner.shared;
        let group_id = if subscription.ephemeral {
            shared
                .ephemeral
                .join(&shared.writer, group, patterns)
                .await?
        } else {
            let owner = shared.ephemeral.owner;
            shared
                .writer
                .call(|reply| Command::Bind {
                    group,
                    patterns,
                    ephemeral: false,
                    owner,
                    reply,
                })
                .await?
        };
        let prefetch = usize::from(subscription.prefetch.max(1));
        let (tx, deliveries) = Deliveries::channel(prefetch);
        let pump = Pump {
            shared: self.inner.shared.clone(),
            group_id,
            owner: fresh_owner(),
            ephemeral: subscription.ephemeral,
            retry: Arc::new(subscription.retry),
            prefetch: Arc::new(Semaphore::new(prefetch)),
            tx,
            cancel: self.inner.cancel.child_token(),
        };
        let task = tokio::spawn(pump.run());
        let mut pumps = self.inner.pumps.lock().unwrap_or_else(|p| p.into_inner());
        pumps.retain(|pump| !pump.is_finished());
        pumps.push(task);
        Ok(deliveries)
    }

    async fn dead_letters(&self, group: &str, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        let group = group.to_owned();
        self.inner
            .shared
            .writer
            .call(|reply| Command::DeadLetters {
                group,
                limit,
                reply,
            })
            .await
    }

    fn describe(&self) -> String {
        self.inner.description.clone()
    }

    /// Stops the pumps (their leased messages are released, their ephemeral groups removed),
    /// commits every queued ack, stops the writer and closes the database if the bus opened it.
    async fn close(&self) {
        if self.inner.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        self.inner.cancel.cancel();
        let pumps: Vec<_> = self
            .inner
            .pumps
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
            .collect();
        for pump in pumps {
            let _ = pump.await;
        }
        let shared = &self.inner.shared;
        let instance = shared.ephemeral.owner.instance;
        if let Err(err) = shared
            .writer
            .call(|reply| Command::Forget { instance, reply })
            .await
        {
            tracing::debug!(error = %err, "embedded queue: removing this bus's heartbeat (it expires)");
        }
        let (reply, done) = oneshot::channel();
        if self
            .inner
            .shared
            .writer
            .0
            .send(Command::Shutdown { reply })
            .is_ok()
        {
            let _ = done.await;
        }
        let writer = self
            .inner
            .writer_task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(writer) = writer {
            let _ = writer.await;
        }
        if let Some(pool) = &self.inner.own_pool {
            pool.close().await;
        }
    }
}

/// Consumer group names are `[a-z0-9_.-]`, like RabbitMQ queue names we declare.
fn check_group(group: &str) -> Result<(), QueueError> {
    let valid = !group.is_empty()
        && group.len() <= 200
        && group.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        });
    if valid {
        Ok(())
    } else {
        Err(QueueError::InvalidGroup {
            group: group.to_owned(),
            reason: "1 to 200 characters of [a-z0-9_.-]".to_owned(),
        })
    }
}

/// A lease owner id for one subscriber: random (the 62 random low bits of a UUIDv7), so that
/// subscribers of several processes on one file never collide.
fn fresh_owner() -> i64 {
    let (_, low) = uuid::Uuid::now_v7().as_u64_pair();
    i64::from_ne_bytes(low.to_ne_bytes())
}
