//! `carpetti channel map CODE --category OURS --to THEIRS` and
//! `carpetti channel map CODE --attribute OURS --to THEIRS [--value OPTION=THEIRS]…`

use anyhow::bail;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use clap::Args;

use super::pairs;
use crate::context::Context;
use crate::output;

#[derive(Debug, Args)]
pub struct MapArgs {
    /// The channel's code.
    pub channel: String,
    /// Our category code.
    #[arg(
        long,
        conflicts_with = "attribute",
        required_unless_present = "attribute"
    )]
    pub category: Option<String>,
    /// Our attribute code.
    #[arg(long)]
    pub attribute: Option<String>,
    /// The marketplace's id (Ozon category: `description_category_id/type_id`).
    #[arg(long = "to", value_name = "ID")]
    pub external_id: String,
    /// For an option attribute: our option code = the marketplace's value (repeatable).
    #[arg(long = "value", value_name = "OPTION=VALUE")]
    pub values: Vec<String>,
}

pub async fn run(args: MapArgs, client: &PersistClient, ctx: &Context) -> anyhow::Result<()> {
    let status = |s: tonic::Status| anyhow::anyhow!("{}", s.message());
    let channel = client
        .channels()
        .get_channel(api::GetRequest {
            key: args.channel.clone(),
            ..Default::default()
        })
        .await
        .map_err(status)?
        .into_inner();
    let channel_id = channel.meta.map(|m| m.id).unwrap_or_default();
    let (ours, kind) = match (&args.category, &args.attribute) {
        (Some(category), _) => {
            let found = client
                .structure()
                .get_category(api::GetRequest {
                    key: category.clone(),
                    ..Default::default()
                })
                .await
                .map_err(status)?
                .into_inner();
            let category_id = found.meta.map(|m| m.id).unwrap_or_default();
            let map = cat::ChannelCategoryMap {
                channel_id: channel_id.clone(),
                category_id: category_id.clone(),
                external_id: args.external_id.clone(),
                ..Default::default()
            };
            let existing = client
                .channels()
                .get_channel_category_map(api::GetRequest {
                    key: category_id,
                    scope_id: channel_id,
                    ..Default::default()
                })
                .await;
            match existing {
                Ok(found) => {
                    let mut map = map;
                    map.meta = found.into_inner().meta.map(|mut m| {
                        m.change_seq = 0;
                        m
                    });
                    client
                        .channels()
                        .update_channel_category_map(map)
                        .await
                        .map_err(status)?;
                }
                Err(s) if s.code() == tonic::Code::NotFound => {
                    client
                        .channels()
                        .create_channel_category_map(map)
                        .await
                        .map_err(status)?;
                }
                Err(s) => return Err(status(s)),
            }
            (category.clone(), "category")
        }
        (None, Some(attribute)) => {
            let found = client
                .structure()
                .get_attribute(api::GetRequest {
                    key: attribute.clone(),
                    ..Default::default()
                })
                .await
                .map_err(status)?
                .into_inner();
            let attribute_id = found.meta.map(|m| m.id).unwrap_or_default();
            let map = cat::ChannelAttributeMap {
                channel_id: channel_id.clone(),
                attribute_id: attribute_id.clone(),
                external_id: args.external_id.clone(),
                value_map: pairs(&args.values, "value")?.into_iter().collect(),
                ..Default::default()
            };
            let existing = client
                .channels()
                .get_channel_attribute_map(api::GetRequest {
                    key: attribute_id,
                    scope_id: channel_id,
                    ..Default::default()
                })
                .await;
            match existing {
                Ok(found) => {
                    let mut map = map;
                    map.meta = found.into_inner().meta.map(|mut m| {
                        m.change_seq = 0;
                        m
                    });
                    client
                        .channels()
                        .update_channel_attribute_map(map)
                        .await
                        .map_err(status)?;
                }
                Err(s) if s.code() == tonic::Code::NotFound => {
                    client
                        .channels()
                        .create_channel_attribute_map(map)
                        .await
                        .map_err(status)?;
                }
                Err(s) => return Err(status(s)),
            }
            (attribute.clone(), "attribute")
        }
        (None, None) => bail!("give --category or --attribute"),
    };
    if ctx.json {
        output::json_line(
            &serde_json::json!({"channel": args.channel, kind: ours, "to": args.external_id}),
        );
    } else {
        let mut table = output::table(["channel", "our", "kind", "marketplace"]);
        table.add_row([
            args.channel.as_str(),
            ours.as_str(),
            kind,
            args.external_id.as_str(),
        ]);
        output::line(&table.to_string());
    }
    Ok(())
}
