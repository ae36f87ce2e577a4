//! A channel as service_mp drives it: the persist row, its credentials and mappings, and the
//! connector of its marketplace.

use std::collections::HashMap;
use std::sync::Arc;

use carpetti_marketplace::{Connector, Credentials, Marketplace};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;

use crate::MpServiceError;
use crate::connectors::{ConnectOptions, connect};
use crate::pages::{all_pages, channel_query};

/// One of our attributes mapped to the marketplace's.
#[derive(Debug, Clone)]
pub struct AttributeMapping {
    /// The marketplace's attribute id.
    pub external_id: String,
    /// Our option code → the marketplace's value.
    pub values: HashMap<String, String>,
}

/// Everything a publication to one channel needs, loaded once per run.
pub struct ChannelContext {
    pub channel: cat::Channel,
    pub channel_id: String,
    pub marketplace: Marketplace,
    pub settings: serde_json::Value,
    /// Our category id → the marketplace's category id.
    pub categories: HashMap<String, String>,
    /// Our attribute code → its mapping.
    pub attributes: HashMap<String, AttributeMapping>,
    /// Product fields carried as marketplace attributes (`vendor` → Ozon 85 …), from the
    /// settings key `field_attributes`.
    pub field_attributes: HashMap<String, String>,
    /// Values sent for marketplace attributes a product has no value of (settings key
    /// `attribute_defaults`: `{"85": "Нет бренда", "4389": "Россия"}`).
    pub attribute_defaults: Vec<(String, String)>,
    /// The warehouse our stock is published to (settings `stock_warehouse`, else the first of
    /// `warehouses`).
    pub stock_warehouse: Option<String>,
    pub connector: Arc<dyn Connector>,
}

impl ChannelContext {
    pub fn code(&self) -> &str {
        &self.channel.code
    }

    /// Loads the channel `code` with its mappings and builds its connector.
    pub async fn load(
        persist: &PersistClient,
        code: &str,
        options: &ConnectOptions,
    ) -> Result<Self, MpServiceError> {
        let channel = persist
            .channels()
            .get_channel(key(code))
            .await?
            .into_inner();
        let kind =
            cat::ChannelKind::try_from(channel.kind).unwrap_or(cat::ChannelKind::Unspecified);
        let marketplace = match kind {
            cat::ChannelKind::Ozon => Marketplace::Ozon,
            cat::ChannelKind::Wildberries => Marketplace::Wildberries,
            cat::ChannelKind::YandexMarket => Marketplace::YandexMarket,
            cat::ChannelKind::Megamarket => Marketplace::Megamarket,
            other => {
                return Err(MpServiceError::channel(
                    code,
                    format!(
                        "a {} channel has no marketplace connector",
                        other.as_str_name()
                    ),
                ));
            }
        };
        let channel_id = channel
            .meta
            .as_ref()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let settings = carpetti_persist::grpc::convert::struct_to_json(channel.settings.clone());
        let secrets = persist
            .channels()
            .get_channel_credentials(key(code))
            .await?
            .into_inner()
            .secrets;
        let mut credentials = Credentials::new();
        for (name, value) in secrets {
            credentials = credentials.with(&name, value);
        }
        let connector = connect(marketplace, &settings, &credentials, options)?;
        let categories = category_maps(persist, &channel_id).await?;
        let attributes = attribute_maps(persist, &channel_id).await?;
        let field_attributes = settings
            .get("field_attributes")
            .and_then(|v| v.as_object())
            .map(|map| {
                map.iter()
                    .filter_map(|(field, id)| Some((field.clone(), scalar(id)?)))
                    .collect()
            })
            .unwrap_or_default();
        let attribute_defaults = settings
            .get("attribute_defaults")
            .and_then(|v| v.as_object())
            .map(|map| {
                map.iter()
                    .filter_map(|(id, value)| Some((id.clone(), scalar(value)?)))
                    .collect()
            })
            .unwrap_or_default();
        let stock_warehouse = settings
            .get("stock_warehouse")
            .and_then(scalar)
            .or_else(|| {
                settings
                    .get("warehouses")
                    .and_then(|w| w.as_array())
                    .and_then(|w| w.first())
                    .and_then(scalar)
            });
        Ok(Self {
            channel,
            channel_id,
            marketplace,
            settings,
            categories,
            attributes,
            field_attributes,
            attribute_defaults,
            stock_warehouse,
            connector,
        })
    }
}

/// A JSON string or number as text.
pub fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn key(code: &str) -> api::GetRequest {
    api::GetRequest {
        key: code.to_owned(),
        ..Default::default()
    }
}

async fn category_maps(
    persist: &PersistClient,
    channel_id: &str,
) -> Result<HashMap<String, String>, MpServiceError> {
    let maps = all_pages(|cursor| {
        let mut client = persist.channels();
        let query = channel_query(channel_id, cursor);
        async move {
            let page = client.list_channel_category_maps(query).await?.into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await?;
    Ok(maps
        .into_iter()
        .map(|map| (map.category_id, map.external_id))
        .collect())
}

async fn attribute_maps(
    persist: &PersistClient,
    channel_id: &str,
) -> Result<HashMap<String, AttributeMapping>, MpServiceError> {
    let maps = all_pages(|cursor| {
        let mut client = persist.channels();
        let query = channel_query(channel_id, cursor);
        async move {
            let page = client
                .list_channel_attribute_maps(query)
                .await?
                .into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await?;
    Ok(maps
        .into_iter()
        .map(|map| {
            let mapping = AttributeMapping {
                external_id: map.external_id,
                values: map.value_map.into_iter().collect(),
            };
            (map.attribute_code, mapping)
        })
        .collect())
}
