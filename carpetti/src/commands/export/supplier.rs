//! `export yml --supplier CODE`: a supplier's available items as a Yandex Market catalog (the
//! catalog build that turns supplier items into products comes later; the round trip and the
//! benchmarks use this).

use anyhow::Context as _;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use carpetti_yml::{Flavor, Offer, Param, Shop};
use futures::StreamExt;
use rust_decimal::Decimal;

use super::YmlArgs;
use super::feed::{CategoryTree, FeedFile, Summary, decimal, dimensions_cm};
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
    let supplier = client
        .suppliers()
        .get_supplier(lookup)
        .await
        .with_context(|| format!("supplier {code}"))?
        .into_inner();
    let supplier_id = supplier
        .meta
        .as_ref()
        .map(|m| m.id.clone())
        .unwrap_or_default();
    let flavor = args
        .flavor
        .map_or(Flavor::YandexMarket, super::FlavorArg::flavor);
    let mut feed = FeedFile::create(&args.out, flavor, None, !ctx.json)?;
    let mut categories = CategoryTree::default();
    let request = api::StreamSupplierItemsRequest {
        supplier_id,
        only_available: true,
        after_offer_id: String::new(),
    };
    let mut chunks = client
        .suppliers()
        .stream_supplier_items(request)
        .await
        .context("reading the supplier's items")?
        .into_inner();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.context("reading the supplier's items")?;
        for item in chunk.items {
            let offer = offer_of(item, &mut categories);
            feed.write(&offer)?;
        }
    }
    let shop = Shop {
        name: Some(supplier.name.clone()),
        company: Some(supplier.name.clone()),
        url: None,
        platform: Some("Carpetti".to_owned()),
        currencies: vec![carpetti_yml::Currency {
            id: "RUB".to_owned(),
            rate: Some(Decimal::ONE),
            rate_source: None,
        }],
        ..Default::default()
    };
    feed.finish(
        shop,
        categories.into_categories(),
        format!("supplier {code}"),
    )
}

/// A supplier item as a YML offer.
pub fn offer_of(item: cat::SupplierItem, categories: &mut CategoryTree) -> Offer {
    let category_id = item
        .category_name
        .as_deref()
        .and_then(|path| categories.id_of(path));
    let dimensions = dimensions_cm(item.dimensions);
    Offer {
        id: item.offer_id,
        available: Some(item.available),
        group_id: item.group_id,
        name: Some(item.name),
        vendor: item.vendor,
        vendor_code: item.vendor_code,
        url: item.url,
        price: decimal(&item.price),
        old_price: item.old_price.as_deref().and_then(decimal),
        currency_id: Some(if item.currency.is_empty() {
            "RUB".to_owned()
        } else {
            item.currency
        }),
        category_id,
        pictures: item.pictures,
        description: item.description,
        barcodes: item.barcodes,
        params: item
            .params
            .into_iter()
            .map(|p| Param {
                name: p.name,
                unit: p.unit,
                value: p.value,
            })
            .collect(),
        weight_kg: item
            .weight_g
            .map(|g| Decimal::from(g) / Decimal::ONE_THOUSAND),
        dimensions,
        stock: item.stock,
        ..Default::default()
    }
}
