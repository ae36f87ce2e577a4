//! `carpetti channel list`

use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;

use crate::context::Context;
use crate::output;

pub async fn run(client: &PersistClient, ctx: &Context) -> anyhow::Result<()> {
    let mut channels = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = client
            .channels()
            .list_channels(api::ListQuery {
                page_size: 1000,
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .map_err(|s| anyhow::anyhow!("listing channels: {}", s.message()))?
            .into_inner();
        channels.extend(page.items);
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
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
