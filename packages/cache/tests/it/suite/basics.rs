//! get / set / delete, input checks, TTL expiry, namespace isolation.

use std::time::Duration;

use anyhow::Result;
use carpetti_cache::CacheError;

use crate::support::{Harness, bytes, holds};

const MINUTE: Duration = Duration::from_secs(60);

pub async fn set_get_delete_round_trip(h: &Harness) -> Result<()> {
    let cache = h.instance().await?;
    assert_eq!(cache.get("product:1").await?, None);
    cache.set("product:1", bytes("first"), MINUTE).await?;
    assert!(holds(&*cache, "product:1", "first").await?);
    cache.set("product:1", bytes("second"), MINUTE).await?;
    assert!(holds(&*cache, "product:1", "second").await?);
    // binary values and keys with glob and separator characters survive untouched
    let binary = carpetti_cache::Bytes::from_static(&[0, 255, 10, 13, 42]);
    cache
        .set("weird*[key]?:Ключ", binary.clone(), MINUTE)
        .await?;
    assert_eq!(cache.get("weird*[key]?:Ключ").await?, Some(binary));
    cache.delete("product:1").await?;
    assert_eq!(cache.get("product:1").await?, None);
    // deleting what is not there is fine
    cache.delete("product:1").await?;
    assert_eq!(cache.namespace(), h.namespace);
    let stats = cache.stats();
    assert!(stats.hits() >= 3 && stats.misses >= 2, "{stats:?}");
    Ok(())
}

pub async fn bad_input_is_a_clear_error(h: &Harness) -> Result<()> {
    let cache = h.instance().await?;
    let empty = cache.get("").await;
    assert!(
        matches!(empty, Err(CacheError::InvalidKey { .. })),
        "{empty:?}"
    );
    let control = cache.set("a\nb", bytes("x"), MINUTE).await;
    assert!(
        matches!(&control, Err(CacheError::InvalidKey { reason, .. }) if reason.contains("control")),
        "{control:?}"
    );
    let zero = cache.set("k", bytes("x"), Duration::ZERO).await;
    assert!(
        matches!(zero, Err(CacheError::InvalidTtl { .. })),
        "{zero:?}"
    );
    let long = cache.delete_prefix(&"p".repeat(2000)).await;
    assert!(
        matches!(long, Err(CacheError::InvalidKey { .. })),
        "{long:?}"
    );
    // nothing was written by the rejected calls
    assert_eq!(cache.get("k").await?, None);
    let namespace = carpetti_cache::MemoryCache::new(carpetti_cache::MemoryOptions::new("Bad:NS"));
    assert!(matches!(
        namespace,
        Err(CacheError::InvalidNamespace { .. })
    ));
    Ok(())
}

pub async fn ttl_expiry(h: &Harness) -> Result<()> {
    let writer = h.instance().await?;
    let reader = h.instance().await?;
    writer
        .set("short", bytes("v"), Duration::from_millis(400))
        .await?;
    writer.set("long", bytes("v"), MINUTE).await?;
    // read through the other instance too, so its local layer holds the entry
    for cache in [&writer, &reader] {
        assert!(holds(&**cache, "short", "v").await?);
        assert!(holds(&**cache, "short", "v").await?);
    }
    tokio::time::sleep(Duration::from_millis(900)).await;
    for cache in [&writer, &reader] {
        assert_eq!(cache.get("short").await?, None, "expired in every layer");
        assert!(holds(&**cache, "long", "v").await?);
    }
    // a rewrite restarts the TTL
    writer.set("short", bytes("w"), MINUTE).await?;
    assert!(holds(&*reader, "short", "w").await?);
    Ok(())
}

pub async fn namespaces_are_isolated(h: &Harness) -> Result<()> {
    let ours = h.instance().await?;
    let theirs = h.other_namespace().await?;
    ours.set("shared-key", bytes("ours"), MINUTE).await?;
    theirs.set("shared-key", bytes("theirs"), MINUTE).await?;
    assert!(holds(&*ours, "shared-key", "ours").await?);
    assert!(holds(&*theirs, "shared-key", "theirs").await?);
    // invalidating a whole namespace leaves the other alone
    theirs.delete_prefix("").await?;
    assert_eq!(theirs.get("shared-key").await?, None);
    assert!(holds(&*ours, "shared-key", "ours").await?);
    Ok(())
}
