//! One import at a time per supplier: an import takes its supplier's turn and a second request
//! waits for it. A supplier's entry lives only while an import of it runs or waits, so the table
//! does not grow with every supplier code ever asked for (unknown ones included).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OwnedMutexGuard;

type Turn = Arc<tokio::sync::Mutex<()>>;

#[derive(Default)]
pub(crate) struct Turns {
    suppliers: Mutex<HashMap<String, Turn>>,
}

impl Turns {
    /// Waits for `supplier`'s turn; it passes on when the guard is dropped.
    pub(crate) async fn take(&self, supplier: &str) -> TurnGuard<'_> {
        let turn = {
            let mut suppliers = self
                .suppliers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::clone(suppliers.entry(supplier.to_owned()).or_default())
        };
        // The clone is held from here on (inside the owned guard): the entry is not removed
        // while this request waits.
        let guard = turn.lock_owned().await;
        TurnGuard {
            turns: self,
            supplier: supplier.to_owned(),
            guard: Some(guard),
        }
    }

    /// Suppliers with an import running or waiting.
    pub(crate) fn len(&self) -> usize {
        self.suppliers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

pub(crate) struct TurnGuard<'a> {
    turns: &'a Turns,
    supplier: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Drop for TurnGuard<'_> {
    fn drop(&mut self) {
        // Pass the turn on first; then drop the entry if nobody else holds or awaits it (a
        // waiter took its clone under the table's lock, so it is counted here).
        drop(self.guard.take());
        let mut suppliers = self
            .turns
            .suppliers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if suppliers
            .get(&self.supplier)
            .is_some_and(|turn| Arc::strong_count(turn) == 1)
        {
            suppliers.remove(&self.supplier);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_turn_per_supplier_and_no_entry_left_behind() {
        let turns = Arc::new(Turns::default());
        let first = turns.take("a").await;
        let other = turns.take("b").await;
        assert_eq!(turns.len(), 2);
        drop(other);
        assert_eq!(turns.len(), 1);

        // A second request for "a" waits until the first turn ends.
        let (started, mut ready) = tokio::sync::oneshot::channel::<()>();
        let waiting = {
            let turns = Arc::clone(&turns);
            tokio::spawn(async move {
                let _ = started.send(());
                let _second = turns.take("a").await;
            })
        };
        (&mut ready).await.expect("the waiter started");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "a second turn was given while the first ran"
        );
        assert_eq!(turns.len(), 1);
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the waiter got its turn")
            .expect("the waiter ran");
        assert_eq!(turns.len(), 0, "an entry outlived its imports");
    }
}
