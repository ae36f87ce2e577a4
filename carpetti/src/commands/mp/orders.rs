//! `carpetti mp orders --channel CODE [--since RFC3339 | --days N]`

use chrono::{DateTime, Utc};
use clap::Args;

use crate::commands::local::PersistAccess;
use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct OrdersArgs {
    #[arg(long, value_name = "CODE")]
    pub channel: String,
    /// Orders created or changed since this instant (RFC 3339).
    #[arg(long, conflicts_with = "days")]
    pub since: Option<DateTime<Utc>>,
    /// Orders created or changed in the last N days (default 7).
    #[arg(long, default_value = "7")]
    pub days: i64,
}

pub async fn run(args: OrdersArgs, access: &PersistAccess, ctx: &Context) -> anyhow::Result<()> {
    let channel = super::channel(access, &args.channel).await?;
    let since = args
        .since
        .unwrap_or_else(|| Utc::now() - chrono::Duration::days(args.days.max(0)));
    let report = carpetti_mp::orders::sync_orders(&access.client, &channel, since)
        .await
        .map_err(|e| anyhow::anyhow!("orders of {}: {e}", args.channel))?;
    if ctx.json {
        output::json_line(&serde_json::to_value(&report)?);
        return Ok(());
    }
    let mut table = output::table([
        "order",
        "marketplace status",
        "status",
        "lines",
        "matched",
        "total",
        "result",
    ]);
    for order in &report.orders {
        table.add_row([
            order.external_id.as_str(),
            order.marketplace_status.as_str(),
            order.status.as_str(),
            &order.lines.to_string(),
            &order.matched_lines.to_string(),
            &order.total.to_string(),
            order.outcome,
        ]);
    }
    output::line(&table.to_string());
    let mut summary = output::table(["created", "updated", "unchanged", "unmatched lines"]);
    summary.add_row([
        report.created.to_string(),
        report.updated.to_string(),
        report.unchanged.to_string(),
        report.unmatched_lines.to_string(),
    ]);
    output::line(&summary.to_string());
    Ok(())
}
