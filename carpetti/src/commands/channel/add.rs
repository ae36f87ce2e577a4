//! `carpetti channel add CODE --kind ozon --name … [--setting k=v]… [--credential k=v]…`

use anyhow::{Context as _, bail};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use clap::{Args, ValueEnum};

use super::pairs;
use crate::context::Context;
use crate::output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Ozon,
    Wildberries,
    YandexMarket,
    Megamarket,
    Shop,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The channel's code (its business key).
    pub code: String,
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// Display name (default: the code).
    #[arg(long)]
    pub name: Option<String>,
    /// A connector setting, `name=value` (repeatable): base_url, warehouses (comma-separated),
    /// business_id, campaign_id … Values that parse as JSON are taken as JSON.
    #[arg(long = "setting", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
    /// An account credential, `name=value` (repeatable): client_id, api_key, token … Stored in
    /// persist's secret store, never printed.
    #[arg(long = "credential", value_name = "NAME=VALUE")]
    pub credentials: Vec<String>,
}

pub async fn run(args: AddArgs, client: &PersistClient, ctx: &Context) -> anyhow::Result<()> {
    let mut settings = serde_json::Map::new();
    for (name, value) in pairs(&args.settings, "setting")? {
        let parsed = if name == "warehouses" {
            serde_json::Value::Array(
                value
                    .split(',')
                    .map(|w| serde_json::Value::String(w.trim().to_owned()))
                    .filter(|w| w.as_str().is_some_and(|w| !w.is_empty()))
                    .collect(),
            )
        } else {
            // Objects, arrays and booleans are JSON; numbers stay text: they are ids, and a
            // protobuf Struct would turn them into doubles.
            match serde_json::from_str::<serde_json::Value>(&value) {
                Ok(
                    json @ (serde_json::Value::Object(_)
                    | serde_json::Value::Array(_)
                    | serde_json::Value::Bool(_)),
                ) => json,
                _ => serde_json::Value::String(value),
            }
        };
        settings.insert(name, parsed);
    }
    let credentials = pairs(&args.credentials, "credential")?;
    let kind = match args.kind {
        Kind::Ozon => cat::ChannelKind::Ozon,
        Kind::Wildberries => cat::ChannelKind::Wildberries,
        Kind::YandexMarket => cat::ChannelKind::YandexMarket,
        Kind::Megamarket => cat::ChannelKind::Megamarket,
        Kind::Shop => cat::ChannelKind::Shop,
    };
    let mut channel = cat::Channel {
        code: args.code.clone(),
        name: args.name.clone().unwrap_or_else(|| args.code.clone()),
        kind: kind as i32,
        locale: "ru_RU".into(),
        currency: "RUB".into(),
        active: true,
        settings: Some(carpetti_persist::grpc::convert::json_to_struct(
            &serde_json::Value::Object(settings),
        )),
        ..Default::default()
    };
    let key = api::GetRequest {
        key: args.code.clone(),
        ..Default::default()
    };
    let existing = client.channels().get_channel(key.clone()).await;
    let (saved, verb) = match existing {
        Ok(found) => {
            channel.meta = found.into_inner().meta.map(|mut m| {
                m.change_seq = 0;
                m
            });
            (client.channels().update_channel(channel).await, "updated")
        }
        Err(status) if status.code() == tonic::Code::NotFound => {
            (client.channels().create_channel(channel).await, "created")
        }
        Err(status) => bail!("reading channel {}: {}", args.code, status.message()),
    };
    let saved = saved
        .map_err(|s| anyhow::anyhow!("{}", s.message()))
        .with_context(|| format!("saving channel {}", args.code))?
        .into_inner();
    let mut names = Vec::new();
    if !credentials.is_empty() {
        names = client
            .channels()
            .set_channel_credentials(api::SetChannelCredentialsRequest {
                channel: Some(key),
                secrets: credentials.into_iter().collect(),
            })
            .await
            .map_err(|s| anyhow::anyhow!("{}", s.message()))
            .context("saving the credentials")?
            .into_inner()
            .names;
    }
    if ctx.json {
        output::json_line(&serde_json::json!({
            "channel": saved.code, "kind": super::list::kind_name(saved.kind),
            "result": verb, "credentials": names,
        }));
    } else {
        let mut table = output::table(["channel", "kind", "result", "credentials"]);
        table.add_row([
            saved.code.as_str(),
            super::list::kind_name(saved.kind),
            verb,
            &names.join(", "),
        ]);
        output::line(&table.to_string());
    }
    Ok(())
}
