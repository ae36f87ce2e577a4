//! One WebSocket connection (seed diagram 4, the client object): `hello`, then per subscribed
//! business key the channel's schema once (again after a definition change) and every cursor
//! change. Sends are bounded in time; a client that is silent for two ping intervals is dropped;
//! a slow client reads only the latest state of each channel (the `watch`) and never queues.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt as _, StreamExt as _};
use tokio::time::{MissedTickBehavior, interval_at, timeout};
use tokio_stream::StreamMap;
use tokio_stream::wrappers::WatchStream;
use tokio_util::sync::CancellationToken;

use crate::channel::{Channels, Subscription, View};
use crate::key::BusinessKey;
use crate::metrics as m;
use crate::protocol::{
    ClientMessage, ErrorCode, Frame, PROTOCOL_VERSION, ServerMessage, parse_client,
};

/// Per-connection limits.
#[derive(Debug, Clone)]
pub struct SocketSettings {
    /// How often the server pings; a client silent for two intervals is dropped.
    pub ping_every: Duration,
    /// The longest one send may take before the client counts as dead.
    pub send_timeout: Duration,
    /// Channels one socket may follow at once.
    pub max_subscriptions: usize,
}

impl Default for SocketSettings {
    fn default() -> Self {
        Self {
            ping_every: Duration::from_secs(25),
            send_timeout: Duration::from_secs(10),
            max_subscriptions: 64,
        }
    }
}

/// What this socket has sent of one channel.
struct Followed {
    _subscription: Subscription,
    definition_id: Option<Arc<str>>,
    seq: u64,
}

/// Why the connection ends.
enum Closed {
    Peer,
    Dropped(&'static str),
    Shutdown,
}

struct Connection {
    socket: futures::stream::SplitSink<WebSocket, Message>,
    settings: Arc<SocketSettings>,
}

impl Connection {
    async fn send(&mut self, message: Message) -> Result<(), Closed> {
        match timeout(self.settings.send_timeout, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Closed::Dropped("send_error")),
            Err(_) => Err(Closed::Dropped("send_timeout")),
        }
    }

    async fn frame(
        &mut self,
        kind: &'static str,
        frame: Frame,
        observed: Option<Instant>,
    ) -> Result<(), Closed> {
        self.send(Message::Text(frame)).await?;
        m::pushed(kind, observed.map(|at| at.elapsed()));
        Ok(())
    }
}

/// Serves one upgraded socket until the peer leaves, it is dropped, or shutdown.
pub(crate) async fn serve(
    socket: WebSocket,
    channels: Arc<Channels>,
    settings: Arc<SocketSettings>,
    shutdown: CancellationToken,
) {
    let (sink, mut incoming) = socket.split();
    let mut connection = Connection {
        socket: sink,
        settings: settings.clone(),
    };
    let mut followed: HashMap<BusinessKey, Followed> = HashMap::new();
    let mut views: StreamMap<BusinessKey, WatchStream<View>> = StreamMap::new();
    // Stagger the pings of many sockets.
    let first_ping = settings.ping_every.mul_f64(0.5 + fastrand::f64() * 0.5);
    let mut ping = interval_at((Instant::now() + first_ping).into(), settings.ping_every);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut heard = Instant::now();

    let hello = ServerMessage::Hello {
        protocol: PROTOCOL_VERSION,
        server: concat!("carpetti-process-adapter/", env!("CARGO_PKG_VERSION")),
        ping_secs: settings.ping_every.as_secs(),
    }
    .frame();
    let mut closed = connection.frame("hello", hello, None).await.err();
    while closed.is_none() {
        let step = tokio::select! {
            message = incoming.next() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => Err(Closed::Peer),
                Some(Ok(message)) => {
                    heard = Instant::now();
                    on_message(&mut connection, &channels, &mut followed, &mut views, message).await
                }
            },
            Some((key, view)) = views.next() => deliver(&mut connection, &mut followed, &key, view).await,
            _ = ping.tick() => {
                if heard.elapsed() > settings.ping_every * 2 {
                    Err(Closed::Dropped("silent"))
                } else {
                    connection.send(Message::Ping(Default::default())).await
                }
            }
            () = shutdown.cancelled() => Err(Closed::Shutdown),
        };
        closed = step.err();
    }
    match closed {
        Some(Closed::Dropped(reason)) => m::dropped(reason),
        Some(Closed::Shutdown) => {
            let _ = timeout(
                Duration::from_secs(1),
                connection.socket.send(Message::Close(None)),
            )
            .await;
        }
        _ => {}
    }
}

async fn on_message(
    connection: &mut Connection,
    channels: &Arc<Channels>,
    followed: &mut HashMap<BusinessKey, Followed>,
    views: &mut StreamMap<BusinessKey, WatchStream<View>>,
    message: Message,
) -> Result<(), Closed> {
    let text = match message {
        Message::Text(text) => text,
        Message::Binary(_) => {
            return refuse(
                connection,
                None,
                ErrorCode::BadRequest,
                "binary frames are not part of the protocol",
            )
            .await;
        }
        _ => return Ok(()),
    };
    let request = match parse_client(text.as_str()) {
        Ok(request) => request,
        Err(reason) => return refuse(connection, None, ErrorCode::BadRequest, &reason).await,
    };
    match request {
        ClientMessage::Subscribe { business_key } => {
            let key = match BusinessKey::parse(&business_key) {
                Ok(key) => key,
                Err(e) => {
                    return refuse(
                        connection,
                        Some(&business_key),
                        ErrorCode::BadRequest,
                        &e.to_string(),
                    )
                    .await;
                }
            };
            if let Some(existing) = followed.get_mut(&key) {
                // Subscribing again re-sends the schema and the cursor.
                existing.definition_id = None;
                existing.seq = 0;
                let subscription_view = existing._subscription.views();
                views.insert(key, WatchStream::new(subscription_view));
                return Ok(());
            }
            if followed.len() >= connection.settings.max_subscriptions {
                let message = format!(
                    "this socket already follows {} channels, the most allowed",
                    connection.settings.max_subscriptions
                );
                return refuse(
                    connection,
                    Some(key.as_str()),
                    ErrorCode::TooManySubscriptions,
                    &message,
                )
                .await;
            }
            let subscription = channels.subscribe(key.clone());
            views.insert(key.clone(), WatchStream::new(subscription.views()));
            followed.insert(
                key,
                Followed {
                    _subscription: subscription,
                    definition_id: None,
                    seq: 0,
                },
            );
            Ok(())
        }
        ClientMessage::Unsubscribe { business_key } => {
            if let Ok(key) = BusinessKey::parse(&business_key) {
                views.remove(&key);
                followed.remove(&key);
            }
            let frame = ServerMessage::Unsubscribed {
                business_key: &business_key,
            }
            .frame();
            connection.frame("unsubscribed", frame, None).await
        }
    }
}

async fn refuse(
    connection: &mut Connection,
    business_key: Option<&str>,
    code: ErrorCode,
    message: &str,
) -> Result<(), Closed> {
    let frame = ServerMessage::Error {
        business_key,
        code,
        message,
    }
    .frame();
    connection.frame("error", frame, None).await
}

/// Sends what the socket has not seen of a channel's view.
async fn deliver(
    connection: &mut Connection,
    followed: &mut HashMap<BusinessKey, Followed>,
    key: &BusinessKey,
    view: View,
) -> Result<(), Closed> {
    let Some(seen) = followed.get_mut(key) else {
        return Ok(());
    };
    match view {
        View::Pending => Ok(()),
        View::Failed(failed) => {
            if seen.seq == failed.seq {
                return Ok(());
            }
            seen.seq = failed.seq;
            connection.frame("error", failed.frame.clone(), None).await
        }
        View::Ready(ready) => {
            if seen.definition_id.as_deref() != Some(&*ready.definition_id) {
                seen.definition_id = Some(ready.definition_id.clone());
                connection
                    .frame("schema", ready.schema.clone(), None)
                    .await?;
            }
            if let Some(cursor) = &ready.cursor
                && seen.seq != ready.seq
            {
                seen.seq = ready.seq;
                connection
                    .frame("cursor", cursor.clone(), ready.observed)
                    .await?;
            }
            Ok(())
        }
    }
}
