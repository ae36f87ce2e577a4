//! Leases: take, refuse, renew, expire and take over, release, one winner among many racers, and
//! input checks. Two `h.leases()` are two adapter instances sharing the backend.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, ensure};
use carpetti_cache::{CacheError, DynLeases, Lease};
use tokio::sync::Barrier;

use crate::support::{Harness, wait_until};

const MINUTE: Duration = Duration::from_secs(60);
const CHANNEL: &str = "channel:ozon-1";

pub async fn first_acquire_takes_the_lease(h: &Harness) -> Result<()> {
    let a = h.leases().await?;
    let b = h.leases().await?;
    assert!(!a.describe().is_empty());
    assert_eq!(a.holder(CHANNEL).await?, None);
    let lease = a.acquire(CHANNEL, "adapter-a", MINUTE).await?;
    assert_eq!(lease, Lease::Acquired);
    assert!(lease.is_ours());
    assert_eq!(lease.other_holder(), None);
    // every instance sees who holds it
    assert_eq!(a.holder(CHANNEL).await?.as_deref(), Some("adapter-a"));
    assert_eq!(b.holder(CHANNEL).await?.as_deref(), Some("adapter-a"));
    // names are independent: another channel is free for another holder
    assert_eq!(b.holder("channel:wb-1").await?, None);
    assert_eq!(
        b.acquire("channel:wb-1", "adapter-b", MINUTE).await?,
        Lease::Acquired
    );
    assert_eq!(a.holder(CHANNEL).await?.as_deref(), Some("adapter-a"));
    Ok(())
}

pub async fn another_holder_is_refused_and_told_who_holds_it(h: &Harness) -> Result<()> {
    let a = h.leases().await?;
    let b = h.leases().await?;
    assert_eq!(
        a.acquire(CHANNEL, "adapter-a", MINUTE).await?,
        Lease::Acquired
    );
    let refused = b.acquire(CHANNEL, "adapter-b", MINUTE).await?;
    assert_eq!(refused, Lease::HeldBy("adapter-a".to_owned()));
    assert!(!refused.is_ours());
    assert_eq!(refused.other_holder(), Some("adapter-a"));
    // the same instance with another holder name is refused too: holders, not connections, own
    let refused = a.acquire(CHANNEL, "adapter-c", MINUTE).await?;
    assert_eq!(refused.other_holder(), Some("adapter-a"));
    assert_eq!(b.holder(CHANNEL).await?.as_deref(), Some("adapter-a"));
    // the holder asking again, through another instance, renews rather than acquires
    assert_eq!(
        b.acquire(CHANNEL, "adapter-a", MINUTE).await?,
        Lease::Renewed
    );
    Ok(())
}

pub async fn the_holder_renews(h: &Harness) -> Result<()> {
    let a = h.leases().await?;
    let b = h.leases().await?;
    let ttl = Duration::from_secs(2);
    assert_eq!(a.acquire(CHANNEL, "adapter-a", ttl).await?, Lease::Acquired);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(a.acquire(CHANNEL, "adapter-a", ttl).await?, Lease::Renewed);
    // 2.4 s after it was taken the first 2 s have run out, but the renewal still holds
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        b.acquire(CHANNEL, "adapter-b", ttl).await?,
        Lease::HeldBy("adapter-a".to_owned())
    );
    assert_eq!(b.holder(CHANNEL).await?.as_deref(), Some("adapter-a"));
    // a renewal sets the TTL asked for, even a shorter one
    assert_eq!(
        a.acquire(CHANNEL, "adapter-a", Duration::from_millis(200))
            .await?,
        Lease::Renewed
    );
    wait_until("the shortened lease to expire", || {
        let b = Arc::clone(&b);
        async move { Ok(b.holder(CHANNEL).await?.is_none()) }
    })
    .await?;
    Ok(())
}

pub async fn an_expired_lease_is_taken_over(h: &Harness) -> Result<()> {
    let a = h.leases().await?;
    let b = h.leases().await?;
    let short = Duration::from_millis(300);
    assert_eq!(
        a.acquire(CHANNEL, "adapter-a", short).await?,
        Lease::Acquired
    );
    assert_eq!(
        b.acquire(CHANNEL, "adapter-b", MINUTE).await?,
        Lease::HeldBy("adapter-a".to_owned())
    );
    // adapter-a dies: nobody renews, the lease runs out
    wait_until("the lease to expire", || {
        let b = Arc::clone(&b);
        async move { Ok(b.holder(CHANNEL).await?.is_none()) }
    })
    .await?;
    assert_eq!(
        b.acquire(CHANNEL, "adapter-b", MINUTE).await?,
        Lease::Acquired
    );
    // adapter-a coming back cannot renew what it lost, nor release it
    assert_eq!(
        a.acquire(CHANNEL, "adapter-a", short).await?,
        Lease::HeldBy("adapter-b".to_owned())
    );
    assert!(!a.release(CHANNEL, "adapter-a").await?);
    assert_eq!(a.holder(CHANNEL).await?.as_deref(), Some("adapter-b"));
    Ok(())
}

pub async fn release_only_by_the_holder(h: &Harness) -> Result<()> {
    let a = h.leases().await?;
    let b = h.leases().await?;
    // releasing what nobody holds is a no-op
    assert!(!a.release(CHANNEL, "adapter-a").await?);
    assert_eq!(
        a.acquire(CHANNEL, "adapter-a", MINUTE).await?,
        Lease::Acquired
    );
    assert!(
        !b.release(CHANNEL, "adapter-b").await?,
        "not b's to release"
    );
    assert_eq!(b.holder(CHANNEL).await?.as_deref(), Some("adapter-a"));
    assert!(a.release(CHANNEL, "adapter-a").await?);
    assert_eq!(b.holder(CHANNEL).await?, None);
    assert!(!a.release(CHANNEL, "adapter-a").await?, "already released");
    // freed at once: another holder takes it without waiting for the TTL
    assert_eq!(
        b.acquire(CHANNEL, "adapter-b", MINUTE).await?,
        Lease::Acquired
    );
    assert_eq!(a.holder(CHANNEL).await?.as_deref(), Some("adapter-b"));
    Ok(())
}

const RACERS: usize = 50;

/// `RACERS` tasks over a few instances all try to take `CHANNEL` at once; returns the winner.
async fn race(instances: &[DynLeases]) -> Result<String> {
    let start = Arc::new(Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let leases = Arc::clone(&instances[i % instances.len()]);
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                let holder = format!("adapter-{i}");
                start.wait().await;
                let lease = leases.acquire(CHANNEL, &holder, MINUTE).await;
                (holder, lease)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut refusals = Vec::new();
    for task in tasks {
        let (holder, lease) = task.await?;
        match lease? {
            Lease::Acquired => winners.push(holder),
            Lease::Renewed => anyhow::bail!("{holder} renewed a lease it never had"),
            Lease::HeldBy(other) => refusals.push((holder, other)),
        }
    }
    ensure!(winners.len() == 1, "exactly one winner, got {winners:?}");
    let winner = winners.remove(0);
    ensure!(refusals.len() == RACERS - 1);
    for (holder, other) in &refusals {
        ensure!(
            *other == winner,
            "{holder} was told {other} holds it, the winner is {winner}"
        );
    }
    Ok(winner)
}

pub async fn one_of_many_concurrent_acquirers_wins(h: &Harness) -> Result<()> {
    let mut instances = Vec::new();
    for _ in 0..5 {
        instances.push(h.leases().await?);
    }
    let first = race(&instances).await?;
    assert_eq!(instances[0].holder(CHANNEL).await?, Some(first.clone()));
    // once released, a new race again has exactly one winner
    assert!(instances[1].release(CHANNEL, &first).await?);
    let second = race(&instances).await?;
    assert_eq!(instances[2].holder(CHANNEL).await?, Some(second));
    Ok(())
}

pub async fn bad_lease_input_is_a_clear_error(h: &Harness) -> Result<()> {
    let leases = h.leases().await?;
    let empty_name = leases.acquire("", "adapter-a", MINUTE).await;
    assert!(
        matches!(empty_name, Err(CacheError::InvalidKey { .. })),
        "{empty_name:?}"
    );
    let control = leases.acquire("a\nb", "adapter-a", MINUTE).await;
    assert!(
        matches!(&control, Err(CacheError::InvalidKey { reason, .. }) if reason.contains("control")),
        "{control:?}"
    );
    let empty_holder = leases.acquire(CHANNEL, "", MINUTE).await;
    assert!(
        matches!(&empty_holder, Err(CacheError::InvalidHolder { reason, .. }) if reason.contains("empty")),
        "{empty_holder:?}"
    );
    let long_holder = leases.acquire(CHANNEL, &"h".repeat(300), MINUTE).await;
    assert!(
        matches!(long_holder, Err(CacheError::InvalidHolder { .. })),
        "{long_holder:?}"
    );
    let zero = leases.acquire(CHANNEL, "adapter-a", Duration::ZERO).await;
    assert!(
        matches!(zero, Err(CacheError::InvalidTtl { .. })),
        "{zero:?}"
    );
    let release = leases.release("", "adapter-a").await;
    assert!(
        matches!(release, Err(CacheError::InvalidKey { .. })),
        "{release:?}"
    );
    let release = leases.release(CHANNEL, "").await;
    assert!(
        matches!(release, Err(CacheError::InvalidHolder { .. })),
        "{release:?}"
    );
    let holder = leases.holder("").await;
    assert!(
        matches!(holder, Err(CacheError::InvalidKey { .. })),
        "{holder:?}"
    );
    // the messages say what is wrong
    let message = leases
        .acquire(CHANNEL, "", MINUTE)
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        message.as_deref(),
        Some("invalid lease holder \"\": it is empty")
    );
    // nothing was taken by the rejected calls
    assert_eq!(leases.holder(CHANNEL).await?, None);
    Ok(())
}
