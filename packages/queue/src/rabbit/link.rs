//! The one AMQP connection of a [`super::RabbitBus`] and its publishing channel, re-opened on demand
//! after the broker drops it (a restart, a network cut). Callers ask [`Link::live`] for the
//! current connection; whoever sees it broken reconnects it once for everybody.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lapin::options::{ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::RabbitConfig;
use crate::QueueError;

/// The longest pause between two reconnect attempts.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// The first pause after a failure.
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// A connected connection with its confirm-mode publishing channel.
#[derive(Clone)]
pub(crate) struct Live {
    pub connection: Arc<Connection>,
    pub publisher: Channel,
    pub generation: u64,
}

impl Live {
    fn healthy(&self) -> bool {
        self.connection.status().connected() && self.publisher.status().connected()
    }
}

pub(crate) struct Link {
    pub config: RabbitConfig,
    state: Mutex<Option<Live>>,
    generation: AtomicU64,
    pub cancel: CancellationToken,
}

impl Link {
    /// Connects once (so a wrong URL fails at start-up, not at the first publish).
    pub async fn connect(config: RabbitConfig) -> Result<Arc<Self>, QueueError> {
        let link = Arc::new(Self {
            config,
            state: Mutex::new(None),
            generation: AtomicU64::new(0),
            cancel: CancellationToken::new(),
        });
        link.live().await?;
        Ok(link)
    }

    /// How many times the connection was re-opened after the first one.
    pub fn reconnects(&self) -> u64 {
        self.generation.load(Ordering::Relaxed).saturating_sub(1)
    }

    /// The current connection, re-opened first if it is broken. One attempt, bounded by the call
    /// timeout; callers retry with back-off within their own deadline.
    pub async fn live(&self) -> Result<Live, QueueError> {
        if self.cancel.is_cancelled() {
            return Err(QueueError::Closed);
        }
        let mut state = self.state.lock().await;
        if let Some(live) = state.as_ref().filter(|live| live.healthy()) {
            return Ok(live.clone());
        }
        if let Some(old) = state.take() {
            tracing::warn!(bus = %self.config.describe(), "RabbitMQ connection lost; reconnecting");
            drop(old);
        }
        let live = self.open().await?;
        if live.generation > 1 {
            tracing::info!(bus = %self.config.describe(), generation = live.generation, "RabbitMQ reconnected");
        }
        *state = Some(live.clone());
        Ok(live)
    }

    /// Drops connection `generation` if it is still the current one (a caller saw it fail).
    pub async fn forget(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .as_ref()
            .is_some_and(|live| live.generation == generation)
        {
            state.take();
        }
    }

    /// Closes the connection for good; later calls return [`QueueError::Closed`].
    pub async fn close(&self) {
        self.cancel.cancel();
        let live = self.state.lock().await.take();
        if let Some(live) = live {
            let closing = live.connection.close(200, "bus closed".into());
            if let Err(err) = self.timed("connection.close", closing).await {
                tracing::debug!(%err, "closing the RabbitMQ connection");
            }
        }
    }

    /// Sleeps `delay` unless the bus closes first.
    pub async fn pause(&self, delay: Duration) -> Result<(), QueueError> {
        tokio::select! {
            () = self.cancel.cancelled() => Err(QueueError::Closed),
            () = tokio::time::sleep(delay) => Ok(()),
        }
    }

    /// Runs one broker call under the call timeout; a timeout or a lapin error is `Unavailable`.
    pub async fn timed<T>(
        &self,
        what: &str,
        call: impl Future<Output = lapin::Result<T>>,
    ) -> Result<T, QueueError> {
        match tokio::time::timeout(self.config.call_timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(QueueError::Unavailable(format!("RabbitMQ {what}: {err}"))),
            Err(_) => Err(QueueError::Unavailable(format!(
                "RabbitMQ {what}: no answer within {:?}",
                self.config.call_timeout
            ))),
        }
    }

    async fn open(&self) -> Result<Live, QueueError> {
        let properties = ConnectionProperties::default()
            .with_connection_name(self.config.connection_name.clone().into());
        let connection = self
            .timed("connect", Connection::connect(&self.config.url, properties))
            .await
            .map_err(|err| QueueError::Unavailable(mask_errors(&err.to_string(), &self.config)))?;
        let publisher = self
            .timed("channel.open", connection.create_channel())
            .await?;
        self.timed(
            "confirm.select",
            publisher.confirm_select(ConfirmSelectOptions::default()),
        )
        .await?;
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        let exchange = super::topology::short(&self.config.exchange)?;
        self.timed(
            "exchange.declare",
            publisher.exchange_declare(
                exchange,
                ExchangeKind::Topic,
                durable,
                FieldTable::default(),
            ),
        )
        .await?;
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        Ok(Live {
            connection: Arc::new(connection),
            publisher,
            generation,
        })
    }
}

/// lapin's connect errors may echo the URI; never let the password reach a log line.
fn mask_errors(message: &str, config: &RabbitConfig) -> String {
    match super::password(&config.url) {
        Some(password) if !password.is_empty() => message.replace(password, "***"),
        _ => message.to_owned(),
    }
}
