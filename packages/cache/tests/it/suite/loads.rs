//! get_or_load: single-flight, errors shared and not cached, loads overtaken by invalidation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Result;
use carpetti_cache::{BoxError, Bytes, CacheError, DynCache};
use futures::FutureExt as _;
use tokio::sync::Notify;

use crate::support::{Harness, bytes, holds};

const MINUTE: Duration = Duration::from_secs(60);
const CALLERS: usize = 32;

/// A loader that counts its calls, waits for `gate` (when given) and answers `answer`.
fn loader(
    calls: &Arc<AtomicUsize>,
    gate: Option<Arc<Notify>>,
    answer: Result<&'static str, &'static str>,
) -> carpetti_cache::Loader {
    let calls = Arc::clone(calls);
    async move {
        calls.fetch_add(1, Ordering::SeqCst);
        match gate {
            Some(gate) => gate.notified().await,
            None => tokio::time::sleep(Duration::from_millis(200)).await,
        }
        answer
            .map(|v| Bytes::from_static(v.as_bytes()))
            .map_err(BoxError::from)
    }
    .boxed()
}

async fn concurrent_loads(
    cache: &DynCache,
    key: &'static str,
    calls: &Arc<AtomicUsize>,
    answer: Result<&'static str, &'static str>,
) -> Result<Vec<Result<Bytes, CacheError>>> {
    let mut tasks = Vec::new();
    for _ in 0..CALLERS {
        let cache = Arc::clone(cache);
        let load = loader(calls, None, answer);
        tasks.push(tokio::spawn(async move {
            cache.get_or_load(key, MINUTE, load).await
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await?);
    }
    Ok(results)
}

pub async fn single_flight_runs_one_load(h: &Harness) -> Result<()> {
    let cache = h.instance().await?;
    let calls = Arc::new(AtomicUsize::new(0));
    let results = concurrent_loads(&cache, "hot", &calls, Ok("loaded")).await?;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "exactly one load for {CALLERS} callers"
    );
    for result in results {
        assert_eq!(result?, Bytes::from_static(b"loaded"));
    }
    let stats = cache.stats();
    assert_eq!(stats.loads, 1, "{stats:?}");
    assert_eq!(stats.load_joins, CALLERS as u64 - 1, "{stats:?}");
    // cached now: no further load
    let again = cache
        .get_or_load("hot", MINUTE, loader(&calls, None, Ok("other")))
        .await?;
    assert_eq!(again, Bytes::from_static(b"loaded"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(holds(&*h.instance().await?, "hot", "loaded").await?);
    Ok(())
}

pub async fn load_errors_are_shared_and_not_cached(h: &Harness) -> Result<()> {
    let cache = h.instance().await?;
    let calls = Arc::new(AtomicUsize::new(0));
    let results = concurrent_loads(&cache, "flaky", &calls, Err("source down")).await?;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one failing load for {CALLERS} callers"
    );
    for result in results {
        match result {
            Err(CacheError::Load { key, source }) => {
                assert_eq!(key, "flaky");
                assert_eq!(source.to_string(), "source down");
            }
            other => anyhow::bail!("expected the load error, got {other:?}"),
        }
    }
    assert_eq!(cache.get("flaky").await?, None, "an error is not cached");
    let stats = cache.stats();
    assert_eq!((stats.loads, stats.load_errors), (1, 1), "{stats:?}");
    // the next call loads again, and this time succeeds
    let value = cache
        .get_or_load("flaky", MINUTE, loader(&calls, None, Ok("recovered")))
        .await?;
    assert_eq!(value, Bytes::from_static(b"recovered"));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(holds(&*cache, "flaky", "recovered").await?);
    Ok(())
}

pub async fn invalidation_during_load_is_not_cached(h: &Harness) -> Result<()> {
    let loading = h.instance().await?;
    let other = h.instance().await?;
    let calls = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Notify::new());
    let load = {
        let loading = Arc::clone(&loading);
        let load = loader(&calls, Some(Arc::clone(&gate)), Ok("old"));
        tokio::spawn(async move { loading.get_or_load("racy", MINUTE, load).await })
    };
    crate::support::wait_until("the load to start", || {
        let started = calls.load(Ordering::SeqCst) == 1;
        async move { Ok(started) }
    })
    .await?;
    // the source changes while the load runs; another instance invalidates the key
    other.delete("racy").await?;
    h.remote_invalidations(&loading, 1).await?;
    gate.notify_one();
    assert_eq!(
        load.await??,
        bytes("old"),
        "the caller still gets its answer"
    );
    assert_eq!(
        loading.get("racy").await?,
        None,
        "but the stale value was not cached"
    );
    assert_eq!(other.get("racy").await?, None);
    Ok(())
}
