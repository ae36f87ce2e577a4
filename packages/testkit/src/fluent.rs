//! A loopback Fluent `forward` receiver: decodes the Forward protocol v1 (Message, Forward and
//! PackedForward modes; time as EventTime ext type 0 or integer seconds), answers `{"ack":
//! chunk}` when a message's option carries `chunk`, and collects every event for assertions.
//! It can be stopped (listener and every connection closed) and restarted on the same port, to
//! test a sender against a receiver that goes away and comes back.

use std::io::{Cursor, ErrorKind};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rmpv::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// How an event's time was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FluentTime {
    /// EventTime (msgpack ext type 0): seconds and nanoseconds.
    EventTime {
        /// Seconds since the Unix epoch.
        seconds: u32,
        /// Nanoseconds within the second.
        nanos: u32,
    },
    /// A plain integer of seconds since the Unix epoch.
    Seconds(u64),
}

impl FluentTime {
    /// Whole seconds since the Unix epoch.
    pub fn seconds(self) -> u64 {
        match self {
            FluentTime::EventTime { seconds, .. } => u64::from(seconds),
            FluentTime::Seconds(seconds) => seconds,
        }
    }
}

/// The carrier mode an event arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FluentMode {
    /// `[tag, time, record, option?]`
    Message,
    /// `[tag, [[time, record], …], option?]`
    Forward,
    /// `[tag, bin/str of concatenated entries, option?]`
    PackedForward,
}

/// One event received.
#[derive(Debug, Clone, PartialEq)]
pub struct FluentEvent {
    /// The message's tag.
    pub tag: String,
    /// The event's time.
    pub time: FluentTime,
    /// The record, as JSON (binary and ext values become arrays of bytes / null).
    pub record: serde_json::Value,
    /// The mode of the message that carried it.
    pub mode: FluentMode,
}

#[derive(Default)]
struct Shared {
    events: Mutex<Vec<FluentEvent>>,
    errors: Mutex<Vec<String>>,
    acks: AtomicUsize,
    connections: AtomicUsize,
    changed: Notify,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The receiver; stopped when dropped.
pub struct FluentReceiver {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl FluentReceiver {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start() -> Result<FluentReceiver> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the loopback fluent receiver")?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let task = Some(tokio::spawn(accept(listener, shared.clone())));
        Ok(FluentReceiver {
            address,
            shared,
            task,
        })
    }

    /// The `host:port` to send to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops listening and closes every open connection (as a receiver that went down).
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // Cancelled: the listener and the connections' JoinSet are dropped by now.
            let _ = task.await;
        }
    }

    /// Listens again on the same port after [`stop`](Self::stop); events so far are kept.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop().await;
        let listener = TcpListener::bind(self.address)
            .await
            .with_context(|| format!("re-binding the fluent receiver on {}", self.address))?;
        self.task = Some(tokio::spawn(accept(listener, self.shared.clone())));
        Ok(())
    }

    /// Every event received so far, in arrival order.
    pub fn events(&self) -> Vec<FluentEvent> {
        lock(&self.shared.events).clone()
    }

    /// Waits until `done` holds for the events received, or fails after `timeout`.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&[FluentEvent]) -> bool,
    ) -> Result<Vec<FluentEvent>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.changed.notified();
            {
                let events = lock(&self.shared.events);
                if done(&events) {
                    return Ok(events.clone());
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let events = self.events();
                bail!(
                    "fluent receiver: condition not met within {timeout:?}; {} events received, \
                     errors: {:?}",
                    events.len(),
                    self.errors()
                );
            }
        }
    }

    /// Acks sent (one per message carrying a `chunk` option).
    pub fn acks_sent(&self) -> usize {
        self.shared.acks.load(Ordering::Relaxed)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Protocol violations seen (each closed its connection).
    pub fn errors(&self) -> Vec<String> {
        lock(&self.shared.errors).clone()
    }
}

impl Drop for FluentReceiver {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    // Dropping this task (stop) drops the set, which aborts every connection.
    let mut connections = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        shared.connections.fetch_add(1, Ordering::Relaxed);
        let shared = shared.clone();
        connections.spawn(async move {
            if let Err(error) = serve(stream, &shared).await {
                lock(&shared.errors).push(format!("{error:#}"));
                shared.changed.notify_waiters();
            }
        });
        while connections.try_join_next().is_some() {}
    }
}

async fn serve(mut stream: TcpStream, shared: &Shared) -> Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    let mut piece = vec![0u8; 64 * 1024];
    loop {
        // Decode every complete value in the buffer, keep the incomplete tail.
        loop {
            let mut cursor = Cursor::new(&buf[..]);
            match rmpv::decode::read_value(&mut cursor) {
                Ok(value) => {
                    let used = usize::try_from(cursor.position())?;
                    buf.drain(..used);
                    if let Some(chunk) = handle_message(value, shared)? {
                        let ack = Value::Map(vec![(Value::from("ack"), Value::from(chunk))]);
                        let mut bytes = Vec::new();
                        rmpv::encode::write_value(&mut bytes, &ack)?;
                        // Counted first: the sender may act on the ack before this task resumes.
                        shared.acks.fetch_add(1, Ordering::Relaxed);
                        stream.write_all(&bytes).await?;
                    }
                }
                Err(
                    rmpv::decode::Error::InvalidMarkerRead(e)
                    | rmpv::decode::Error::InvalidDataRead(e),
                ) if e.kind() == ErrorKind::UnexpectedEof => break,
                Err(error) => bail!("undecodable msgpack: {error}"),
            }
        }
        let n = stream.read(&mut piece).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&piece[..n]);
    }
}

/// Records the events of one message; returns the chunk id to acknowledge, if asked.
fn handle_message(value: Value, shared: &Shared) -> Result<Option<String>> {
    let items = match value {
        // A heartbeat.
        Value::Nil => return Ok(None),
        Value::Array(items) => items,
        other => bail!("a message must be an array, got {other}"),
    };
    let mut items = items.into_iter();
    let tag = match items.next() {
        Some(Value::String(tag)) => tag.into_str().context("tag is not UTF-8")?,
        other => bail!("the tag must be a string, got {other:?}"),
    };
    let second = items.next().context("message without entries")?;
    let mut events = Vec::new();
    let option = match second {
        Value::Array(entries) => {
            for entry in entries {
                events.push(entry_event(&tag, entry, FluentMode::Forward)?);
            }
            items.next()
        }
        Value::Binary(_) | Value::String(_) => {
            let bytes = match &second {
                Value::Binary(b) => b.as_slice(),
                Value::String(s) => s.as_bytes(),
                _ => &[],
            };
            let option = items.next();
            if compressed(option.as_ref()) {
                bail!("CompressedPackedForward is not supported by this receiver");
            }
            let mut cursor = Cursor::new(bytes);
            while usize::try_from(cursor.position())? < bytes.len() {
                let entry = rmpv::decode::read_value(&mut cursor)
                    .context("PackedForward entries do not decode")?;
                events.push(entry_event(&tag, entry, FluentMode::PackedForward)?);
            }
            option
        }
        time => {
            let record = items.next().context("Message mode without a record")?;
            let entry = Value::Array(vec![time, record]);
            events.push(entry_event(&tag, entry, FluentMode::Message)?);
            items.next()
        }
    };
    let chunk = option.as_ref().and_then(|o| option_str(o, "chunk"));
    if let Some(size) = option.as_ref().and_then(|o| option_u64(o, "size"))
        && size != events.len() as u64
    {
        bail!("option size {size} but {} entries", events.len());
    }
    lock(&shared.events).extend(events);
    shared.changed.notify_waiters();
    Ok(chunk)
}

fn entry_event(tag: &str, entry: Value, mode: FluentMode) -> Result<FluentEvent> {
    let Value::Array(pair) = entry else {
        bail!("an entry must be [time, record]");
    };
    let mut pair = pair.into_iter();
    let (Some(time), Some(record), None) = (pair.next(), pair.next(), pair.next()) else {
        bail!("an entry must have exactly two elements");
    };
    Ok(FluentEvent {
        tag: tag.to_owned(),
        time: parse_time(time)?,
        record: to_json(record),
        mode,
    })
}

fn parse_time(value: Value) -> Result<FluentTime> {
    match value {
        Value::Ext(0, bytes) if bytes.len() == 8 => Ok(FluentTime::EventTime {
            seconds: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            nanos: u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
        }),
        Value::Integer(i) => Ok(FluentTime::Seconds(
            i.as_u64().context("negative event time")?,
        )),
        other => bail!("time must be EventTime (ext 0, 8 bytes) or an integer, got {other}"),
    }
}

fn map_get<'a>(option: &'a Value, key: &str) -> Option<&'a Value> {
    option
        .as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

fn option_str(option: &Value, key: &str) -> Option<String> {
    map_get(option, key)?.as_str().map(str::to_owned)
}

fn option_u64(option: &Value, key: &str) -> Option<u64> {
    map_get(option, key)?.as_u64()
}

fn compressed(option: Option<&Value>) -> bool {
    option.and_then(|o| option_str(o, "compressed")).is_some()
}

fn to_json(value: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Nil | Value::Ext(..) => J::Null,
        Value::Boolean(b) => J::Bool(b),
        Value::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(v), _) => J::from(v),
            (None, Some(v)) => J::from(v),
            _ => J::Null,
        },
        Value::F32(f) => J::from(f64::from(f)),
        Value::F64(f) => J::from(f),
        Value::String(s) => J::String(s.into_str().unwrap_or_default()),
        Value::Binary(b) => J::from(b),
        Value::Array(items) => J::Array(items.into_iter().map(to_json).collect()),
        Value::Map(pairs) => J::Object(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.as_str().map_or_else(|| k.to_string(), str::to_owned),
                        to_json(v),
                    )
                })
                .collect(),
        ),
    }
}
