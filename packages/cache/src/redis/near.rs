//! The Redis backend's near-cache: a small moka layer in front of Redis, trusted only while this
//! instance's invalidation subscription is live. When the subscription drops, the near-cache is
//! emptied and bypassed (invalidations published meanwhile would be missed); when it is back, it
//! is emptied again and used. Every invalidation bumps an epoch; a value read from Redis is only
//! kept if no invalidation happened between the read and the insert, so a late insert can never
//! resurrect an invalidated value.

use std::hash::{BuildHasher as _, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;

use crate::error::CacheError;
use crate::local::LocalStore;
use crate::metrics::Instruments;

const STRIPES: usize = 1024;

/// What a reader saw before going to Redis: the global epoch and its key's stripe.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Epoch {
    global: u64,
    stripe: u64,
}

pub(crate) struct Near {
    store: LocalStore,
    max_ttl: Duration,
    live: AtomicBool,
    /// Bumped by prefix invalidations, resets and suspensions.
    global: AtomicU64,
    /// Bumped by key invalidations, one counter per stripe of keys.
    stripes: Box<[AtomicU64]>,
    hasher: RandomState,
    instruments: Arc<Instruments>,
}

impl Near {
    pub(crate) fn new(max_bytes: u64, max_ttl: Duration, instruments: Arc<Instruments>) -> Self {
        Self {
            store: LocalStore::new(max_bytes),
            max_ttl,
            live: AtomicBool::new(false),
            global: AtomicU64::new(0),
            stripes: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            hasher: RandomState::new(),
            instruments,
        }
    }

    pub(crate) fn is_live(&self) -> bool {
        self.live.load(Ordering::SeqCst)
    }

    fn stripe(&self, key: &str) -> &AtomicU64 {
        let index = usize::try_from(self.hasher.hash_one(key) % STRIPES as u64).unwrap_or(0);
        &self.stripes[index]
    }

    /// The epoch to hand back to [`Near::fill`] after a read from Redis.
    pub(crate) fn epoch(&self, key: &str) -> Epoch {
        Epoch {
            global: self.global.load(Ordering::SeqCst),
            stripe: self.stripe(key).load(Ordering::SeqCst),
        }
    }

    pub(crate) async fn get(&self, key: &str) -> Option<Bytes> {
        if !self.is_live() {
            return None;
        }
        self.store.get(key).await
    }

    /// Keeps a value read from (or written to) Redis when `seen` is still the epoch.
    pub(crate) async fn fill(&self, key: &str, value: Bytes, ttl: Duration, seen: Epoch) {
        if !self.is_live() || self.epoch(key) != seen || ttl.is_zero() {
            return;
        }
        self.store.insert(key, value, ttl.min(self.max_ttl)).await;
        if self.epoch(key) != seen {
            // An invalidation raced the insert: it may have run before the insert landed.
            self.store.invalidate(key).await;
        }
    }

    pub(crate) async fn invalidate(&self, key: &str) {
        self.stripe(key).fetch_add(1, Ordering::SeqCst);
        self.store.invalidate(key).await;
    }

    pub(crate) fn invalidate_prefix(&self, prefix: &str) -> Result<(), CacheError> {
        self.global.fetch_add(1, Ordering::SeqCst);
        self.store.invalidate_prefix(prefix)
    }

    /// The subscription is confirmed: start from empty and trust the near-cache.
    pub(crate) fn resume(&self) {
        self.global.fetch_add(1, Ordering::SeqCst);
        self.store.clear();
        self.live.store(true, Ordering::SeqCst);
        self.instruments.near_reset();
    }

    /// The subscription is lost: stop trusting and empty the near-cache.
    pub(crate) fn suspend(&self) {
        self.live.store(false, Ordering::SeqCst);
        self.global.fetch_add(1, Ordering::SeqCst);
        self.store.clear();
        self.instruments.near_reset();
    }
}
