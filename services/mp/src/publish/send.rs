//! Handing cards over in batches of the marketplace's maximum: each batch's submission is stored
//! on its outbox entries before anything else, what the call itself refused is settled at once,
//! and the rest goes on to the follow-up, which runs alongside.

use std::collections::HashMap;

use carpetti_marketplace::{Problem, Submission};
use carpetti_proto::catalog::v1 as cat;

use tokio::sync::mpsc::{self, UnboundedSender};

use super::follow::{Follower, Handled, Open, Sent};
use super::plan::Prepared;
use super::{ItemReport, Outcome, Progress};
use crate::MpServiceError;
use crate::listings::{item_error, now};

impl Follower<'_> {
    /// Hands the cards over in batches of the marketplace's maximum, passing each submission on
    /// to `handed` (the follow-up) once it is stored. Items refused by a call as a whole, or left
    /// unsent because the marketplace stayed unavailable, are reported here.
    pub(super) async fn send(
        &self,
        mut cards: mpsc::Receiver<Prepared>,
        handed: UnboundedSender<Open>,
        progress: &dyn Progress,
    ) -> Result<Handled, MpServiceError> {
        let per_call = self.ctx.connector.limits().cards_per_call.max(1);
        let mut done = Handled::default();
        loop {
            // A full batch, or what is left once the plan has ended.
            let mut batch = Vec::with_capacity(per_call);
            while batch.len() < per_call {
                match cards.recv().await {
                    Some(card) => batch.push(card),
                    None => break,
                }
            }
            if batch.is_empty() {
                return Ok(done);
            }
            let payload: Vec<_> = batch.iter().map(|p| p.card.clone()).collect();
            let reports = match self.ctx.connector.submit_cards(&payload).await {
                Ok(submission) => {
                    done.submissions += 1;
                    done.cards_sent += batch.len();
                    self.handed_over(submission, batch, &handed).await?
                }
                Err(error) => {
                    let transient = error.is_transient();
                    let problem = Problem::new(error.code(), error.to_string());
                    self.not_sent(batch, problem, transient).await?
                }
            };
            progress.advance(reports.len() as u64);
            done.reports.extend(reports);
        }
    }

    /// Stores the submission on every entry of the batch before anything else, then settles what
    /// the call itself refused.
    async fn handed_over(
        &self,
        submission: Submission,
        batch: Vec<Prepared>,
        handed: &UnboundedSender<Open>,
    ) -> Result<Vec<ItemReport>, MpServiceError> {
        // Every entry of the batch carries it, so it is stored without the list of its offers
        // (recovery takes them from the entries): a few dozen bytes a row, not the whole batch.
        let stored = serde_json::to_string(&Submission {
            offer_ids: Vec::new(),
            ..submission.clone()
        })
        .unwrap_or_default();
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
        // The follow-up only goes away with an error that ends the run: the batch then stays
        // `sending` in the outbox, and the next run follows it.
        if !items.is_empty() && handed.send(Open { submission, items }).is_err() {
            tracing::debug!(
                channel = self.ctx.code(),
                "the follow-up has ended; the batch is left to the next run"
            );
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
}
