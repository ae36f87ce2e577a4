//! Single-flight for `get_or_load`: one load per key at a time in this process. The first caller
//! spawns the load as a task (so it finishes and caches even if that caller goes away); every
//! caller, first or not, awaits the same shared result.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt as _;
use futures::future::{BoxFuture, Shared};

use crate::cache::Loader;
use crate::error::CacheError;
use crate::key;
use crate::metrics::Instruments;

type SharedLoad = Shared<BoxFuture<'static, Result<Bytes, CacheError>>>;

struct Flight {
    result: SharedLoad,
    /// Set when the key is invalidated while the load runs: its value must not be cached.
    stale: Arc<AtomicBool>,
}

/// The loads in flight of one cache (shared by its clones).
#[derive(Default)]
pub(crate) struct Flights {
    map: Mutex<HashMap<String, Flight>>,
    /// How many loads are in the map: writes skip the lock when there are none.
    active: AtomicUsize,
}

impl Flights {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Flight>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks the load of `key` (if any) stale and forgets it, so later callers start afresh.
    pub(crate) fn invalidate(&self, key: &str) {
        if self.active.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut map = self.lock();
        if let Some(flight) = map.remove(key) {
            flight.stale.store(true, Ordering::SeqCst);
            self.active.store(map.len(), Ordering::SeqCst);
        }
    }

    /// [`Flights::invalidate`] for every key starting with `prefix`.
    pub(crate) fn invalidate_prefix(&self, prefix: &str) {
        let mut map = self.lock();
        map.retain(|key, flight| {
            let hit = key.starts_with(prefix);
            if hit {
                flight.stale.store(true, Ordering::SeqCst);
            }
            !hit
        });
        self.active.store(map.len(), Ordering::SeqCst);
    }

    /// Forgets the flight of `key` if it is still the one flagged by `stale`.
    fn finish(&self, key: &str, stale: &Arc<AtomicBool>) {
        let mut map = self.lock();
        if map.get(key).is_some_and(|f| Arc::ptr_eq(&f.stale, stale)) {
            map.remove(key);
            self.active.store(map.len(), Ordering::SeqCst);
        }
    }
}

/// What a backend offers the shared load: its counted read, and a write and a delete that leave
/// the loads in flight alone (the public `set`/`delete` mark them stale, which would make a load
/// discard its own value).
#[async_trait::async_trait]
pub(crate) trait LoadTarget: Clone + Send + Sync + 'static {
    async fn read(&self, key: &str) -> Result<Option<Bytes>, CacheError>;
    async fn write_loaded(&self, key: &str, value: Bytes, ttl: Duration);
    async fn remove_loaded(&self, key: &str);
}

/// Removes the flight when its task ends, however it ends (a panicking loader included).
struct FinishGuard {
    flights: Arc<Flights>,
    key: String,
    stale: Arc<AtomicBool>,
}

impl Drop for FinishGuard {
    fn drop(&mut self) {
        self.flights.finish(&self.key, &self.stale);
    }
}

/// The shared `get_or_load` of every backend.
pub(crate) async fn get_or_load<C: LoadTarget>(
    cache: &C,
    flights: &Arc<Flights>,
    instruments: &Arc<Instruments>,
    key: &str,
    ttl: Duration,
    load: Loader,
) -> Result<Bytes, CacheError> {
    key::check_key(key)?;
    key::check_ttl(ttl)?;
    if let Some(value) = cache.read(key).await? {
        return Ok(value);
    }
    let result = {
        let mut map = flights.lock();
        if let Some(flight) = map.get(key) {
            instruments.load_joined();
            flight.result.clone()
        } else {
            let stale = Arc::new(AtomicBool::new(false));
            let result = start(
                cache.clone(),
                Arc::clone(flights),
                Arc::clone(instruments),
                key.to_owned(),
                ttl,
                load,
                Arc::clone(&stale),
            );
            map.insert(
                key.to_owned(),
                Flight {
                    result: result.clone(),
                    stale,
                },
            );
            flights.active.store(map.len(), Ordering::SeqCst);
            result
        }
    };
    result.await
}

fn start<C: LoadTarget>(
    cache: C,
    flights: Arc<Flights>,
    instruments: Arc<Instruments>,
    key: String,
    ttl: Duration,
    load: Loader,
    stale: Arc<AtomicBool>,
) -> SharedLoad {
    let guard = FinishGuard {
        flights,
        key: key.clone(),
        stale: Arc::clone(&stale),
    };
    let abandoned_key = key.clone();
    let task = tokio::spawn(async move {
        let _guard = guard;
        // A caller that missed just before another load finished and left: the value is there.
        if let Some(value) = cache.read(&key).await? {
            return Ok(value);
        }
        let outcome = load.await;
        instruments.load(outcome.is_ok());
        let value = outcome.map_err(|source| CacheError::Load {
            key: key.clone(),
            source: Arc::from(source),
        })?;
        if !stale.load(Ordering::SeqCst) {
            cache.write_loaded(&key, value.clone(), ttl).await;
            // Invalidated while the value was being written: take it out again.
            if stale.load(Ordering::SeqCst) {
                cache.remove_loaded(&key).await;
            }
        }
        Ok(value)
    });
    async move {
        task.await.unwrap_or_else(|join| {
            Err(CacheError::LoadAbandoned {
                key: abandoned_key,
                reason: join.to_string(),
            })
        })
    }
    .boxed()
    .shared()
}
