//! `carpetti mp publish --channel CODE [--all | --sku SKU…]`

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::bail;
use carpetti_mp::publish::{Outcome, PublishOptions, Publisher, Selection};
use clap::Args;

use super::progress::Bar;
use crate::commands::local::PersistAccess;
use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct PublishArgs {
    #[arg(long, value_name = "CODE")]
    pub channel: String,
    /// Every active product of the catalog.
    #[arg(long, conflicts_with = "sku")]
    pub all: bool,
    /// These SKUs (repeatable).
    #[arg(long, value_name = "SKU")]
    pub sku: Vec<String>,
    /// How long to follow the marketplace's processing before leaving it to the next run.
    #[arg(long, default_value = "600", value_name = "SECONDS")]
    pub follow_for: u64,
    /// Seconds between two polls of the marketplace's processing.
    #[arg(long, default_value = "2", value_name = "SECONDS")]
    pub poll_every: u64,
}

pub async fn run(args: PublishArgs, access: &PersistAccess, ctx: &Context) -> anyhow::Result<()> {
    let selection = match (args.all, args.sku.is_empty()) {
        (true, _) => Selection::All,
        (false, false) => Selection::Skus(args.sku.clone()),
        (false, true) => bail!("give --all or --sku SKU"),
    };
    let channel = super::channel(access, &args.channel).await?;
    let publisher = Publisher::new(
        access.client.clone(),
        access.cache.clone(),
        PublishOptions {
            poll_interval: Duration::from_secs(args.poll_every.max(1)),
            follow_for: Duration::from_secs(args.follow_for),
        },
    );
    let bar = Bar::new(!ctx.json);
    let report = publisher.publish(&channel, &selection, &bar).await;
    bar.finish();
    let report = report.map_err(|e| anyhow::anyhow!("publishing to {}: {e}", args.channel))?;
    if ctx.json {
        output::json_line(&serde_json::to_value(&report)?);
        return Ok(());
    }
    let mut problems = output::table(["sku", "outcome", "problem"]);
    let mut shown = 0;
    for item in report.items.iter().filter(|i| !i.problems.is_empty()) {
        for problem in &item.problems {
            if shown < 50 {
                problems.add_row([item.sku.as_str(), item.outcome.as_str(), &problem.message]);
            }
            shown += 1;
        }
    }
    if shown > 0 {
        output::line(&problems.to_string());
        if shown > 50 {
            output::line(&format!(
                "… and {} more problems (--json lists them all)",
                shown - 50
            ));
        }
    }
    let counts = report.counts();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for item in report.items.iter().filter(|i| i.outcome == Outcome::Failed) {
        for problem in &item.problems {
            *reasons.entry(problem.code.clone()).or_default() += 1;
        }
    }
    let mut summary = output::table(["outcome", "products"]);
    for outcome in [
        Outcome::Created,
        Outcome::Updated,
        Outcome::Unchanged,
        Outcome::Failed,
        Outcome::Pending,
    ] {
        summary.add_row([
            outcome.as_str(),
            &counts.get(&outcome).copied().unwrap_or(0).to_string(),
        ]);
    }
    for (code, count) in &reasons {
        summary.add_row([&format!("  failed: {code}"), &count.to_string()]);
    }
    output::line(&summary.to_string());
    output::line(&format!(
        "{}: {} card(s) sent in {} call(s); {} batch(es) of an earlier run followed.",
        report.channel, report.cards_sent, report.submissions, report.recovered
    ));
    Ok(())
}
