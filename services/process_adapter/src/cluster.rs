//! Scale-out (the seed's "Publish: for scaling"): adapter instances share channels so that each
//! is polled by exactly one instance cluster-wide.
//!
//! - **Lease per channel** (package_cache's [`Leases`]: Redis `SET NX PX` or in-process): the
//!   instance holding `channel:<business key>` polls; it renews the lease several times per TTL
//!   and gives it up when its last subscriber leaves. If it dies, the lease expires and another
//!   instance with subscribers of that channel takes over.
//! - **State on the queue**: the holder publishes each change as a [`ChannelState`] on the topic
//!   `process_adapter.channel_state`; every instance consumes it through its own ephemeral group
//!   and pushes it to its own sockets.
//! - **State and schemas in the cache**: the latest state per channel and the XML per definition
//!   are cached, so an instance whose first client subscribes to a channel polled elsewhere
//!   answers at once, and a new holder continues the holder's numbering.

use std::sync::Arc;
use std::time::Duration;

use carpetti_cache::{Bytes, DynCache, DynLeases};
use carpetti_proto::process_adapter::v1::ChannelState;
use carpetti_queue::{Bus, Deliveries, OutgoingMessage, Subscription, Topic, TopicPattern};
use prost::Message as _;

use crate::engine::{EngineUnavailable, ProcessEngine};
use crate::key::BusinessKey;

/// The topic of [`ChannelState`] messages.
pub const STATE_TOPIC: &str = "process_adapter.channel_state";

/// How long the latest state and schemas stay in the cache.
const CACHED_FOR: Duration = Duration::from_secs(3600);

/// Why a cluster operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("lease store: {0}")]
    Lease(String),
    #[error("queue: {0}")]
    Queue(String),
}

/// One adapter instance's membership in the cluster.
pub struct Cluster {
    instance_id: String,
    leases: DynLeases,
    bus: Arc<dyn Bus>,
    cache: DynCache,
    lease_ttl: Duration,
}

impl Cluster {
    /// `lease_ttl`: how long a dead holder keeps its channels (takeover happens within it plus
    /// one renewal period, a third of it).
    pub fn new(leases: DynLeases, bus: Arc<dyn Bus>, cache: DynCache, lease_ttl: Duration) -> Self {
        Self {
            instance_id: format!("adapter-{}", uuid::Uuid::now_v7().simple()),
            leases,
            bus,
            cache,
            lease_ttl: lease_ttl.max(Duration::from_millis(300)),
        }
    }

    /// This instance's id (the lease holder name and the `holder` of its states).
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// How often holders renew and others try to take over.
    pub fn renew_every(&self) -> Duration {
        self.lease_ttl / 3
    }

    /// Takes or renews the channel's lease: whether this instance polls it now.
    pub async fn lead(&self, key: &BusinessKey) -> Result<bool, ClusterError> {
        let lease = self
            .leases
            .acquire(&lease_name(key), &self.instance_id, self.lease_ttl)
            .await
            .map_err(|e| ClusterError::Lease(e.to_string()))?;
        Ok(lease.is_ours())
    }

    /// Gives the channel's lease up (last subscriber gone, or shutting down).
    pub async fn resign(&self, key: &BusinessKey) {
        if let Err(e) = self
            .leases
            .release(&lease_name(key), &self.instance_id)
            .await
        {
            tracing::warn!(business_key = %key, error = %e, "could not release a channel lease");
        }
    }

    /// Publishes a holder's new state to the other instances and caches it.
    pub async fn publish(&self, state: &ChannelState) -> Result<(), ClusterError> {
        let encoded = Bytes::from(state.encode_to_vec());
        if let Err(e) = self
            .cache
            .set(&state_key(&state.business_key), encoded, CACHED_FOR)
            .await
        {
            tracing::warn!(error = %e, "could not cache a channel state");
        }
        let topic = Topic::parse(STATE_TOPIC).map_err(|e| ClusterError::Queue(e.to_string()))?;
        let message = OutgoingMessage::raw(topic, state.encode_to_vec());
        self.bus
            .publish(message)
            .await
            .map_err(|e| ClusterError::Queue(e.to_string()))
    }

    /// The latest state any holder published for the channel, if cached.
    pub async fn last_state(&self, key: &BusinessKey) -> Option<ChannelState> {
        let bytes = self.cache.get(&state_key(key.as_str())).await.ok()??;
        ChannelState::decode(bytes).ok()
    }

    /// Caches a definition's XML for the other instances.
    pub async fn remember_schema(&self, definition_id: &str, xml: &str) {
        let bytes = Bytes::copy_from_slice(xml.as_bytes());
        if let Err(e) = self
            .cache
            .set(&schema_key(definition_id), bytes, CACHED_FOR)
            .await
        {
            tracing::warn!(error = %e, "could not cache a process schema");
        }
    }

    /// A definition's XML from the cache, else from the engine (single-flight per instance).
    pub async fn schema(
        &self,
        definition_id: &str,
        engine: Arc<dyn ProcessEngine>,
    ) -> Result<String, EngineUnavailable> {
        let id = definition_id.to_owned();
        let load = Box::pin(async move {
            let xml = engine.definition_xml(&id).await?;
            Ok(Bytes::from(xml.into_bytes()))
        });
        let bytes = self
            .cache
            .get_or_load(&schema_key(definition_id), CACHED_FOR, load)
            .await
            .map_err(|e| EngineUnavailable(e.to_string()))?;
        String::from_utf8(bytes.to_vec()).map_err(|e| EngineUnavailable(e.to_string()))
    }

    /// This instance's feed of every holder's states (an ephemeral group of its own).
    pub async fn states(&self) -> Result<Deliveries, ClusterError> {
        let pattern =
            TopicPattern::parse(STATE_TOPIC).map_err(|e| ClusterError::Queue(e.to_string()))?;
        let group = format!("process_adapter.{}", self.instance_id);
        self.bus
            .subscribe(
                Subscription::new(group, vec![pattern])
                    .with_prefetch(256)
                    .ephemeral(),
            )
            .await
            .map_err(|e| ClusterError::Queue(e.to_string()))
    }
}

fn lease_name(key: &BusinessKey) -> String {
    format!("process_adapter.channel:{key}")
}

fn state_key(key: &str) -> String {
    format!("process_adapter.state:{key}")
}

fn schema_key(definition_id: &str) -> String {
    format!("process_adapter.schema:{definition_id}")
}
