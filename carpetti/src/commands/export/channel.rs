//! `export yml --channel CODE`: the catalog's active products as the channel's feed, the flavor
//! chosen by the channel's kind (Megamarket → stock per warehouse, Ozon → price/stock feed, Yandex
//! Market and our shop → the full catalog). Categories are the catalog's tree.

use std::collections::HashMap;

use anyhow::{Context as _, bail};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use carpetti_yml::{Category, Flavor, Offer, Outlet, Shop};
use futures::StreamExt;
use rust_decimal::Decimal;

use super::YmlArgs;
use super::feed::{FeedFile, Summary, decimal, dimensions_cm};
use crate::context::Context;

pub async fn export(
    client: &PersistClient,
    code: &str,
    args: &YmlArgs,
    ctx: &Context,
) -> anyhow::Result<Summary> {
    let lookup = api::GetRequest {
        key: code.to_owned(),
        ..Default::default()
    };
    let channel = client
        .channels()
        .get_channel(lookup)
        .await
        .with_context(|| format!("channel {code}"))?
        .into_inner();
    let flavor = match (args.flavor, cat::ChannelKind::try_from(channel.kind)) {
        (Some(flavor), _) => flavor.flavor(),
        (None, Ok(cat::ChannelKind::Megamarket)) => Flavor::Megamarket,
        (None, Ok(cat::ChannelKind::Ozon)) => Flavor::OzonPriceStock,
        (None, Ok(cat::ChannelKind::YandexMarket | cat::ChannelKind::Shop)) => Flavor::YandexMarket,
        (None, _) => bail!(
            "channel {code} is a {} channel, which takes no YML feed (its catalog goes through \
             the API); give --flavor to write one anyway",
            cat::ChannelKind::try_from(channel.kind).map_or("unknown", |k| k.as_str_name())
        ),
    };
    // The warehouse a Megamarket feed states stock for (channel setting "warehouse_id").
    let warehouse = carpetti_persist::grpc::convert::struct_to_json(channel.settings.clone())
        .get("warehouse_id")
        .and_then(|v| {
            v.as_str()
                .map(str::to_owned)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        })
        .unwrap_or_else(|| "1".to_owned());
    let (categories, ids) = categories(client).await?;
    let mut feed = FeedFile::create(&args.out, flavor, None, !ctx.json)?;
    let request = api::StreamProductsRequest {
        status: Some(cat::ProductStatus::Active as i32),
        after_sku: String::new(),
    };
    let mut chunks = client
        .products()
        .stream_products(request)
        .await
        .context("reading the catalog")?
        .into_inner();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.context("reading the catalog")?;
        for product in chunk.items {
            feed.write(&offer_of(product, &ids, flavor, &warehouse))?;
        }
    }
    let shop = Shop {
        name: Some(channel.name.clone()),
        company: Some(channel.name.clone()),
        platform: Some("Carpetti".to_owned()),
        currencies: vec![carpetti_yml::Currency {
            id: if channel.currency.is_empty() {
                "RUB".to_owned()
            } else {
                channel.currency.clone()
            },
            rate: Some(Decimal::ONE),
            rate_source: None,
        }],
        ..Default::default()
    };
    feed.finish(shop, categories, format!("channel {code}"))
}

/// The catalog's category tree with numeric feed ids (by catalog id).
async fn categories(
    client: &PersistClient,
) -> anyhow::Result<(Vec<Category>, HashMap<String, String>)> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let query = api::ListQuery {
            cursor: cursor.clone(),
            page_size: 1000,
            ..Default::default()
        };
        let page = client
            .structure()
            .list_categories(query)
            .await
            .context("reading the categories")?
            .into_inner();
        all.extend(page.items);
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
    let ids: HashMap<String, String> = all
        .iter()
        .enumerate()
        .filter_map(|(n, c)| Some((c.meta.as_ref()?.id.clone(), (n + 1).to_string())))
        .collect();
    let categories = all
        .into_iter()
        .filter_map(|c| {
            let id = ids.get(&c.meta.as_ref()?.id)?.clone();
            Some(Category {
                id,
                parent_id: c.parent_id.and_then(|p| ids.get(&p).cloned()),
                name: c.name,
            })
        })
        .collect();
    Ok((categories, ids))
}

/// A catalog product as a YML offer.
fn offer_of(
    p: cat::Product,
    ids: &HashMap<String, String>,
    flavor: Flavor,
    warehouse: &str,
) -> Offer {
    let dimensions = dimensions_cm(p.dimensions);
    let outlets = match flavor {
        Flavor::Megamarket | Flavor::OzonPriceStock => vec![Outlet {
            id: Some(warehouse.to_owned()),
            warehouse_name: (flavor == Flavor::OzonPriceStock).then(|| warehouse.to_owned()),
            instock: p.stock,
        }],
        Flavor::YandexMarket => Vec::new(),
    };
    Offer {
        id: p.sku,
        available: Some(p.stock > 0),
        name: Some(p.name),
        vendor: p.vendor,
        vendor_code: p.vendor_code,
        price: decimal(&p.price),
        old_price: p.old_price.as_deref().and_then(decimal),
        currency_id: Some(if p.currency.is_empty() {
            "RUB".to_owned()
        } else {
            p.currency
        }),
        category_id: p.category_id.and_then(|id| ids.get(&id).cloned()),
        pictures: p.pictures,
        description: p.description,
        barcodes: p.barcodes,
        weight_kg: p.weight_g.map(|g| Decimal::from(g) / Decimal::ONE_THOUSAND),
        dimensions,
        stock: Some(p.stock),
        outlets,
        ..Default::default()
    }
}
