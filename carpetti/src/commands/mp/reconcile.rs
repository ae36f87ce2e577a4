//! `carpetti mp reconcile --channel CODE`

use super::ChannelOnly;
use crate::commands::local::PersistAccess;
use crate::context::Context;
use crate::output;

pub async fn run(args: ChannelOnly, access: &PersistAccess, ctx: &Context) -> anyhow::Result<()> {
    let channel = super::channel(access, &args.channel).await?;
    let report = carpetti_mp::reconcile::reconcile(&access.client, &channel)
        .await
        .map_err(|e| anyhow::anyhow!("reconciling {}: {e}", args.channel))?;
    if ctx.json {
        output::json_line(&serde_json::to_value(&report)?);
        return Ok(());
    }
    let mut table = output::table(["where", "offer", "marketplace product", "marketplace sku"]);
    for offer in report.only_there.iter().take(100) {
        table.add_row([
            "only on the marketplace",
            offer.ids.offer_id.as_str(),
            offer.ids.product_id.as_deref().unwrap_or(""),
            offer.ids.sku.as_deref().unwrap_or(""),
        ]);
    }
    for sku in report.only_here.iter().take(100) {
        table.add_row(["only here (published)", sku.as_str(), "", ""]);
    }
    if !report.only_there.is_empty() || !report.only_here.is_empty() {
        output::line(&table.to_string());
    }
    let mut summary = output::table([
        "on the marketplace",
        "matched",
        "only there",
        "only here",
        "ids filled",
    ]);
    summary.add_row([
        report.remote.to_string(),
        report.matched.to_string(),
        report.only_there.len().to_string(),
        report.only_here.len().to_string(),
        report.ids_filled.to_string(),
    ]);
    output::line(&summary.to_string());
    Ok(())
}
