//! Following each batch's asynchronous outcome to the end while later batches are still being
//! sent, saving the external ids or the marketplace's errors on the listings.

use std::collections::HashMap;
use std::time::Instant;

use carpetti_marketplace::{CardResult, CardState, Submission};
use carpetti_proto::catalog::v1 as cat;
use tokio::sync::mpsc::{self, UnboundedReceiver, error::TryRecvError};

use super::plan::Prepared;
use super::store::ChannelRows;
use super::{ItemReport, Outcome, Progress, PublishOptions};
use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::listings::{item_error, now};

/// Submissions polled together: a connector may share one look-up among them (Ozon reads the
/// skus of a thousand products, ten imports, per call), and their outcomes are saved together.
const POLL_GROUP: usize = 10;

/// One card handed over, awaiting its outcome.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    pub(super) product_id: String,
    pub(super) sku: String,
    pub(super) hash: String,
    pub(super) was_published: bool,
}

/// A submission being followed.
pub(super) struct Open {
    pub(super) submission: Submission,
    /// By offer id.
    pub(super) items: HashMap<String, Sent>,
}

/// What a run handed over, and how each of its cards ended.
#[derive(Default)]
pub struct Handled {
    pub reports: Vec<ItemReport>,
    /// Cards handed to the marketplace (in how many calls).
    pub cards_sent: usize,
    pub submissions: usize,
}

/// Sends a channel's cards and follows them to their outcome, the two side by side: a batch is
/// followed from the moment it is handed over, so polling and saving outcomes overlap the
/// sending of later batches.
pub struct Follower<'a> {
    pub(super) ctx: &'a ChannelContext,
    pub(super) rows: &'a ChannelRows,
    options: &'a PublishOptions,
}

impl<'a> Follower<'a> {
    pub fn new(
        ctx: &'a ChannelContext,
        rows: &'a ChannelRows,
        options: &'a PublishOptions,
    ) -> Self {
        Self { ctx, rows, options }
    }

    /// The batches an earlier run handed to the marketplace and did not see settled, to be
    /// followed by [`Follower::run`].
    pub(super) fn recover(&self) -> Vec<Open> {
        let mut batches: HashMap<String, Vec<cat::OutboxEntry>> = HashMap::new();
        for entry in self.rows.sending() {
            if let Some(batch) = entry.batch_id.clone() {
                batches.entry(batch).or_default().push(entry);
            }
        }
        let mut recovered = Vec::new();
        for (batch, entries) in batches {
            let Ok(mut submission) = serde_json::from_str::<Submission>(&batch) else {
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
            // The stored batch leaves its offers out: they are the entries still waiting on it.
            submission.offer_ids = items.keys().cloned().collect();
            submission.offer_ids.sort();
            recovered.push(Open { submission, items });
        }
        recovered
    }

    /// Hands the planned `cards` over and follows them, with the `recovered` batches, until every
    /// card is settled or the run's follow-up time after the last hand-over is up.
    pub(super) async fn run(
        &self,
        recovered: Vec<Open>,
        cards: mpsc::Receiver<Prepared>,
        progress: &dyn Progress,
    ) -> Result<Handled, MpServiceError> {
        progress.grow(waiting(&recovered) as u64);
        let (handed, incoming) = mpsc::unbounded_channel();
        let (mut done, followed) = tokio::try_join!(
            self.send(cards, handed, progress),
            self.follow(recovered, incoming, progress)
        )?;
        done.reports.extend(followed);
        Ok(done)
    }

    /// Polls the open submissions, and those handed over meanwhile, a round per poll interval,
    /// until the sending has ended and every card is settled, or the follow-up time is up.
    async fn follow(
        &self,
        mut open: Vec<Open>,
        mut incoming: UnboundedReceiver<Open>,
        progress: &dyn Progress,
    ) -> Result<Vec<ItemReport>, MpServiceError> {
        let mut reports = Vec::new();
        let mut deadline = None;
        let mut next_round = tokio::time::Instant::now();
        loop {
            while deadline.is_none() {
                // What was handed over since the last round; when nothing is open, wait for it.
                let received = if open.is_empty() {
                    incoming.recv().await
                } else {
                    match incoming.try_recv() {
                        Ok(handed) => Some(handed),
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Disconnected) => None,
                    }
                };
                match received {
                    Some(handed) => open.push(handed),
                    None => {
                        deadline = Some(Instant::now() + self.options.follow_for);
                        progress.phase("following", waiting(&open) as u64);
                    }
                }
            }
            if open.is_empty() || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            tokio::time::sleep_until(next_round).await;
            next_round = tokio::time::Instant::now() + self.options.poll_interval;
            open = self.poll_round(open, progress, &mut reports).await?;
        }
        // What the marketplace has not settled yet stays `sending` for the next run.
        for open in open {
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

    /// Polls every open submission once, [`POLL_GROUP`] at a time, saves what settled and
    /// returns what is still open.
    async fn poll_round(
        &self,
        open: Vec<Open>,
        progress: &dyn Progress,
        reports: &mut Vec<ItemReport>,
    ) -> Result<Vec<Open>, MpServiceError> {
        let mut still_open = Vec::new();
        let mut round = merged(open).into_iter().peekable();
        while round.peek().is_some() {
            let mut group: Vec<Open> = round.by_ref().take(POLL_GROUP).collect();
            let submissions: Vec<Submission> = group.iter().map(|o| o.submission.clone()).collect();
            let answers = self.ctx.connector.poll_many(&submissions).await;
            let mut settled = Vec::new();
            for (open, answer) in group.iter_mut().zip(answers) {
                match answer {
                    Ok(results) => settled.extend(results.into_iter().filter_map(|result| {
                        if matches!(result.state, CardState::Pending) {
                            return None;
                        }
                        let sent = open.items.remove(&result.offer_id)?;
                        Some((sent, result))
                    })),
                    Err(error) => {
                        tracing::warn!(channel = self.ctx.code(), %error, "polling a submission failed; trying again");
                    }
                }
            }
            progress.advance(settled.len() as u64);
            reports.extend(self.apply(settled).await?);
            still_open.extend(group.into_iter().filter(|open| !open.items.is_empty()));
        }
        Ok(still_open)
    }

    /// Saves settled outcomes on the listings and their outbox entries.
    pub(super) async fn apply(
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

/// Cards still waiting on the marketplace.
fn waiting(open: &[Open]) -> usize {
    open.iter().map(|o| o.items.len()).sum()
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
