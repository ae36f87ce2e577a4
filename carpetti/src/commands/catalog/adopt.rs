//! One product per available supplier item: name, vendor, vendor code, barcodes, description,
//! pictures, dimensions, weight, price, old price and stock as the supplier gave them; the
//! category given on the command line (created when missing); params whose name is one of our
//! text or number attributes (by code or name) as that attribute's value.

use std::collections::HashMap;

use anyhow::Context as _;
use carpetti_mp::pages::{all_pages, channel_query};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_repo::PersistClient;
use clap::Args;
use futures::StreamExt;

use crate::commands::local::PersistAccess;
use crate::context::Context;
use crate::output;

/// Products per upsert message.
const CHUNK: usize = 2_000;

#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The supplier's code.
    #[arg(long, value_name = "CODE")]
    pub supplier: String,
    /// Our category for every adopted product (created when missing).
    #[arg(long, value_name = "CODE")]
    pub category: Option<String>,
    /// Prefix of the SKUs (SKU = prefix + the supplier's offer id).
    #[arg(long, default_value = "")]
    pub sku_prefix: String,
}

pub async fn run(args: AdoptArgs, access: &PersistAccess, ctx: &Context) -> anyhow::Result<()> {
    let client = &access.client;
    let status = |s: tonic::Status| anyhow::anyhow!("{}", s.message());
    let supplier = client
        .suppliers()
        .get_supplier(api::GetRequest {
            key: args.supplier.clone(),
            ..Default::default()
        })
        .await
        .map_err(status)
        .with_context(|| format!("supplier {}", args.supplier))?
        .into_inner();
    let category_id = match &args.category {
        Some(code) => Some(category(client, code).await?),
        None => None,
    };
    let attributes = attributes(client).await?;
    let mut chunks = client
        .suppliers()
        .stream_supplier_items(api::StreamSupplierItemsRequest {
            supplier_id: supplier.meta.map(|m| m.id).unwrap_or_default(),
            only_available: true,
            after_offer_id: String::new(),
        })
        .await
        .map_err(status)?
        .into_inner();
    let mut products = Vec::new();
    while let Some(chunk) = chunks.next().await {
        for item in chunk.map_err(status)?.items {
            products.push(product_of(
                item,
                &args.sku_prefix,
                category_id.as_deref(),
                &attributes,
            ));
        }
    }
    let mut summary = api::BulkSummary::default();
    let mut rejected = Vec::new();
    for chunk in products.chunks(CHUNK) {
        let request = api::UpsertProductsRequest {
            items: chunk.to_vec(),
        };
        let mut answers = client
            .products()
            .upsert_products(futures::stream::iter([request]))
            .await
            .map_err(status)?
            .into_inner();
        while let Some(answer) = answers.next().await {
            let answer = answer.map_err(status)?;
            if let Some(s) = answer.summary {
                summary.received += s.received;
                summary.created += s.created;
                summary.updated += s.updated;
                summary.unchanged += s.unchanged;
                summary.rejected += s.rejected;
            }
            rejected.extend(
                answer
                    .results
                    .into_iter()
                    .filter(|r| !r.reason.is_empty())
                    .map(|r| (r.key, r.reason)),
            );
        }
    }
    if ctx.json {
        output::json_line(&serde_json::json!({
            "supplier": args.supplier, "received": summary.received, "created": summary.created,
            "updated": summary.updated, "unchanged": summary.unchanged, "rejected": summary.rejected,
            "rejections": rejected.iter().map(|(k, r)| serde_json::json!({"sku": k, "reason": r})).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    for (sku, reason) in rejected.iter().take(20) {
        output::line(&format!("  rejected {sku}: {reason}"));
    }
    let mut table = output::table(["items", "created", "updated", "unchanged", "rejected"]);
    table.add_row([
        summary.received.to_string(),
        summary.created.to_string(),
        summary.updated.to_string(),
        summary.unchanged.to_string(),
        summary.rejected.to_string(),
    ]);
    output::line(&table.to_string());
    Ok(())
}

/// The id of our category `code`, created when missing.
async fn category(client: &PersistClient, code: &str) -> anyhow::Result<String> {
    let found = client
        .structure()
        .get_category(api::GetRequest {
            key: code.to_owned(),
            ..Default::default()
        })
        .await;
    let category = match found {
        Ok(c) => c.into_inner(),
        Err(s) if s.code() == tonic::Code::NotFound => client
            .structure()
            .create_category(cat::Category {
                code: code.to_owned(),
                name: code.to_owned(),
                ..Default::default()
            })
            .await
            .map_err(|s| anyhow::anyhow!("creating category {code}: {}", s.message()))?
            .into_inner(),
        Err(s) => anyhow::bail!("category {code}: {}", s.message()),
    };
    Ok(category.meta.map(|m| m.id).unwrap_or_default())
}

/// Our text and number attributes by lower-case code and name.
async fn attributes(
    client: &PersistClient,
) -> anyhow::Result<HashMap<String, (String, cat::AttributeKind)>> {
    let attributes = all_pages(|cursor| {
        let mut structure = client.structure();
        let query = channel_query("", cursor);
        async move {
            let page = structure.list_attributes(query).await?.into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await
    .map_err(|s| anyhow::anyhow!("attributes: {}", s.message()))?;
    let mut by_name = HashMap::new();
    for attribute in attributes {
        let kind = attribute.kind();
        if matches!(kind, cat::AttributeKind::Text | cat::AttributeKind::Number) {
            by_name.insert(
                attribute.code.to_lowercase(),
                (attribute.code.clone(), kind),
            );
            by_name.insert(
                attribute.name.to_lowercase(),
                (attribute.code.clone(), kind),
            );
        }
    }
    Ok(by_name)
}

fn product_of(
    item: cat::SupplierItem,
    prefix: &str,
    category_id: Option<&str>,
    attributes: &HashMap<String, (String, cat::AttributeKind)>,
) -> cat::Product {
    use cat::attribute_value::Value;
    let mut values: Vec<cat::AttributeValue> = Vec::new();
    for param in &item.params {
        let Some((code, kind)) = attributes.get(&param.name.trim().to_lowercase()) else {
            continue;
        };
        if values.iter().any(|v| &v.attribute_code == code) {
            continue;
        }
        let value = match kind {
            cat::AttributeKind::Number => {
                let number = param.value.trim().replace(',', ".");
                if number.parse::<f64>().is_err() {
                    continue;
                }
                Value::Number(number)
            }
            _ => Value::Text(param.value.trim().to_owned()),
        };
        values.push(cat::AttributeValue {
            attribute_code: code.clone(),
            value: Some(value),
        });
    }
    cat::Product {
        sku: format!("{prefix}{}", item.offer_id),
        name: item.name,
        vendor: item.vendor,
        vendor_code: item.vendor_code,
        barcodes: item.barcodes,
        description: item.description,
        pictures: item.pictures,
        dimensions: item.dimensions,
        weight_g: item.weight_g,
        price: item.price,
        old_price: item.old_price,
        currency: "RUB".into(),
        stock: item.stock.unwrap_or(0).max(0),
        vat: cat::Vat::Vat20 as i32,
        category_id: category_id.map(str::to_owned),
        status: cat::ProductStatus::Active as i32,
        values,
        ..Default::default()
    }
}
