//! Cross-instance invalidation over Redis pub/sub. Every write or delete publishes an
//! [`Invalidation`] on the namespace's channel; every instance with a near-cache keeps one
//! subscription (its own connection) and evicts what the others invalidate.
//!
//! The subscription is supervised: connect, subscribe, then empty and trust the near-cache; read
//! messages and ping every second; when the connection ends or a ping fails, empty and bypass the
//! near-cache and reconnect with back-off (100 ms doubling to 2 s) — re-subscribing each time.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::near::Near;
use crate::flight::Flights;
use crate::metrics::Instruments;

const PING_EVERY: Duration = Duration::from_secs(1);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// One invalidation message (JSON on the channel).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Invalidation {
    /// The instance that published it (it has already applied it).
    pub from: Uuid,
    /// `key` or `prefix`.
    pub kind: Kind,
    /// The caller's key or prefix (without the `carpetti:<namespace>:` part).
    pub target: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Key,
    Prefix,
}

impl Invalidation {
    pub(crate) fn encode(from: Uuid, kind: Kind, target: &str) -> Vec<u8> {
        serde_json::to_vec(&Invalidation {
            from,
            kind,
            target: target.to_owned(),
        })
        .unwrap_or_default()
    }
}

/// What the subscription task works with.
pub(crate) struct Subscriber {
    pub client: redis::Client,
    pub channel: String,
    pub instance: Uuid,
    pub near: Arc<Near>,
    pub flights: Arc<Flights>,
    pub instruments: Arc<Instruments>,
    pub timeout: Duration,
}

impl Subscriber {
    /// Runs until the task is aborted (when the last handle of the cache is dropped).
    pub(crate) async fn run(self) {
        let mut backoff = BACKOFF_MIN;
        let mut warned = false;
        loop {
            match self.session().await {
                Ok(()) => {
                    backoff = BACKOFF_MIN;
                    warned = false;
                }
                Err(reason) => {
                    if !warned {
                        tracing::warn!(
                            channel = %self.channel,
                            %reason,
                            "cache invalidation subscription unavailable: near-cache bypassed, \
                             retrying"
                        );
                        warned = true;
                    }
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    /// One connection: subscribe, apply messages until the connection is lost.
    async fn session(&self) -> Result<(), String> {
        let pubsub = tokio::time::timeout(self.timeout, self.client.get_async_pubsub())
            .await
            .map_err(|_| "connect timed out".to_owned())?
            .map_err(|e| e.to_string())?;
        let (mut sink, mut stream) = pubsub.split();
        tokio::time::timeout(self.timeout, sink.subscribe(&self.channel))
            .await
            .map_err(|_| "subscribe timed out".to_owned())?
            .map_err(|e| e.to_string())?;
        self.near.resume();
        tracing::debug!(channel = %self.channel, "cache invalidation subscription live");
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let ended = loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => self.apply(message.get_payload_bytes()).await,
                    None => break "connection closed".to_owned(),
                },
                _ = ping.tick() => {
                    match tokio::time::timeout(self.timeout, sink.ping::<redis::Value>()).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => break format!("ping failed: {e}"),
                        Err(_) => break "ping timed out".to_owned(),
                    }
                }
            }
        };
        self.near.suspend();
        tracing::warn!(
            channel = %self.channel,
            reason = %ended,
            "cache invalidation subscription lost: near-cache emptied and bypassed until it is back"
        );
        Ok(())
    }

    async fn apply(&self, payload: &[u8]) {
        let message: Invalidation = match serde_json::from_slice(payload) {
            Ok(message) => message,
            Err(e) => {
                tracing::warn!(channel = %self.channel, error = %e, "unreadable invalidation ignored");
                return;
            }
        };
        if message.from == self.instance {
            return;
        }
        match message.kind {
            Kind::Key => {
                self.flights.invalidate(&message.target);
                self.near.invalidate(&message.target).await;
            }
            Kind::Prefix => {
                self.flights.invalidate_prefix(&message.target);
                if let Err(e) = self.near.invalidate_prefix(&message.target) {
                    tracing::warn!(error = %e, "near-cache prefix invalidation failed: emptied");
                    self.near.suspend();
                    self.near.resume();
                }
            }
        }
        self.instruments.invalidation(true);
    }
}
