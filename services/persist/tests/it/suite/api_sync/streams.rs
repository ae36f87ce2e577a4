//! The item and product streams over gRPC: 25,000 offers each exactly once in offer-id order,
//! resumed after a key, filtered by availability; products by SKU and status.

use std::collections::HashSet;

use carpetti_persist::model::product::ProductStatus;
use carpetti_persist::store::DynStore;
use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::product_service_client::ProductServiceClient;
use tonic::Status;

use super::client::{bad_field, offer, serve, supplier};
use crate::suite::products::product;

pub async fn items_stream_each_once_in_offer_order(store: DynStore) -> anyhow::Result<()> {
    const N: usize = 25_000;
    let running = serve(store).await?;
    let mut s = supplier(&running, "big").await?;
    // written in a scrambled order (7,919 is prime to 25,000): the stream follows the offer ids
    let items: Vec<pb::SupplierItem> = (0..N).map(|i| offer(i * 7_919 % N)).collect();
    let created = s.upsert("", items).await?;
    assert_eq!(created.len(), N);

    let chunks = s.items(false).await?;
    assert!(
        chunks
            .iter()
            .all(|c| !c.items.is_empty() && c.items.len() <= 2_000)
    );
    assert!(chunks.len() >= N / 2_000, "{} chunks", chunks.len());
    let offers: Vec<&str> = chunks
        .iter()
        .flat_map(|c| c.items.iter().map(|i| i.offer_id.as_str()))
        .collect();
    let expected: Vec<String> = (0..N).map(|i| format!("S-{i:05}")).collect();
    assert_eq!(
        offers, expected,
        "each offer exactly once, in offer-id order"
    );
    // each streamed item is what GetSupplierItem answers
    for i in [0, 1_999, 2_000, 12_345, N - 1] {
        let streamed = chunks
            .iter()
            .flat_map(|c| c.items.iter())
            .find(|item| item.offer_id == expected[i])
            .cloned()
            .expect("streamed");
        assert_eq!(streamed, s.get(&expected[i]).await?);
        assert_eq!(streamed.supplier_code, "big");
    }

    // resumed after the last offer received: the rest, each once
    let rest = s.items_after(false, "S-12344").await?;
    let resumed: Vec<&str> = rest
        .iter()
        .flat_map(|c| c.items.iter().map(|i| i.offer_id.as_str()))
        .collect();
    assert_eq!(resumed, expected[12_345..]);

    let available = s.items(true).await?;
    let count: usize = available.iter().map(|c| c.items.len()).sum();
    assert_eq!(count, (0..N).filter(|i| i % 7 != 3).count());
    assert!(available.iter().flat_map(|c| &c.items).all(|i| i.available));

    let hashes = s.hashes(false).await?;
    let sizes: Vec<usize> = hashes.iter().map(|c| c.items.len()).collect();
    assert_eq!(sizes, [10_000, 10_000, 5_000]);
    let unique: HashSet<&str> = hashes
        .iter()
        .flat_map(|c| c.items.iter().map(|p| p.offer_id.as_str()))
        .collect();
    assert_eq!(unique.len(), N);
    Ok(())
}

pub async fn products_stream_by_sku(store: DynStore) -> anyhow::Result<()> {
    const N: usize = 2_100;
    let products: Vec<_> = (0..N)
        .rev()
        .map(|i| {
            let mut p = product(&format!("P-{i:04}"));
            if i % 10 == 0 {
                p.status = ProductStatus::Archived;
            }
            p
        })
        .collect();
    store.upsert_products(products).await?;
    let running = serve(store).await?;
    let mut client = ProductServiceClient::new(running.channel.clone());

    let collect = |status: Option<pb::ProductStatus>| {
        let mut client = client.clone();
        async move {
            let mut stream = client
                .stream_products(api::StreamProductsRequest {
                    status: status.map(Into::into),
                    after_sku: String::new(),
                })
                .await?
                .into_inner();
            let mut chunks = Vec::new();
            while let Some(chunk) = stream.message().await? {
                chunks.push(chunk);
            }
            Ok::<_, Status>(chunks)
        }
    };
    let all = collect(None).await?;
    let sizes: Vec<usize> = all.iter().map(|c| c.items.len()).collect();
    assert_eq!(sizes, [2_000, 100]);
    let skus: Vec<&str> = all
        .iter()
        .flat_map(|c| c.items.iter().map(|p| p.sku.as_str()))
        .collect();
    let expected: Vec<String> = (0..N).map(|i| format!("P-{i:04}")).collect();
    assert_eq!(skus, expected);
    let first = &all[0].items[0];
    assert_eq!(first.price, "2990.5");
    assert_eq!(first.status(), pb::ProductStatus::Archived);

    let mut resumed = client
        .clone()
        .stream_products(api::StreamProductsRequest {
            status: None,
            after_sku: "P-2049".into(),
        })
        .await?
        .into_inner();
    let mut rest = Vec::new();
    while let Some(chunk) = resumed.message().await? {
        rest.extend(chunk.items.into_iter().map(|p| p.sku));
    }
    assert_eq!(rest, expected[2_050..]);

    let archived = collect(Some(pb::ProductStatus::Archived)).await?;
    let skus: Vec<&str> = archived
        .iter()
        .flat_map(|c| c.items.iter().map(|p| p.sku.as_str()))
        .collect();
    let expected: Vec<String> = (0..N).step_by(10).map(|i| format!("P-{i:04}")).collect();
    assert_eq!(skus, expected);

    let status = client
        .stream_products(api::StreamProductsRequest {
            status: Some(pb::ProductStatus::Unspecified.into()),
            after_sku: String::new(),
        })
        .await
        .expect_err("unspecified status");
    assert_eq!(bad_field(&status), "status");
    Ok(())
}
