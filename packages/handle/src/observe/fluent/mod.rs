//! The optional Fluent Forward output of the logs: every log event also goes, msgpack-encoded,
//! to a Fluentd / Fluent Bit `forward` input over TCP.
//!
//! Logging never waits for it: events go into a bounded buffer ([`FluentOptions::buffer`]); a
//! background thread batches them into Forward-mode messages, waits for the receiver's ack
//! (`chunk` option) unless turned off, and reconnects with exponential back-off while the
//! receiver is down. When the buffer is full, new events are dropped and counted
//! ([`FluentStats::dropped`], metric `carpetti_log_fluent_dropped_total`) rather than blocking
//! the service. [`FluentHandle::shutdown`] flushes what is buffered, bounded by the flush timeout.

pub mod protocol;
mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ObserveError;
use super::metrics::names;

/// Where and how the Fluent output sends.
#[derive(Debug, Clone)]
pub struct FluentOptions {
    /// The receiver, `host:port` (config `log.fluent_address`), resolved at each connect.
    pub address: String,
    /// The tag of every event (config `log.fluent_tag`, default `carpetti`).
    pub tag: String,
    /// How many events may wait for the sender before new ones are dropped (default 8192).
    pub buffer: usize,
    /// Most events in one Forward message (default 512).
    pub max_batch: usize,
    /// Ask for an ack of every message (`chunk` option) and resend unacknowledged ones after
    /// reconnecting (default true). Without acks a message written just as the receiver dies
    /// can be lost.
    pub require_ack: bool,
    /// Send times as EventTime (nanoseconds, default true) or as integer seconds (for very old
    /// receivers).
    pub event_time: bool,
    /// Limit on resolving and connecting (default 3 s).
    pub connect_timeout: Duration,
    /// Limit on writing one message, and again on waiting for its ack (default 5 s).
    pub write_timeout: Duration,
    /// Longest pause between reconnection attempts (default 10 s; starts at 100 ms, doubles).
    pub max_backoff: Duration,
    /// How long shutdown may take to send what is buffered (default 5 s).
    pub flush_timeout: Duration,
}

impl FluentOptions {
    /// Defaults for sending to `address` with `tag`.
    pub fn new(address: impl Into<String>, tag: impl Into<String>) -> FluentOptions {
        FluentOptions {
            address: address.into(),
            tag: tag.into(),
            buffer: 8192,
            max_batch: 512,
            require_ack: true,
            event_time: true,
            connect_timeout: Duration::from_secs(3),
            write_timeout: Duration::from_secs(5),
            max_backoff: Duration::from_secs(10),
            flush_timeout: Duration::from_secs(5),
        }
    }

    fn validate(&self) -> Result<(), ObserveError> {
        let bad = |reason: &str| {
            Err(ObserveError::FluentOptions(format!(
                "{reason} (address `{}`)",
                self.address
            )))
        };
        match self.address.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {}
            _ => return bad("the address must be host:port, e.g. 127.0.0.1:24224"),
        }
        if self.tag.is_empty() {
            return bad("the tag must not be empty");
        }
        if self.buffer == 0 || self.max_batch == 0 {
            return bad("the buffer and the batch size must be at least 1");
        }
        Ok(())
    }
}

/// Counters of the Fluent output.
#[derive(Debug, Default)]
struct Stats {
    sent: AtomicU64,
    dropped: AtomicU64,
    failures: AtomicU64,
    connected: AtomicBool,
}

/// A snapshot of the Fluent output's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FluentStats {
    /// Events delivered (acknowledged, or written when acks are off).
    pub sent: u64,
    /// Events dropped: the buffer was full, or shutdown could not deliver them in time.
    pub dropped: u64,
    /// Failed deliveries (connect, write or ack), each followed by a retry.
    pub failures: u64,
    /// Events waiting in the buffer.
    pub queued: u64,
    /// Whether the last delivery succeeded.
    pub connected: bool,
}

/// The logging side of the output: encodes an event and hands it over without waiting.
#[derive(Debug, Clone)]
pub(crate) struct FluentSender {
    tx: mpsc::Sender<Vec<u8>>,
    event_time: bool,
    stats: Arc<Stats>,
}

impl FluentSender {
    pub(crate) fn send<R: Serialize + ?Sized>(&self, time: SystemTime, record: &R) {
        let Ok(entry) = protocol::encode_entry(time, record, self.event_time) else {
            // A record of strings, numbers and booleans always encodes; count it if not.
            self.drop_one();
            return;
        };
        if self.tx.try_send(entry).is_err() {
            self.drop_one();
        }
    }

    fn drop_one(&self) {
        self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(names::LOG_FLUENT_DROPPED_TOTAL).increment(1);
    }
}

/// Controls a running Fluent output: its counters, and [`shutdown`](Self::shutdown).
#[derive(Debug)]
pub struct FluentHandle {
    stats: Arc<Stats>,
    tx: mpsc::WeakSender<Vec<u8>>,
    capacity: usize,
    stop: CancellationToken,
    done: Option<std::sync::mpsc::Receiver<()>>,
    flush_timeout: Duration,
}

impl FluentHandle {
    /// The counters now.
    pub fn stats(&self) -> FluentStats {
        let queued = self
            .tx
            .upgrade()
            .map_or(0, |tx| self.capacity.saturating_sub(tx.capacity()));
        FluentStats {
            sent: self.stats.sent.load(Ordering::Relaxed),
            dropped: self.stats.dropped.load(Ordering::Relaxed),
            failures: self.stats.failures.load(Ordering::Relaxed),
            queued: queued as u64,
            connected: self.stats.connected.load(Ordering::Relaxed),
        }
    }

    /// Stops the output after sending what is buffered (bounded by the flush timeout); later
    /// events are dropped. Blocks the calling thread for at most the flush timeout plus a
    /// second. Also done on drop.
    pub fn shutdown(&mut self) {
        self.stop.cancel();
        if let Some(done) = self.done.take() {
            // Err: the worker ended (sender dropped) or overran its own deadline; either way done.
            let _ = done.recv_timeout(self.flush_timeout + Duration::from_secs(1));
        }
    }
}

impl Drop for FluentHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts the output's thread; returns the sender for the logging layer and the handle.
pub(crate) fn start(options: FluentOptions) -> Result<(FluentSender, FluentHandle), ObserveError> {
    options.validate()?;
    let (tx, rx) = mpsc::channel(options.buffer);
    let stats = Arc::new(Stats::default());
    let stop = CancellationToken::new();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ObserveError::FluentThread)?;
    let handle = FluentHandle {
        stats: stats.clone(),
        tx: tx.downgrade(),
        capacity: options.buffer,
        stop: stop.clone(),
        done: Some(done_rx),
        flush_timeout: options.flush_timeout,
    };
    let sender = FluentSender {
        tx,
        event_time: options.event_time,
        stats: stats.clone(),
    };
    let worker = worker::Worker {
        options,
        rx,
        stop,
        stats,
    };
    std::thread::Builder::new()
        .name("carpetti-fluent".to_owned())
        .spawn(move || {
            runtime.block_on(worker.run());
            let _ = done_tx.send(());
        })
        .map_err(ObserveError::FluentThread)?;
    Ok((sender, handle))
}
