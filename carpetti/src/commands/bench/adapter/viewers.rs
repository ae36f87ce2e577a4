//! The WebSocket load client: `viewers` sockets on the adapter's `/ws` (viewer `i` follows
//! channel `i % channels`), opened at most `CONNECTING` at a time, each with a 4 KiB read buffer.
//! Every viewer notes the arrival time of each cursor it receives, with the cursor's `observedAt`
//! and the step it shows; the figures are made of them afterwards (report.rs).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::worker::{business_key, step_of, wall_ms};

/// Sockets being opened at once.
const CONNECTING: usize = 256;
/// Attempts to open one socket.
const ATTEMPTS: u32 = 5;
/// What the step of a cursor that shows neither step (or several activities) is noted as.
pub const OTHER: u8 = u8::MAX;

/// One cursor as a viewer received it.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    pub channel: u32,
    /// The step the cursor shows ([`OTHER`] for anything else).
    pub step: u8,
    pub observed_at_ms: i64,
    pub arrival_ms: f64,
    /// The first cursor after subscribing: the channel's current state, not a change.
    pub first: bool,
}

/// Counts the viewers share (read live by the progress bars).
#[derive(Debug, Default)]
pub struct Counters {
    /// Sockets open and subscribed.
    pub connected: AtomicU64,
    /// Viewers that received their first cursor.
    pub ready: AtomicU64,
    /// Viewers that gave up opening their socket.
    pub failed: AtomicU64,
    /// Failed attempts to open a socket (retried).
    pub connect_errors: AtomicU64,
    pub cursors: AtomicU64,
    pub schemas: AtomicU64,
    /// `error` messages of the protocol.
    pub errors: AtomicU64,
    /// Sockets the adapter closed (or that broke) before the end.
    pub dropped: AtomicU64,
}

/// The running viewers.
pub struct Viewers {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<Vec<Arrival>>>,
    pub counters: Arc<Counters>,
    /// The last error opening a socket, if any.
    pub last_error: Arc<std::sync::Mutex<Option<String>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    activities: Vec<Activity>,
    observed_at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    activity_id: String,
}

impl Viewers {
    /// Starts `viewers` viewers on `ws_url` over `channels` channels.
    pub fn start(ws_url: &str, viewers: usize, channels: usize) -> Self {
        let (stop, stopped) = watch::channel(false);
        let counters = Arc::new(Counters::default());
        let last_error = Arc::new(std::sync::Mutex::new(None));
        let gate = Arc::new(Semaphore::new(CONNECTING));
        let handles = (0..viewers)
            .map(|i| {
                let channel = i % channels.max(1);
                let viewer = Viewer {
                    url: ws_url.to_owned(),
                    channel,
                    counters: counters.clone(),
                    last_error: last_error.clone(),
                };
                tokio::spawn(viewer.run(gate.clone(), stopped.clone()))
            })
            .collect();
        Self {
            stop,
            handles,
            counters,
            last_error,
        }
    }

    /// Closes every socket and returns every viewer's arrivals.
    pub async fn close(self) -> Vec<Arrival> {
        let _ = self.stop.send(true);
        let mut all = Vec::new();
        for handle in self.handles {
            if let Ok(arrivals) = handle.await {
                all.extend(arrivals);
            }
        }
        all
    }
}

struct Viewer {
    url: String,
    channel: usize,
    counters: Arc<Counters>,
    last_error: Arc<std::sync::Mutex<Option<String>>>,
}

impl Viewer {
    async fn run(self, gate: Arc<Semaphore>, mut stopped: watch::Receiver<bool>) -> Vec<Arrival> {
        let mut arrivals = Vec::new();
        let Some(mut socket) = self.open(&gate).await else {
            self.counters.failed.fetch_add(1, Ordering::Relaxed);
            return arrivals;
        };
        let channel = u32::try_from(self.channel).unwrap_or(u32::MAX);
        let mut first = true;
        loop {
            let message = tokio::select! {
                _ = stopped.changed() => break,
                message = socket.next() => message,
            };
            let arrival_ms = wall_ms();
            let text = match message {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_)) | Err(_)) | None => {
                    if !*stopped.borrow() {
                        self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                    return arrivals;
                }
                // Pings are answered by tungstenite on the next read.
                Some(Ok(_)) => continue,
            };
            let Ok(parsed) = serde_json::from_str::<ServerMessage>(text.as_str()) else {
                self.counters.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            match parsed.kind.as_str() {
                "cursor" => {
                    self.counters.cursors.fetch_add(1, Ordering::Relaxed);
                    if first {
                        self.counters.ready.fetch_add(1, Ordering::Relaxed);
                    }
                    let step = match parsed.activities.as_slice() {
                        [one] => step_of(&one.activity_id).unwrap_or(OTHER),
                        _ => OTHER,
                    };
                    arrivals.push(Arrival {
                        channel,
                        step,
                        observed_at_ms: parsed.observed_at.unwrap_or(0),
                        arrival_ms,
                        first,
                    });
                    first = false;
                }
                "schema" => {
                    self.counters.schemas.fetch_add(1, Ordering::Relaxed);
                }
                "error" => {
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), socket.close(None)).await;
        arrivals
    }

    /// Opens the socket (a few attempts), reads `hello`, subscribes.
    async fn open(
        &self,
        gate: &Semaphore,
    ) -> Option<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    > {
        let _permit = gate.acquire().await.ok()?;
        let subscribe = serde_json::json!({
            "type": "subscribe",
            "businessKey": business_key(self.channel),
        })
        .to_string();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
            let config = WebSocketConfig::default().read_buffer_size(4096);
            let opened = tokio::time::timeout(
                Duration::from_secs(10),
                tokio_tungstenite::connect_async_with_config(self.url.as_str(), Some(config), true),
            )
            .await;
            let mut socket = match opened {
                Ok(Ok((socket, _))) => socket,
                Ok(Err(e)) => {
                    self.note_error(e.to_string());
                    continue;
                }
                Err(_) => {
                    self.note_error("opening the socket took over 10 s".to_owned());
                    continue;
                }
            };
            // `hello` first, then the subscription.
            let hello = tokio::time::timeout(Duration::from_secs(10), socket.next()).await;
            if !matches!(hello, Ok(Some(Ok(Message::Text(_))))) {
                self.note_error("no hello".to_owned());
                continue;
            }
            if let Err(e) = socket.send(Message::text(subscribe.clone())).await {
                self.note_error(e.to_string());
                continue;
            }
            self.counters.connected.fetch_add(1, Ordering::Relaxed);
            return Some(socket);
        }
        None
    }

    fn note_error(&self, error: String) {
        self.counters.connect_errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(error);
        }
    }
}
