//! `carpetti mp prices|stocks --channel CODE`: the catalog's current prices and stocks of the
//! channel's published products.

use carpetti_marketplace::StockUpdate;
use carpetti_mp::listings::{ids_of, published_listings};
use carpetti_mp::stocks::{StockQueue, drain};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use futures::StreamExt;

use super::ChannelOnly;
use crate::commands::local::PersistAccess;
use crate::context::Context;
use crate::output;

async fn active_products(client: &PersistClient) -> anyhow::Result<Vec<cat::Product>> {
    let mut chunks = client
        .products()
        .stream_products(api::StreamProductsRequest {
            status: Some(cat::ProductStatus::Active as i32),
            after_sku: String::new(),
        })
        .await
        .map_err(|s| anyhow::anyhow!("reading the catalog: {}", s.message()))?
        .into_inner();
    let mut products = Vec::new();
    while let Some(chunk) = chunks.next().await {
        products.extend(
            chunk
                .map_err(|s| anyhow::anyhow!("reading the catalog: {}", s.message()))?
                .items,
        );
    }
    Ok(products)
}

pub async fn prices(
    args: ChannelOnly,
    access: &PersistAccess,
    ctx: &Context,
) -> anyhow::Result<()> {
    let channel = super::channel(access, &args.channel).await?;
    let products = active_products(&access.client).await?;
    let report = carpetti_mp::prices::push_prices(&access.client, &channel, &products)
        .await
        .map_err(|e| anyhow::anyhow!("prices to {}: {e}", args.channel))?;
    if ctx.json {
        output::json_line(&serde_json::to_value(&report)?);
        return Ok(());
    }
    let mut table = output::table(["sent", "calls", "applied", "refused", "not published"]);
    table.add_row([
        report.sent.to_string(),
        report.calls.to_string(),
        report.applied.to_string(),
        report.refused.len().to_string(),
        report.not_published.to_string(),
    ]);
    output::line(&table.to_string());
    for (offer, problems) in report.refused.iter().take(20) {
        let text: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        output::line(&format!("  {offer}: {}", text.join("; ")));
    }
    Ok(())
}

pub async fn stocks(
    args: ChannelOnly,
    access: &PersistAccess,
    ctx: &Context,
) -> anyhow::Result<()> {
    let channel = super::channel(access, &args.channel).await?;
    let Some(warehouse) = channel.stock_warehouse.clone() else {
        anyhow::bail!(
            "channel {} has no warehouse: add --setting warehouses=ID (or stock_warehouse=ID)",
            args.channel
        );
    };
    let products = active_products(&access.client).await?;
    let listings = published_listings(&access.client, &channel)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut queue = StockQueue::new();
    for product in &products {
        let id = product
            .meta
            .as_ref()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        if let Some(listing) = listings.get(&id) {
            queue.push(StockUpdate {
                ids: ids_of(listing),
                warehouse_id: warehouse.clone(),
                quantity: u32::try_from(product.stock.max(0)).unwrap_or(u32::MAX),
            });
        }
    }
    let report = drain(channel.connector.as_ref(), &mut queue)
        .await
        .map_err(|e| anyhow::anyhow!("stocks to {}: {e}", args.channel))?;
    if ctx.json {
        output::json_line(&serde_json::to_value(&report)?);
        return Ok(());
    }
    let mut table = output::table([
        "changes",
        "coalesced",
        "sent",
        "calls",
        "applied",
        "refused",
    ]);
    table.add_row([
        report.received.to_string(),
        report.coalesced.to_string(),
        report.sent.to_string(),
        report.calls.to_string(),
        report.applied.to_string(),
        report.refused.len().to_string(),
    ]);
    output::line(&table.to_string());
    Ok(())
}
