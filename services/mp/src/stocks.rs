//! Stocks to the marketplaces, coalesced: every change of one offer at one warehouse collapses
//! into its latest quantity, sent in calls of the marketplace's maximum, and never more often per
//! offer × warehouse than the marketplace allows (Ozon: once per 30 s).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use carpetti_marketplace::{Connector, ItemOutcome, Problem, StockUpdate};
use serde::Serialize;

use crate::MpServiceError;

/// The key stocks coalesce on.
type Key = (String, String);

/// Stock changes waiting to be sent, latest quantity per offer × warehouse.
#[derive(Debug, Default)]
pub struct StockQueue {
    pending: HashMap<Key, StockUpdate>,
    /// Insertion order of the pending keys, for fairness.
    order: Vec<Key>,
    last_sent: HashMap<Key, Instant>,
    /// Changes received, and how many were absorbed by a later change of the same key.
    pub received: usize,
    pub coalesced: usize,
}

impl StockQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a change; a pending change of the same offer × warehouse is replaced.
    pub fn push(&mut self, update: StockUpdate) {
        self.received += 1;
        let key = (update.ids.offer_id.clone(), update.warehouse_id.clone());
        if self.pending.insert(key.clone(), update).is_some() {
            self.coalesced += 1;
        } else {
            self.order.push(key);
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Takes up to `max` changes that may be sent at `now` (their key was not sent within
    /// `interval`).
    pub fn take_due(
        &mut self,
        now: Instant,
        interval: Option<Duration>,
        max: usize,
    ) -> Vec<StockUpdate> {
        let mut due = Vec::new();
        let mut kept = Vec::with_capacity(self.order.len());
        for key in std::mem::take(&mut self.order) {
            let ready = due.len() < max
                && interval.is_none_or(|interval| {
                    self.last_sent
                        .get(&key)
                        .is_none_or(|at| now.duration_since(*at) >= interval)
                });
            match (ready, self.pending.remove(&key)) {
                (true, Some(update)) => due.push(update),
                (false, Some(update)) => {
                    self.pending.insert(key.clone(), update);
                    kept.push(key);
                }
                (_, None) => {}
            }
        }
        self.order = kept;
        due
    }

    /// Records that these keys were sent at `now`.
    pub fn sent(&mut self, updates: &[StockUpdate], now: Instant) {
        for update in updates {
            self.last_sent.insert(
                (update.ids.offer_id.clone(), update.warehouse_id.clone()),
                now,
            );
        }
    }

    /// How long until the earliest pending key may be sent.
    pub fn wait(&self, now: Instant, interval: Option<Duration>) -> Duration {
        let Some(interval) = interval else {
            return Duration::ZERO;
        };
        self.order
            .iter()
            .map(|key| {
                self.last_sent.get(key).map_or(Duration::ZERO, |at| {
                    interval.saturating_sub(now.duration_since(*at))
                })
            })
            .min()
            .unwrap_or(Duration::ZERO)
    }
}

/// What a stock push did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StockReport {
    pub received: usize,
    pub coalesced: usize,
    pub sent: usize,
    pub calls: usize,
    pub applied: usize,
    pub refused: Vec<(String, Option<String>, Vec<Problem>)>,
    /// Items the marketplace asked to send again later (too frequent), re-queued and resent.
    pub retried: usize,
}

/// Sends everything queued, as few calls as the batch maximum allows, waiting where the
/// per-item interval requires it; an item refused as too frequent is queued again.
pub async fn drain(
    connector: &dyn Connector,
    queue: &mut StockQueue,
) -> Result<StockReport, MpServiceError> {
    let limits = connector.limits();
    let per_call = limits.stocks_per_call.max(1);
    let mut report = StockReport {
        received: queue.received,
        coalesced: queue.coalesced,
        ..StockReport::default()
    };
    let mut retries_left = 3 * queue.len().max(1);
    while !queue.is_empty() {
        let now = Instant::now();
        let batch = queue.take_due(now, limits.stock_item_interval, per_call);
        if batch.is_empty() {
            tokio::time::sleep(
                queue
                    .wait(now, limits.stock_item_interval)
                    .max(Duration::from_millis(10)),
            )
            .await;
            continue;
        }
        let outcomes = connector.update_stocks(&batch).await?;
        queue.sent(&batch, Instant::now());
        report.calls += 1;
        report.sent += batch.len();
        let by_key: HashMap<Key, &StockUpdate> = batch
            .iter()
            .map(|u| ((u.ids.offer_id.clone(), u.warehouse_id.clone()), u))
            .collect();
        for outcome in outcomes {
            settle(outcome, &by_key, queue, &mut report, &mut retries_left);
        }
    }
    Ok(report)
}

fn settle(
    outcome: ItemOutcome,
    by_key: &HashMap<Key, &StockUpdate>,
    queue: &mut StockQueue,
    report: &mut StockReport,
    retries_left: &mut usize,
) {
    if outcome.is_applied() {
        report.applied += 1;
        return;
    }
    let too_often = outcome
        .problems
        .iter()
        .any(|p| p.code.eq_ignore_ascii_case("TOO_MANY_REQUESTS"));
    let key = (
        outcome.offer_id.clone(),
        outcome.warehouse_id.clone().unwrap_or_default(),
    );
    if too_often
        && *retries_left > 0
        && let Some(update) = by_key.get(&key)
    {
        *retries_left -= 1;
        report.retried += 1;
        // Queued again only if no newer quantity arrived meanwhile.
        if !queue.pending.contains_key(&key) {
            queue.pending.insert(key.clone(), (*update).clone());
            queue.order.push(key);
        }
        return;
    }
    report
        .refused
        .push((outcome.offer_id, outcome.warehouse_id, outcome.problems));
}
