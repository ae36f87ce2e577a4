//! `carpetti channel show CODE`

use std::collections::BTreeMap;

use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use clap::Args;

use super::list::kind_name;
use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub code: String,
}

pub async fn run(args: ShowArgs, client: &PersistClient, ctx: &Context) -> anyhow::Result<()> {
    let key = api::GetRequest {
        key: args.code.clone(),
        ..Default::default()
    };
    let channel = client
        .channels()
        .get_channel(key.clone())
        .await
        .map_err(|s| anyhow::anyhow!("channel {}: {}", args.code, s.message()))?
        .into_inner();
    let id = channel
        .meta
        .as_ref()
        .map(|m| m.id.clone())
        .unwrap_or_default();
    let credential_names: Vec<String> = client
        .channels()
        .get_channel_credentials(key)
        .await
        .map_err(|s| anyhow::anyhow!("credentials: {}", s.message()))?
        .into_inner()
        .secrets
        .into_keys()
        .collect();
    let query = |cursor: &str| api::ListQuery {
        page_size: 1000,
        cursor: cursor.to_owned(),
        channel_id: id.clone(),
        ..Default::default()
    };
    let categories = client
        .channels()
        .list_channel_category_maps(query(""))
        .await
        .map_err(|s| anyhow::anyhow!("{}", s.message()))?
        .into_inner()
        .items;
    let attributes = client
        .channels()
        .list_channel_attribute_maps(query(""))
        .await
        .map_err(|s| anyhow::anyhow!("{}", s.message()))?
        .into_inner()
        .items;
    let mut statuses: BTreeMap<&'static str, usize> = BTreeMap::new();
    let listings = carpetti_mp::listings::all_listings(client, &id)
        .await
        .map_err(|e| anyhow::anyhow!("listings: {e}"))?;
    for listing in &listings {
        *statuses.entry(status_name(listing.status)).or_default() += 1;
    }
    let settings = carpetti_persist::grpc::convert::struct_to_json(channel.settings.clone());
    if ctx.json {
        output::json_line(&serde_json::json!({
            "code": channel.code, "name": channel.name, "kind": kind_name(channel.kind),
            "active": channel.active, "settings": settings, "credentials": credential_names,
            "category_maps": categories.iter().map(|m| serde_json::json!({"category": m.category_code, "external_id": m.external_id})).collect::<Vec<_>>(),
            "attribute_maps": attributes.iter().map(|m| serde_json::json!({"attribute": m.attribute_code, "external_id": m.external_id, "values": m.value_map})).collect::<Vec<_>>(),
            "listings": statuses,
        }));
        return Ok(());
    }
    let mut table = output::table(["field", "value"]);
    table.add_row(["code", channel.code.as_str()]);
    table.add_row(["name", channel.name.as_str()]);
    table.add_row(["kind", kind_name(channel.kind)]);
    table.add_row(["settings", &settings.to_string()]);
    table.add_row(["credentials", &credential_names.join(", ")]);
    output::line(&table.to_string());
    let mut maps = output::table(["our", "kind", "marketplace", "values"]);
    for m in &categories {
        maps.add_row([
            m.category_code.as_str(),
            "category",
            m.external_id.as_str(),
            "",
        ]);
    }
    for m in &attributes {
        let values: Vec<String> = m
            .value_map
            .iter()
            .map(|(k, v)| format!("{k}→{v}"))
            .collect();
        maps.add_row([
            m.attribute_code.as_str(),
            "attribute",
            m.external_id.as_str(),
            &values.join(", "),
        ]);
    }
    output::line(&maps.to_string());
    let mut listings = output::table(["listing status", "count"]);
    for (status, count) in &statuses {
        listings.add_row([*status, &count.to_string()]);
    }
    output::line(&listings.to_string());
    Ok(())
}

pub fn status_name(status: i32) -> &'static str {
    match cat::ListingStatus::try_from(status) {
        Ok(cat::ListingStatus::New) => "new",
        Ok(cat::ListingStatus::Pending) => "pending",
        Ok(cat::ListingStatus::Published) => "published",
        Ok(cat::ListingStatus::Rejected) => "rejected",
        Ok(cat::ListingStatus::Archived) => "archived",
        _ => "unknown",
    }
}
