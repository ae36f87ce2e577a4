//! `carpetti mp listings --channel CODE`

use std::collections::HashMap;

use carpetti_proto::persist::v1 as api;

use super::ChannelOnly;
use crate::commands::channel::status_name;
use crate::commands::local::PersistAccess;
use crate::context::Context;
use crate::output;

pub async fn run(args: ChannelOnly, access: &PersistAccess, ctx: &Context) -> anyhow::Result<()> {
    let channel = access
        .client
        .channels()
        .get_channel(api::GetRequest {
            key: args.channel.clone(),
            ..Default::default()
        })
        .await
        .map_err(|s| anyhow::anyhow!("channel {}: {}", args.channel, s.message()))?
        .into_inner();
    let channel_id = channel.meta.map(|m| m.id).unwrap_or_default();
    let mut listings = carpetti_mp::listings::all_listings(&access.client, &channel_id)
        .await
        .map_err(|e| anyhow::anyhow!("listings: {e}"))?;
    listings.sort_by(|a, b| a.sku.cmp(&b.sku));
    if ctx.json {
        for l in &listings {
            output::json_line(&serde_json::json!({
                "sku": l.sku, "status": status_name(l.status),
                "offer_id": l.external_offer_id, "product_id": l.external_product_id,
                "marketplace_sku": l.external_sku, "published_hash": l.published_hash,
                "errors": l.errors.iter().map(|e| serde_json::json!({"code": e.code, "message": e.message, "attribute": e.attribute})).collect::<Vec<_>>(),
            }));
        }
        return Ok(());
    }
    let mut table = output::table(["sku", "status", "product id", "marketplace sku", "errors"]);
    let mut by_status: HashMap<&str, usize> = HashMap::new();
    for l in &listings {
        *by_status.entry(status_name(l.status)).or_default() += 1;
        let errors: Vec<&str> = l.errors.iter().map(|e| e.message.as_str()).collect();
        table.add_row([
            l.sku.as_str(),
            status_name(l.status),
            l.external_product_id.as_deref().unwrap_or(""),
            l.external_sku.as_deref().unwrap_or(""),
            &errors.join("; "),
        ]);
    }
    output::line(&table.to_string());
    let mut summary: Vec<_> = by_status.into_iter().collect();
    summary.sort();
    let summary: Vec<String> = summary.iter().map(|(s, n)| format!("{n} {s}")).collect();
    output::line(&format!(
        "{} listing(s): {}",
        listings.len(),
        summary.join(", ")
    ));
    Ok(())
}
