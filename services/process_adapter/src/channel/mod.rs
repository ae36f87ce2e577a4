//! Channel objects (seed diagram 4): one per business key with subscribers on this instance. The
//! first subscriber creates it — and with it the one poll loop of the channel ([`driver`]); later
//! subscribers get its stored schema and latest cursor without any engine call; the last
//! unsubscribe or disconnect deletes it and stops its poll.

mod driver;
mod poller;
mod view;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use carpetti_proto::process_adapter::v1::ChannelState;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub(crate) use driver::DriverContext;
pub use view::{Failed, Ready, View};

use crate::key::BusinessKey;
use crate::metrics as m;

/// A channel object.
struct Channel {
    view: watch::Sender<View>,
    /// States of this channel published by the instance that polls it (when that is another).
    remote: watch::Sender<Option<ChannelState>>,
    stop: CancellationToken,
}

struct Entry {
    channel: Arc<Channel>,
    subscribers: usize,
}

/// The channel objects and the number of subscriptions over all of them.
#[derive(Default)]
struct Registry {
    entries: HashMap<BusinessKey, Entry>,
    subscribers: usize,
}

/// This instance's channel objects.
pub struct Channels {
    map: Mutex<Registry>,
    ctx: Arc<DriverContext>,
}

/// One subscriber's hold on a channel: dropping it is the unsubscribe.
pub struct Subscription {
    key: BusinessKey,
    channels: Arc<Channels>,
    view: watch::Receiver<View>,
}

impl Subscription {
    /// The channel's views: the current one first, then every change (stale ones skipped).
    pub fn views(&self) -> watch::Receiver<View> {
        self.view.clone()
    }

    pub fn key(&self) -> &BusinessKey {
        &self.key
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.channels.release(&self.key);
    }
}

impl Channels {
    pub(crate) fn new(ctx: Arc<DriverContext>) -> Arc<Self> {
        Arc::new(Self {
            map: Mutex::new(Registry::default()),
            ctx,
        })
    }

    fn map(&self) -> MutexGuard<'_, Registry> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Subscribes to `key`, creating the channel object (and its poll loop) if this is the
    /// first subscriber on this instance.
    pub fn subscribe(self: &Arc<Self>, key: BusinessKey) -> Subscription {
        let mut map = self.map();
        map.subscribers += 1;
        let entry = map.entries.entry(key.clone()).or_insert_with(|| {
            let channel = Arc::new(Channel {
                view: watch::Sender::new(View::Pending),
                remote: watch::Sender::new(None),
                stop: self.ctx.shutdown.child_token(),
            });
            tokio::spawn(driver::drive(
                self.ctx.clone(),
                key.clone(),
                channel.view.clone(),
                channel.remote.subscribe(),
                channel.stop.clone(),
            ));
            Entry {
                channel,
                subscribers: 0,
            }
        });
        entry.subscribers += 1;
        let view = entry.channel.view.subscribe();
        self.report(&map);
        Subscription {
            key,
            channels: self.clone(),
            view,
        }
    }

    fn release(&self, key: &BusinessKey) {
        let mut map = self.map();
        if let Some(entry) = map.entries.get_mut(key) {
            entry.subscribers = entry.subscribers.saturating_sub(1);
            if entry.subscribers == 0 {
                entry.channel.stop.cancel();
                map.entries.remove(key);
            }
            map.subscribers = map.subscribers.saturating_sub(1);
        }
        self.report(&map);
    }

    /// A state published by the instance that polls `state.business_key`: handed to the local
    /// channel object, if any (it ignores states older than what it shows).
    pub fn apply_remote(&self, state: ChannelState) {
        let Ok(key) = BusinessKey::parse(&state.business_key) else {
            return;
        };
        if let Some(entry) = self.map().entries.get(&key) {
            entry.channel.remote.send_modify(|slot| {
                if slot.as_ref().is_none_or(|old| old.seq < state.seq) {
                    *slot = Some(state);
                }
            });
        }
    }

    /// Channel objects on this instance.
    pub fn len(&self) -> usize {
        self.map().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Subscriptions over all sockets.
    pub fn subscribers(&self) -> usize {
        self.map().subscribers
    }

    /// Channels this instance polls now.
    pub fn polling(&self) -> usize {
        self.ctx.polling.get()
    }

    /// This instance's cluster id, when it is part of a cluster.
    pub fn instance_id(&self) -> Option<String> {
        self.ctx
            .cluster
            .as_ref()
            .map(|c| c.instance_id().to_owned())
    }

    fn report(&self, map: &Registry) {
        m::gauge(m::CHANNELS, map.entries.len());
        m::gauge(m::SUBSCRIBERS, map.subscribers);
    }
}
