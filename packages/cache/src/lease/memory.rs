//! The in-process leases: a table of (holder, expiry instant) behind a mutex, for `carpetti up`
//! and for tests that run several adapter instances in one process. Instances share leases by
//! sharing one `MemoryLeases` (an `Arc` or a clone: clones are the same table); two separately
//! built ones share nothing.
//!
//! Expiry uses Tokio's clock, so a test with a paused clock can advance past a TTL. The mutex is
//! never held across an await.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::{Lease, Leases, check_acquire, check_holder, check_name};
use crate::error::CacheError;

/// Table sizes below this are never swept for expired entries.
const SWEEP_FLOOR: usize = 1024;

/// In-process leases. Cheap to clone; clones are the same table.
#[derive(Clone, Default)]
pub struct MemoryLeases {
    table: Arc<Mutex<Table>>,
}

#[derive(Default)]
struct Table {
    leases: HashMap<String, Held>,
    /// The size at which expired entries are next swept out.
    sweep_at: usize,
}

struct Held {
    holder: String,
    until: Instant,
}

impl MemoryLeases {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        // Nothing in a critical section panics; were one ever to, the table is still consistent
        // (every update is a single insert or remove), so a poisoned lock is taken as it is.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Table {
    /// The live lease of `name`, dropping it if it has expired.
    fn live(&mut self, name: &str, now: Instant) -> Option<&mut Held> {
        if self.leases.get(name).is_some_and(|held| held.until <= now) {
            self.leases.remove(name);
        }
        self.leases.get_mut(name)
    }

    /// Removes expired entries once the table has doubled since the last sweep.
    fn sweep(&mut self, now: Instant) {
        if self.leases.len() < self.sweep_at.max(SWEEP_FLOOR) {
            return;
        }
        self.leases.retain(|_, held| held.until > now);
        self.sweep_at = self.leases.len().saturating_mul(2);
    }
}

#[async_trait::async_trait]
impl Leases for MemoryLeases {
    async fn acquire(&self, name: &str, holder: &str, ttl: Duration) -> Result<Lease, CacheError> {
        check_acquire(name, holder, ttl)?;
        let now = Instant::now();
        let until = now + ttl;
        let mut table = self.table();
        if let Some(held) = table.live(name, now) {
            if held.holder != holder {
                return Ok(Lease::HeldBy(held.holder.clone()));
            }
            held.until = until;
            return Ok(Lease::Renewed);
        }
        table.sweep(now);
        table.leases.insert(
            name.to_owned(),
            Held {
                holder: holder.to_owned(),
                until,
            },
        );
        Ok(Lease::Acquired)
    }

    async fn release(&self, name: &str, holder: &str) -> Result<bool, CacheError> {
        check_name(name)?;
        check_holder(holder)?;
        let mut table = self.table();
        let ours = table
            .live(name, Instant::now())
            .is_some_and(|held| held.holder == holder);
        if ours {
            table.leases.remove(name);
        }
        Ok(ours)
    }

    async fn holder(&self, name: &str) -> Result<Option<String>, CacheError> {
        check_name(name)?;
        Ok(self
            .table()
            .live(name, Instant::now())
            .map(|held| held.holder.clone()))
    }

    fn describe(&self) -> String {
        "in-process leases".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn expired_entries_are_swept_as_the_table_grows() -> Result<(), CacheError> {
        let leases = MemoryLeases::new();
        for i in 0..SWEEP_FLOOR {
            let _ = leases
                .acquire(&format!("old-{i}"), "a", Duration::from_millis(1))
                .await?;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(leases.table().leases.len(), SWEEP_FLOOR);
        let _ = leases.acquire("new", "a", Duration::from_secs(1)).await?;
        assert_eq!(leases.table().leases.len(), 1);
        assert_eq!(leases.holder("new").await?.as_deref(), Some("a"));
        Ok(())
    }
}
