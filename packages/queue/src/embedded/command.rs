//! What the embedded bus asks its writer (see `writer.rs`): one [`Command`] per change, answered
//! after the transaction that applied it committed, and the [`WriterHandle`] that sends them.

use tokio::sync::{mpsc, oneshot};

use super::ephemeral::Owner;
use super::sql::ClaimedRow;
use crate::{DeadLetter, OutgoingMessage, QueueError};

/// What settles one leased message.
pub(crate) enum Settle {
    Ack {
        id: i64,
        owner: i64,
    },
    Retry {
        id: i64,
        owner: i64,
        error: String,
        visible_at: i64,
    },
    Dead {
        id: i64,
        owner: i64,
        error: String,
    },
    Release {
        id: i64,
        owner: i64,
    },
    ReleaseOwner {
        owner: i64,
    },
}

pub(crate) struct Claimed {
    pub rows: Vec<ClaimedRow>,
    /// When the group's next message becomes visible, if none was left to claim now.
    pub next_visible_at: Option<i64>,
    /// The claim was for an ephemeral group that no longer belongs to this bus (purged as left
    /// by a dead process): the subscription must end.
    pub gone: bool,
}

pub(crate) type Reply<T> = oneshot::Sender<Result<T, QueueError>>;

pub(crate) enum Command {
    Publish {
        messages: Vec<OutgoingMessage>,
        reply: Reply<()>,
    },
    /// Declares a group (durable, or ephemeral to this bus, `owner`) and binds its patterns.
    Bind {
        group: String,
        patterns: Vec<String>,
        ephemeral: bool,
        /// This bus (an ephemeral group's owner; the expiry for purging dead owners' groups).
        owner: Owner,
        reply: Reply<i64>,
    },
    Claim {
        group_id: i64,
        owner: i64,
        limit: usize,
        lease_ms: i64,
        /// Set for an ephemeral group: the bus instance that must still own it.
        instance: Option<i64>,
        reply: Reply<Claimed>,
    },
    Settle {
        group_id: i64,
        settle: Settle,
        reply: Option<Reply<()>>,
    },
    DeadLetters {
        group: String,
        limit: usize,
        reply: Reply<Vec<DeadLetter>>,
    },
    /// Removes an ephemeral group of `instance` with its bindings and messages.
    DropGroup {
        group_id: i64,
        instance: i64,
        reply: Reply<()>,
    },
    /// Refreshes the bus's heartbeat (when `alive`) and purges the ephemeral groups of buses
    /// whose heartbeat expired; answers how many groups went.
    Heartbeat {
        owner: Owner,
        alive: bool,
        reply: Reply<u64>,
    },
    /// The bus closes: its heartbeat row and any ephemeral group it still owns go.
    Forget {
        instance: i64,
        reply: Reply<()>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
}

pub(crate) enum Outcome {
    Done,
    Group(i64),
    Claimed(Claimed),
    DeadLetters(Vec<DeadLetter>),
    Count(u64),
}

fn mismatch() -> QueueError {
    QueueError::Storage("internal: mismatched writer outcome".to_owned())
}

fn send<T>(reply: Reply<T>, result: Result<Outcome, QueueError>, pick: fn(Outcome) -> Option<T>) {
    let _ = reply.send(result.and_then(|o| pick(o).ok_or_else(mismatch)));
}

impl Command {
    pub fn answer(self, result: Result<Outcome, QueueError>) {
        match self {
            Command::Publish { reply, .. }
            | Command::DropGroup { reply, .. }
            | Command::Forget { reply, .. } => send(reply, result, |o| match o {
                Outcome::Done => Some(()),
                _ => None,
            }),
            Command::Bind { reply, .. } => send(reply, result, |o| match o {
                Outcome::Group(id) => Some(id),
                _ => None,
            }),
            Command::Claim { reply, .. } => send(reply, result, |o| match o {
                Outcome::Claimed(claimed) => Some(claimed),
                _ => None,
            }),
            Command::Heartbeat { reply, .. } => send(reply, result, |o| match o {
                Outcome::Count(count) => Some(count),
                _ => None,
            }),
            Command::Settle { reply, settle, .. } => match reply {
                Some(reply) => {
                    let _ = reply.send(result.map(|_| ()));
                }
                None => {
                    if let Err(err) = result {
                        // A lost ack only means a redelivery (at least once).
                        let what = match settle {
                            Settle::Ack { .. } => "ack",
                            Settle::Release { .. } | Settle::ReleaseOwner { .. } => "release",
                            Settle::Retry { .. } | Settle::Dead { .. } => "settle",
                        };
                        tracing::warn!(error = %err, what, "embedded queue: settling a delivery failed; it will be redelivered");
                    }
                }
            },
            Command::DeadLetters { reply, .. } => send(reply, result, |o| match o {
                Outcome::DeadLetters(letters) => Some(letters),
                _ => None,
            }),
            Command::Shutdown { reply } => {
                let _ = reply.send(());
            }
        }
    }
}

/// The sending side of the writer.
#[derive(Clone)]
pub(crate) struct WriterHandle(pub mpsc::UnboundedSender<Command>);

impl WriterHandle {
    pub async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, QueueError> {
        let (reply, answer) = oneshot::channel();
        self.0.send(make(reply)).map_err(|_| QueueError::Closed)?;
        answer.await.map_err(|_| QueueError::Closed)?
    }

    pub async fn claim(
        &self,
        group_id: i64,
        owner: i64,
        limit: usize,
        lease_ms: i64,
        instance: Option<i64>,
    ) -> Result<Claimed, QueueError> {
        self.call(|reply| Command::Claim {
            group_id,
            owner,
            limit,
            lease_ms,
            instance,
            reply,
        })
        .await
    }

    pub async fn settle(&self, group_id: i64, settle: Settle) -> Result<(), QueueError> {
        self.call(|reply| Command::Settle {
            group_id,
            settle,
            reply: Some(reply),
        })
        .await
    }

    /// Queues a settlement without waiting for its commit.
    pub fn settle_later(&self, group_id: i64, settle: Settle) -> Result<(), QueueError> {
        self.0
            .send(Command::Settle {
                group_id,
                settle,
                reply: None,
            })
            .map_err(|_| QueueError::Closed)
    }

    pub async fn release_owner(&self, group_id: i64, owner: i64) -> Result<(), QueueError> {
        self.settle(group_id, Settle::ReleaseOwner { owner }).await
    }
}
