//! service_mp as a server: gRPC health and reflection, the consumer of publication requests, and
//! the periodic order sync of every active marketplace channel, run together until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use carpetti_handle::GrpcServer;
use carpetti_handle::auth::Verifier;
use carpetti_handle::discovery::{Discovery, Registration};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::mp::v1 as pb;
use carpetti_queue::{Bus, OutgoingMessage, Topic};
use carpetti_repo::PersistClient;
use chrono::{DateTime, Utc};
use prost::Message;
use tokio::net::TcpListener;

use crate::channel::ChannelContext;
use crate::connectors::ConnectOptions;
use crate::consumer::{ORDERS_SYNCED_TOPIC, PublishRequests, subscription};
use crate::pages::{all_pages, channel_query};
use crate::publish::Publisher;

/// The discovery name of service_mp.
pub const SERVICE_NAME: &str = "mp";
/// How far back the first order sync of a channel looks.
const FIRST_SYNC_DAYS: i64 = 7;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on {address}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Serve(#[from] carpetti_handle::HandleError),
    #[error("queue: {0}")]
    Queue(#[from] carpetti_queue::QueueError),
}

/// A bound, not yet serving, service_mp.
pub struct MpServer {
    persist: PersistClient,
    publisher: Publisher,
    listener: TcpListener,
    address: SocketAddr,
    bus: Option<Arc<dyn Bus>>,
    order_sync: Option<Duration>,
    service_auth: Option<Verifier>,
    registration: Option<(Arc<dyn Discovery>, Registration)>,
}

impl MpServer {
    pub async fn bind(
        persist: PersistClient,
        publisher: Publisher,
        address: SocketAddr,
    ) -> Result<Self, Error> {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| Error::Bind { address, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| Error::Bind { address, source })?;
        Ok(Self {
            persist,
            publisher,
            listener,
            address,
            bus: None,
            order_sync: None,
            service_auth: None,
            registration: None,
        })
    }

    /// Consumes publication requests from `bus` and announces results and order syncs on it.
    pub fn with_bus(mut self, bus: Arc<dyn Bus>) -> Self {
        self.bus = Some(bus);
        self
    }

    /// Syncs the orders of every active marketplace channel this often.
    pub fn with_order_sync(mut self, every: Option<Duration>) -> Self {
        self.order_sync = every.filter(|d| !d.is_zero());
        self
    }

    pub fn with_service_auth(mut self, verifier: Verifier) -> Self {
        self.service_auth = Some(verifier);
        self
    }

    pub fn with_registration(
        mut self,
        discovery: Arc<dyn Discovery>,
        registration: Registration,
    ) -> Self {
        self.registration = Some((discovery, registration));
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `shutdown` resolves.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        tracing::info!(address = %self.address, "service_mp listening");
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = move || {
            let mut rx = stop_rx.clone();
            async move {
                let _ = rx.wait_for(|stop| *stop).await;
            }
        };
        let mut background = tokio::task::JoinSet::new();
        if let Some(bus) = self.bus.clone() {
            let handler = PublishRequests::new(
                self.persist.clone(),
                self.publisher.clone(),
                Arc::clone(&bus),
                ConnectOptions::default(),
            );
            let subscription = subscription()?;
            let stop = stopped();
            background.spawn(async move {
                if let Err(err) =
                    carpetti_queue::run_consumer(bus.as_ref(), subscription, handler, 1, stop).await
                {
                    tracing::error!(%err, "the publication-request consumer stopped");
                }
            });
        }
        if let Some(every) = self.order_sync {
            background.spawn(sync_orders_every(
                self.persist.clone(),
                self.bus.clone(),
                every,
                stopped(),
            ));
        }
        let mut server =
            GrpcServer::new(SERVICE_NAME).file_descriptor_set(carpetti_proto::FILE_DESCRIPTOR_SET);
        if let Some(verifier) = self.service_auth {
            server = server.with_service_auth(verifier);
        }
        let served = server
            .serve_maybe_registered(self.listener, shutdown, self.registration)
            .await;
        let _ = stop_tx.send(true);
        while background.join_next().await.is_some() {}
        served?;
        Ok(())
    }
}

/// Brings the orders of every active marketplace channel into persist, then again every `every`.
async fn sync_orders_every(
    persist: PersistClient,
    bus: Option<Arc<dyn Bus>>,
    every: Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut last: std::collections::HashMap<String, DateTime<Utc>> =
        std::collections::HashMap::new();
    loop {
        match marketplace_channels(&persist).await {
            Ok(codes) => {
                for code in codes {
                    let since = last
                        .get(&code)
                        .copied()
                        .unwrap_or_else(|| Utc::now() - chrono::Duration::days(FIRST_SYNC_DAYS));
                    let started = Utc::now();
                    match sync_channel(&persist, &code, since).await {
                        Ok(report) => {
                            last.insert(code.clone(), started);
                            announce(bus.as_deref(), &report).await;
                        }
                        Err(err) => {
                            tracing::warn!(channel = %code, %err, "order sync failed; next round retries")
                        }
                    }
                }
            }
            Err(err) => tracing::warn!(%err, "listing channels for the order sync failed"),
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

async fn sync_channel(
    persist: &PersistClient,
    code: &str,
    since: DateTime<Utc>,
) -> Result<crate::orders::OrderSyncReport, crate::MpServiceError> {
    let ctx = ChannelContext::load(persist, code, &ConnectOptions::default()).await?;
    crate::orders::sync_orders(persist, &ctx, since).await
}

async fn announce(bus: Option<&dyn Bus>, report: &crate::orders::OrderSyncReport) {
    let Some(bus) = bus else { return };
    let message = pb::OrdersSynced {
        channel_code: report.channel.clone(),
        created: i32::try_from(report.created).unwrap_or(i32::MAX),
        updated: i32::try_from(report.updated).unwrap_or(i32::MAX),
        unchanged: i32::try_from(report.unchanged).unwrap_or(i32::MAX),
        unmatched_lines: i32::try_from(report.unmatched_lines).unwrap_or(i32::MAX),
    };
    let Ok(topic) = Topic::parse(ORDERS_SYNCED_TOPIC) else {
        return;
    };
    if let Err(err) = bus
        .publish(OutgoingMessage::raw(topic, message.encode_to_vec()))
        .await
    {
        tracing::warn!(%err, "announcing an order sync failed");
    }
}

/// Codes of the active channels that are marketplaces.
async fn marketplace_channels(persist: &PersistClient) -> Result<Vec<String>, tonic::Status> {
    let channels = all_pages(|cursor| {
        let mut client = persist.channels();
        let query = channel_query("", cursor);
        async move {
            let page = client.list_channels(query).await?.into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await?;
    Ok(channels
        .into_iter()
        .filter(|c| {
            c.active
                && matches!(
                    cat::ChannelKind::try_from(c.kind),
                    Ok(cat::ChannelKind::Ozon
                        | cat::ChannelKind::Wildberries
                        | cat::ChannelKind::YandexMarket
                        | cat::ChannelKind::Megamarket)
                )
        })
        .map(|c| c.code)
        .collect())
}
