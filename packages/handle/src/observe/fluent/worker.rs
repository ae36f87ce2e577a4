//! The background sender: takes encoded entries off the bounded channel, batches whatever is
//! waiting into one Forward message, writes it (waiting for the ack when asked), reconnects with
//! exponential back-off when the receiver is down, and flushes what is left on shutdown.
//!
//! It runs on its own thread with a one-thread runtime, so a busy or stopping service runtime
//! neither delays it nor stops it from flushing. A batch that was not acknowledged is sent
//! again after reconnecting (same chunk id): delivery is at least once while acks are on.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, timeout};
use tokio_util::sync::CancellationToken;

use super::protocol::{decode_ack, encode_forward};
use super::{FluentOptions, Stats};
use crate::observe::metrics::names;

/// The first back-off after a failure; doubled up to `max_backoff`.
const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// Longest ack answer accepted.
const MAX_ACK_LEN: usize = 4096;

/// Why one delivery failed.
#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("resolving {0}: no address")]
    NoAddress(String),
    #[error("timed out {0}")]
    Timeout(&'static str),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("encoding: {0}")]
    Encode(#[from] super::protocol::EncodeError),
    #[error("bad ack: {0}")]
    BadAck(String),
}

pub(super) struct Worker {
    pub(super) options: FluentOptions,
    pub(super) rx: mpsc::Receiver<Vec<u8>>,
    pub(super) stop: CancellationToken,
    pub(super) stats: Arc<Stats>,
}

/// One batch: its entries and the chunk id it is (re)sent with.
struct Batch {
    entries: Vec<Vec<u8>>,
    chunk: String,
}

impl Worker {
    pub(super) async fn run(mut self) {
        let mut conn: Option<TcpStream> = None;
        let mut backoff = INITIAL_BACKOFF;
        let mut batch: Option<Batch> = None;
        loop {
            let current = match batch.take() {
                Some(b) => b,
                None => {
                    let first = tokio::select! {
                        biased;
                        () = self.stop.cancelled() => break,
                        entry = self.rx.recv() => match entry {
                            Some(entry) => entry,
                            None => break,
                        },
                    };
                    self.fill(vec![first])
                }
            };
            match self.deliver(&mut conn, &current).await {
                Ok(()) => {
                    self.delivered(&current, &mut backoff);
                }
                Err(error) => {
                    conn = None;
                    self.failed(&error);
                    batch = Some(current);
                    tokio::select! {
                        () = sleep(backoff) => {}
                        () = self.stop.cancelled() => break,
                    }
                    backoff = (backoff * 2).min(self.options.max_backoff);
                }
            }
        }
        self.flush(conn, batch).await;
    }

    /// Adds whatever else is waiting (without waiting) up to the batch size.
    fn fill(&mut self, mut entries: Vec<Vec<u8>>) -> Batch {
        while entries.len() < self.options.max_batch {
            match self.rx.try_recv() {
                Ok(entry) => entries.push(entry),
                Err(_) => break,
            }
        }
        Batch {
            entries,
            chunk: uuid::Uuid::now_v7().simple().to_string(),
        }
    }

    fn delivered(&self, batch: &Batch, backoff: &mut Duration) {
        let n = batch.entries.len() as u64;
        self.stats.sent.fetch_add(n, Ordering::Relaxed);
        metrics::counter!(names::LOG_FLUENT_SENT_TOTAL).increment(n);
        *backoff = INITIAL_BACKOFF;
        if !self.stats.connected.swap(true, Ordering::Relaxed) {
            tracing::info!(address = %self.options.address, "fluent forward output connected");
        }
    }

    fn failed(&self, error: &SendError) {
        self.stats.failures.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(names::LOG_FLUENT_FAILURES_TOTAL).increment(1);
        // Logged on the change only: the retries of one outage stay quiet.
        if self.stats.connected.swap(false, Ordering::Relaxed)
            || self.stats.failures.load(Ordering::Relaxed) == 1
        {
            tracing::warn!(
                address = %self.options.address,
                %error,
                "fluent forward output cannot deliver; buffering and retrying with back-off"
            );
        }
    }

    /// Shutdown: sends the current batch and everything still queued, until the flush timeout;
    /// what cannot be sent by then is counted as dropped.
    async fn flush(mut self, mut conn: Option<TcpStream>, batch: Option<Batch>) {
        self.rx.close();
        let deadline = Instant::now() + self.options.flush_timeout;
        let mut current = batch;
        let mut backoff = INITIAL_BACKOFF;
        loop {
            let b = match current.take() {
                Some(b) => b,
                None => match self.rx.try_recv() {
                    Ok(first) => self.fill(vec![first]),
                    Err(_) => return,
                },
            };
            let attempt = tokio::time::timeout_at(deadline, self.deliver(&mut conn, &b)).await;
            match attempt {
                Ok(Ok(())) => self.delivered(&b, &mut backoff),
                Ok(Err(error)) if Instant::now() + backoff < deadline => {
                    conn = None;
                    self.failed(&error);
                    current = Some(b);
                    sleep(backoff).await;
                    backoff = (backoff * 2).min(self.options.max_backoff);
                }
                _ => {
                    let mut lost = b.entries.len() as u64;
                    while self.rx.try_recv().is_ok() {
                        lost += 1;
                    }
                    self.stats.dropped.fetch_add(lost, Ordering::Relaxed);
                    metrics::counter!(names::LOG_FLUENT_DROPPED_TOTAL).increment(lost);
                    return;
                }
            }
        }
    }

    async fn deliver(&self, conn: &mut Option<TcpStream>, batch: &Batch) -> Result<(), SendError> {
        let o = &self.options;
        let chunk = o.require_ack.then_some(batch.chunk.as_str());
        let message = encode_forward(&o.tag, &batch.entries, chunk)?;
        if conn.as_ref().is_some_and(peer_closed) {
            *conn = None;
        }
        let stream = match conn {
            Some(stream) => stream,
            None => conn.insert(self.connect().await?),
        };
        timeout(o.write_timeout, stream.write_all(&message))
            .await
            .map_err(|_| SendError::Timeout("writing"))??;
        if let Some(chunk) = chunk {
            timeout(o.write_timeout, read_ack(stream, chunk))
                .await
                .map_err(|_| SendError::Timeout("waiting for the ack"))??;
        }
        Ok(())
    }

    async fn connect(&self) -> Result<TcpStream, SendError> {
        let address = &self.options.address;
        let connect = async {
            let mut last = SendError::NoAddress(address.clone());
            for candidate in tokio::net::lookup_host(address.as_str()).await? {
                match TcpStream::connect(candidate).await {
                    Ok(stream) => return Ok(stream),
                    Err(error) => last = error.into(),
                }
            }
            Err(last)
        };
        let stream = timeout(self.options.connect_timeout, connect)
            .await
            .map_err(|_| SendError::Timeout("connecting"))??;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

/// A connection whose peer already closed it (EOF waiting to be read): writing to it would
/// seem to succeed and lose the batch.
fn peer_closed(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    matches!(stream.try_read(&mut probe), Ok(0))
}

async fn read_ack(stream: &mut TcpStream, chunk: &str) -> Result<(), SendError> {
    let mut buf = Vec::with_capacity(64);
    loop {
        let mut piece = [0u8; 256];
        let n = stream.read(&mut piece).await?;
        if n == 0 {
            return Err(SendError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        buf.extend_from_slice(&piece[..n]);
        match decode_ack(&buf) {
            Ok(Some(ack)) if ack.ack == chunk => return Ok(()),
            Ok(Some(ack)) => return Err(SendError::BadAck(format!("for chunk {}", ack.ack))),
            Ok(None) if buf.len() <= MAX_ACK_LEN => continue,
            Ok(None) => return Err(SendError::BadAck("too long".to_owned())),
            Err(error) => return Err(SendError::BadAck(error.to_string())),
        }
    }
}
