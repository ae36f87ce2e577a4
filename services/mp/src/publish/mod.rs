//! The deferred publication of products to one channel.
//!
//! 1. Recovery: batches a previous run handed to the marketplace and never saw settled (outbox
//!    entries `sending` with their submission) are followed, never re-sent.
//! 2. Plan, as persist streams the products: each becomes the channel's card; cards that cannot be
//!    built or fail the marketplace's dictionary check are not sent and their listing says why;
//!    cards whose content hash is already published are unchanged.
//! 3. Send, alongside the plan: the rest in batches of the marketplace's maximum, the first as
//!    soon as it is full; each batch's submission is stored on its outbox entries before
//!    anything else happens.
//! 4. Follow, alongside the sending: each submission is polled from the moment it is stored
//!    until every card is published (external ids saved on the listing) or rejected (the
//!    marketplace's errors saved on the listing), or the run's follow-up time after the last
//!    hand-over passes (they stay `sending` for the next run).

mod follow;
mod plan;
mod send;
mod store;

use std::collections::BTreeMap;
use std::time::Duration;

use carpetti_cache::DynCache;
use carpetti_marketplace::{ListingIds, Problem};
use carpetti_repo::PersistClient;
use serde::Serialize;

use crate::MpServiceError;
use crate::channel::ChannelContext;
use crate::dictionaries::Dictionaries;

/// Which products to publish.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every active product.
    All,
    /// These SKUs.
    Skus(Vec<String>),
}

/// What happened to one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Failed,
    Pending,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
            Outcome::Pending => "pending",
        }
    }
}

/// One product of a publication.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    pub sku: String,
    pub outcome: Outcome,
    pub content_hash: String,
    pub ids: Option<ListingIds>,
    pub problems: Vec<Problem>,
}

/// The whole publication.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PublishReport {
    pub channel: String,
    pub items: Vec<ItemReport>,
    /// Cards handed to the marketplace (in how many calls).
    pub cards_sent: usize,
    pub submissions: usize,
    /// Batches of a previous run followed to their end.
    pub recovered: usize,
}

impl PublishReport {
    pub fn counts(&self) -> BTreeMap<Outcome, usize> {
        let mut counts = BTreeMap::new();
        for item in &self.items {
            *counts.entry(item.outcome).or_default() += 1;
        }
        counts
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.items.iter().filter(|i| i.outcome == outcome).count()
    }
}

/// Progress of a long publication (the CLI draws a bar from it).
pub trait Progress: Send + Sync {
    /// What is being done now and how many items it has.
    fn phase(&self, name: &str, total: u64);
    /// More items in the current phase than announced (products are found as they stream in).
    fn grow(&self, more: u64);
    fn advance(&self, done: u64);
}

/// No progress display.
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: u64) {}
    fn grow(&self, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Pacing of the follow-up of submissions.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// Between two polls of the same submission.
    pub poll_interval: Duration,
    /// How long a run follows its submissions after the last hand-over before leaving them to
    /// the next run.
    pub follow_for: Duration,
}

impl Default for PublishOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(5),
            follow_for: Duration::from_secs(600),
        }
    }
}

/// Cards planned ahead of the sending (ten batches of the largest maximum).
const PLANNED_AHEAD: usize = 1_000;

/// Publishes products to channels.
#[derive(Clone)]
pub struct Publisher {
    persist: PersistClient,
    cache: DynCache,
    options: PublishOptions,
}

impl Publisher {
    pub fn new(persist: PersistClient, cache: DynCache, options: PublishOptions) -> Self {
        Self {
            persist,
            cache,
            options,
        }
    }

    /// Publishes `selection` to the channel of `ctx`.
    pub async fn publish(
        &self,
        ctx: &ChannelContext,
        selection: &Selection,
        progress: &dyn Progress,
    ) -> Result<PublishReport, MpServiceError> {
        let rows = store::ChannelRows::load(&self.persist, ctx).await?;
        let mut report = PublishReport {
            channel: ctx.code().to_owned(),
            ..PublishReport::default()
        };
        let follower = follow::Follower::new(ctx, &rows, &self.options);
        let recovered = follower.recover();
        report.recovered = recovered.len();
        let dictionaries = Dictionaries::new(self.cache.clone(), ctx.code(), ctx.connector.clone());
        // The plan hands cards to the sending as they are ready; each batch is followed from
        // its hand-over on.
        let (to_send, planned) = tokio::sync::mpsc::channel(PLANNED_AHEAD);
        progress.phase("publishing", 0);
        let planning = plan::plan(
            &self.persist,
            ctx,
            &rows,
            &dictionaries,
            selection,
            to_send,
            progress,
        );
        let (settled, handled) =
            tokio::try_join!(planning, follower.run(recovered, planned, progress))?;
        report.items.extend(handled.reports);
        report.items.extend(settled);
        report.cards_sent = handled.cards_sent;
        report.submissions = handled.submissions;
        // An item followed from an earlier run and planned again keeps the followed outcome.
        report.items.sort_by(|a, b| a.sku.cmp(&b.sku));
        report
            .items
            .dedup_by(|later, earlier| later.sku == earlier.sku);
        Ok(report)
    }
}
