//! Prefix invalidation and cross-instance invalidation.
//!
//! Cross-instance on Redis: two instances (two connections, two near-caches) of one namespace;
//! what one writes or invalidates, the other stops serving from its near-cache. In-process the
//! "instances" are clones of one cache (how `carpetti up` hands it to every service), so an
//! invalidation through one is seen by the other at once.

use std::time::Duration;

use anyhow::Result;

use crate::support::{Harness, bytes, holds};

const MINUTE: Duration = Duration::from_secs(60);

pub async fn prefix_invalidation(h: &Harness) -> Result<()> {
    let cache = h.instance().await?;
    let keys = [
        "user:1", "user:2", "user:10", "userx", "order:1", "a*b:1", "a*b:2", "aXb:1",
    ];
    for key in keys {
        cache.set(key, bytes(key), MINUTE).await?;
    }
    cache.delete_prefix("user:").await?;
    // glob characters in a prefix match only themselves
    cache.delete_prefix("a*b:").await?;
    for gone in ["user:1", "user:2", "user:10", "a*b:1", "a*b:2"] {
        assert_eq!(cache.get(gone).await?, None, "{gone} invalidated");
    }
    for kept in ["userx", "order:1", "aXb:1"] {
        assert!(holds(&*cache, kept, kept).await?, "{kept} kept");
    }
    // many keys: the Redis backend deletes them in SCAN batches
    for i in 0..1200 {
        cache.set(&format!("bulk:{i}"), bytes("v"), MINUTE).await?;
    }
    cache.delete_prefix("bulk:").await?;
    for i in (0..1200).step_by(97) {
        assert_eq!(cache.get(&format!("bulk:{i}")).await?, None);
    }
    // a fresh instance sees the same (nothing left in Redis)
    let fresh = h.instance().await?;
    assert_eq!(fresh.get("bulk:1199").await?, None);
    assert!(holds(&*fresh, "order:1", "order:1").await?);
    Ok(())
}

pub async fn cross_instance_invalidation(h: &Harness) -> Result<()> {
    let a = h.instance().await?;
    let b = h.instance().await?;
    let mut remote = 0;

    a.set("price:1", bytes("100"), MINUTE).await?;
    remote += 1;
    h.remote_invalidations(&b, remote).await?;
    assert!(holds(&*b, "price:1", "100").await?);
    let before = b.stats().local_hits;
    assert!(holds(&*b, "price:1", "100").await?);
    assert_eq!(
        b.stats().local_hits,
        before + 1,
        "b serves price:1 from its local layer"
    );

    // a rewrite in a evicts b's local copy
    a.set("price:1", bytes("120"), MINUTE).await?;
    remote += 1;
    h.remote_invalidations(&b, remote).await?;
    assert!(holds(&*b, "price:1", "120").await?, "b sees the new value");

    // a delete in a: b misses
    a.delete("price:1").await?;
    remote += 1;
    h.remote_invalidations(&b, remote).await?;
    assert_eq!(b.get("price:1").await?, None);

    // a prefix invalidation in a: b misses every key under it
    for key in ["stock:1", "stock:2"] {
        a.set(key, bytes("5"), MINUTE).await?;
        remote += 1;
    }
    h.remote_invalidations(&b, remote).await?;
    for key in ["stock:1", "stock:2"] {
        assert!(holds(&*b, key, "5").await?);
        assert!(holds(&*b, key, "5").await?);
    }
    a.delete_prefix("stock:").await?;
    remote += 1;
    h.remote_invalidations(&b, remote).await?;
    for key in ["stock:1", "stock:2"] {
        assert_eq!(b.get(key).await?, None, "{key} invalidated in b");
    }
    // and b's own invalidations reach a
    b.set("price:2", bytes("7"), MINUTE).await?;
    h.remote_invalidations(&a, 1).await?;
    assert!(holds(&*a, "price:2", "7").await?);
    Ok(())
}
