//! `carpetti channel list`

use carpetti_mp::pages::{all_pages, channel_query};
use carpetti_proto::catalog::v1 as cat;
use carpetti_repo::PersistClient;

use crate::context::Context;
use crate::output;

pub async fn run(client: &PersistClient, ctx: &Context) -> anyhow::Result<()> {
    let mut channels = all_pages(|cursor| {
        let mut channels = client.channels();
        let query = channel_query("", cursor);
        async move {
            let page = channels.list_channels(query).await?.into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await
    .map_err(|s| anyhow::anyhow!("listing channels: {}", s.message()))?;
    channels.sort_by(|a, b| a.code.cmp(&b.code));
    if ctx.json {
        for channel in &channels {
            output::json_line(&serde_json::json!({
                "code": channel.code,
                "name": channel.name,
                "kind": kind_name(channel.kind),
                "active": channel.active,
                "settings": carpetti_persist::grpc::convert::struct_to_json(channel.settings.clone()),
            }));
        }
        return Ok(());
    }
    let mut table = output::table(["code", "name", "kind", "active", "base url"]);
    for channel in &channels {
        let settings = carpetti_persist::grpc::convert::struct_to_json(channel.settings.clone());
        table.add_row([
            channel.code.as_str(),
            channel.name.as_str(),
            kind_name(channel.kind),
            if channel.active { "yes" } else { "no" },
            settings
                .get("base_url")
                .and_then(|v| v.as_str())
                .unwrap_or("(production)"),
        ]);
    }
    output::line(&table.to_string());
    output::line(&format!("{} channel(s)", channels.len()));
    Ok(())
}

/// `ozon`, `wildberries`, `yandex_market`, `megamarket`, `shop`.
pub fn kind_name(kind: i32) -> &'static str {
    match cat::ChannelKind::try_from(kind) {
        Ok(cat::ChannelKind::Ozon) => "ozon",
        Ok(cat::ChannelKind::Wildberries) => "wildberries",
        Ok(cat::ChannelKind::YandexMarket) => "yandex_market",
        Ok(cat::ChannelKind::Megamarket) => "megamarket",
        Ok(cat::ChannelKind::Shop) => "shop",
        _ => "unknown",
    }
}
