//! Sending cards in batches and following each batch's asynchronous outcome to the end, saving
//! the external ids or the marketplace's errors on the listings.

use std::collections::HashMap;
use std::time::Instant;

use carpetti_marketplace::{CardResult, CardState, Problem, Submission};
use carpetti_proto::catalog::v1 as cat;

use super::plan::Prepared;
use super::store::ChannelRows;
use super::{ItemReport, Outcome, Progress, PublishOptions};
use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::listings::{item_error, now};

/// One card handed over, awaiting its outcome.
#[derive(Debug, Clone)]
struct Sent {
    product_id: String,
    sku: String,
    hash: String,
    was_published: bool,
}

/// A submission being followed.
struct Open {
    submission: Submission,
    /// By offer id.
    items: HashMap<String, Sent>,
}

pub struct Follower<'a> {
    ctx: &'a ChannelContext,
    rows: &'a ChannelRows,
    options: &'a PublishOptions,
    open: Vec<Open>,
    cards_sent: usize,
    submissions: usize,
}

impl<'a> Follower<'a> {
    pub fn new(
        ctx: &'a ChannelContext,
        rows: &'a ChannelRows,
        options: &'a PublishOptions,
    ) -> Self {
        Self {
            ctx,
            rows,
            options,
            open: Vec::new(),
            cards_sent: 0,
            submissions: 0,
        }
    }

    pub fn cards_sent(&self) -> usize {
        self.cards_sent
    }

    pub fn submissions(&self) -> usize {
        self.submissions
    }

    /// Takes over the batches an earlier run handed to the marketplace and did not see settled;
    /// returns how many.
    pub fn recover(&mut self) -> usize {
        let mut batches: HashMap<String, Vec<cat::OutboxEntry>> = HashMap::new();
        for entry in self.rows.sending() {
            if let Some(batch) = entry.batch_id.clone() {
                batches.entry(batch).or_default().push(entry);
            }
        }
        let mut recovered = 0;
        for (batch, entries) in batches {
            let Ok(submission) = serde_json::from_str::<Submission>(&batch) else {
                tracing::warn!(
                    channel = self.ctx.code(),
                    "an outbox batch does not decode; it will be sent again"
                );
                continue;
            };
            let mut items = HashMap::new();
            for entry in entries {
                let listing = self.rows.listing(&entry.product_id);
                items.insert(
                    entry.sku.clone(),
                    Sent {
                        product_id: entry.product_id.clone(),
                        sku: entry.sku.clone(),
                        hash: entry.payload_hash.clone(),
                        was_published: listing.is_some_and(|l| {
                            l.external_product_id.is_some() || l.external_sku.is_some()
                        }),
                    },
                );
            }
            recovered += 1;
            self.open.push(Open { submission, items });
        }
        recovered
    }

    /// Hands the cards over in batches of the marketplace's maximum. Items refused by a call as a
    /// whole, or left unsent because the marketplace stayed unavailable, are reported here.
    pub async fn send(
        &mut self,
        cards: Vec<Prepared>,
        progress: &dyn Progress,
    ) -> Result<Vec<ItemReport>, MpServiceError> {
        let per_call = self.ctx.connector.limits().cards_per_call.max(1);
        progress.phase("sending", cards.len() as u64);
        let mut reports = Vec::new();
        let mut cards = cards;
        while !cards.is_empty() {
            let rest = cards.split_off(per_call.min(cards.len()));
            let batch = std::mem::replace(&mut cards, rest);
            let payload: Vec<_> = batch.iter().map(|p| p.card.clone()).collect();
            match self.ctx.connector.submit_cards(&payload).await {
                Ok(submission) => {
                    self.submissions += 1;
                    self.cards_sent += batch.len();
                    reports.extend(self.handed_over(submission, batch).await?);
                }
                Err(error) => {
                    let transient = error.is_transient();
                    let problem = Problem::new(error.code(), error.to_string());
                    reports.extend(self.not_sent(batch, problem, transient).await?);
                }
            }
            progress.advance(payload.len() as u64);
        }
        Ok(reports)
    }

    /// Stores the submission on every entry of the batch before anything else, then settles what
    /// the call itself refused.
    async fn handed_over(
        &mut self,
        submission: Submission,
        batch: Vec<Prepared>,
    ) -> Result<Vec<ItemReport>, MpServiceError> {
        let stored = serde_json::to_string(&submission).unwrap_or_default();
        let entries = batch.iter().map(|p| cat::OutboxEntry {
            product_id: p.product_id.clone(),
            payload_hash: p.hash.clone(),
            status: cat::OutboxStatus::Sending as i32,
            attempts: self.rows.entry(&p.product_id).map_or(1, |e| e.attempts + 1),
            next_attempt_at: Some(now()),
            batch_id: Some(stored.clone()),
            ..Default::default()
        });
        self.rows.save_entries(entries.collect()).await?;
        let mut items: HashMap<String, Sent> = batch
            .into_iter()
            .map(|p| {
                (
                    p.card.offer_id.clone(),
                    Sent {
                        product_id: p.product_id,
                        sku: p.sku,
                        hash: p.hash,
                        was_published: p.was_published,
                    },
                )
            })
            .collect();
        let mut settled = Vec::new();
        for result in &submission.settled {
            if let Some(sent) = items.remove(&result.offer_id) {
                settled.push((sent, result.clone()));
            }
        }
        let reports = self.apply(settled).await?;
        if !items.is_empty() {
            self.open.push(Open { submission, items });
        }
        Ok(reports)
    }

    /// A batch the marketplace did not take: kept pending for the next run when the failure is
    /// passing, failed otherwise.
    async fn not_sent(
        &self,
        batch: Vec<Prepared>,
        problem: Problem,
        transient: bool,
    ) -> Result<Vec<ItemReport>, MpServiceError> {
        let status = if transient {
            cat::OutboxStatus::Pending
        } else {
            cat::OutboxStatus::Failed
        };
        let entries = batch.iter().map(|p| cat::OutboxEntry {
            product_id: p.product_id.clone(),
            payload_hash: p.hash.clone(),
            status: status as i32,
            attempts: self.rows.entry(&p.product_id).map_or(1, |e| e.attempts + 1),
            next_attempt_at: Some(now()),
            last_error: Some(problem.message.clone()),
            batch_id: None,
            ..Default::default()
        });
        self.rows.save_entries(entries.collect()).await?;
        if !transient {
            let listings = batch.iter().map(|p| {
                let mut listing =
                    self.rows
                        .listing(&p.product_id)
                        .unwrap_or_else(|| cat::Listing {
                            product_id: p.product_id.clone(),
                            external_offer_id: Some(p.card.offer_id.clone()),
                            ..Default::default()
                        });
                listing.status = cat::ListingStatus::Rejected as i32;
                listing.errors = vec![item_error(&problem)];
                listing.synced_at = Some(now());
                listing
            });
            self.rows.save_listings(listings.collect()).await?;
        }
        Ok(batch
            .into_iter()
            .map(|p| ItemReport {
                sku: p.sku,
                outcome: if transient {
                    Outcome::Pending
                } else {
                    Outcome::Failed
                },
                content_hash: p.hash,
                ids: None,
                problems: vec![problem.clone()],
            })
            .collect())
    }

    /// Polls every open submission until all its cards are settled or the run's time is up.
    pub async fn follow(
        &mut self,
        progress: &dyn Progress,
    ) -> Result<Vec<ItemReport>, MpServiceError> {
        let total: usize = self.open.iter().map(|o| o.items.len()).sum();
        progress.phase("following", total as u64);
        let deadline = Instant::now() + self.options.follow_for;
        let mut reports = Vec::new();
        let mut first = true;
        while !self.open.is_empty() && Instant::now() < deadline {
            if !first {
                tokio::time::sleep(self.options.poll_interval).await;
            }
            first = false;
            let mut still_open = Vec::new();
            for mut open in merged(std::mem::take(&mut self.open)) {
                match self.ctx.connector.poll_cards(&open.submission).await {
                    Ok(results) => {
                        let mut settled = Vec::new();
                        for result in results {
                            if matches!(result.state, CardState::Pending) {
                                continue;
                            }
                            if let Some(sent) = open.items.remove(&result.offer_id) {
                                settled.push((sent, result));
                            }
                        }
                        progress.advance(settled.len() as u64);
                        reports.extend(self.apply(settled).await?);
                    }
                    Err(error) => {
                        tracing::warn!(channel = self.ctx.code(), %error, "polling a submission failed; trying again");
                    }
                }
                if !open.items.is_empty() {
                    still_open.push(open);
                }
            }
            self.open = still_open;
        }
        // What the marketplace has not settled yet stays `sending` for the next run.
        for open in std::mem::take(&mut self.open) {
            reports.extend(open.items.into_values().map(|sent| ItemReport {
                sku: sent.sku,
                outcome: Outcome::Pending,
                content_hash: sent.hash,
                ids: None,
                problems: Vec::new(),
            }));
        }
        Ok(reports)
    }

    /// Saves settled outcomes on the listings and their outbox entries.
    async fn apply(
        &self,
        settled: Vec<(Sent, CardResult)>,
    ) -> Result<Vec<ItemReport>, MpServiceError> {
        let mut reports = Vec::with_capacity(settled.len());
        let mut writes = Vec::new();
        for (sent, result) in settled {
            // An outcome of content already replaced by a newer submission is stale.
            if self
                .rows
                .entry(&sent.product_id)
                .is_some_and(|e| e.payload_hash != sent.hash)
            {
                continue;
            }
            let mut listing = self
                .rows
                .listing(&sent.product_id)
                .unwrap_or_else(|| cat::Listing {
                    product_id: sent.product_id.clone(),
                    ..Default::default()
                });
            let mut entry = cat::OutboxEntry {
                product_id: sent.product_id.clone(),
                payload_hash: sent.hash.clone(),
                attempts: self.rows.entry(&sent.product_id).map_or(1, |e| e.attempts),
                next_attempt_at: Some(now()),
                ..Default::default()
            };
            listing.synced_at = Some(now());
            let report = match result.state {
                CardState::Published { ids } => {
                    listing.external_offer_id = Some(ids.offer_id.clone());
                    listing.external_product_id =
                        ids.product_id.clone().or(listing.external_product_id);
                    listing.external_sku = ids.sku.clone().or(listing.external_sku);
                    listing.status = cat::ListingStatus::Published as i32;
                    listing.published_hash = Some(sent.hash.clone());
                    listing.published_at = Some(now());
                    listing.errors.clear();
                    entry.status = cat::OutboxStatus::Sent as i32;
                    ItemReport {
                        sku: sent.sku,
                        outcome: if sent.was_published {
                            Outcome::Updated
                        } else {
                            Outcome::Created
                        },
                        content_hash: sent.hash,
                        ids: Some(ids),
                        problems: Vec::new(),
                    }
                }
                CardState::Rejected { problems } => {
                    listing
                        .external_offer_id
                        .get_or_insert_with(|| result.offer_id.clone());
                    listing.status = cat::ListingStatus::Rejected as i32;
                    listing.errors = problems.iter().map(item_error).collect();
                    entry.status = cat::OutboxStatus::Failed as i32;
                    entry.last_error = Some(
                        problems
                            .iter()
                            .map(|p| p.message.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    );
                    ItemReport {
                        sku: sent.sku,
                        outcome: Outcome::Failed,
                        content_hash: sent.hash,
                        ids: None,
                        problems,
                    }
                }
                CardState::Pending => continue,
            };
            writes.push((listing, entry));
            reports.push(report);
        }
        // The listings first: an entry marked done with its listing unwritten would be lost.
        let (listings, entries): (Vec<_>, Vec<_>) = writes.into_iter().unzip();
        self.rows.save_listings(listings).await?;
        self.rows.save_entries(entries).await?;
        Ok(reports)
    }
}

/// Submissions without a marketplace handle (WB, Yandex Market, Megamarket are followed by
/// reading the offers back) polled as one: one read of the marketplace per round for what is
/// still pending, instead of one per batch. Submissions with a task id stay apart.
fn merged(open: Vec<Open>) -> Vec<Open> {
    let (handled, unhandled): (Vec<Open>, Vec<Open>) = open
        .into_iter()
        .partition(|o| o.submission.task_id.is_some());
    let mut all = handled;
    let mut items = HashMap::new();
    let mut submitted_at = None;
    for open in unhandled {
        submitted_at = Some(match submitted_at {
            Some(at) if at < open.submission.submitted_at => at,
            _ => open.submission.submitted_at,
        });
        items.extend(open.items);
    }
    if let Some(submitted_at) = submitted_at {
        let mut offer_ids: Vec<String> = items.keys().cloned().collect();
        offer_ids.sort();
        all.push(Open {
            submission: Submission {
                task_id: None,
                offer_ids,
                submitted_at,
                settled: Vec::new(),
            },
            items,
        });
    }
    all
}
