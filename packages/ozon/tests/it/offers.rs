//! Everything the account holds, paged with the `last_id` cursor.

use std::collections::HashSet;

use carpetti_marketplace::Connector;

use crate::{Harness, carpet, publish};

#[tokio::test]
async fn list_offers_pages_through_every_product_with_its_sku() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let cards: Vec<_> = (0..1200u32)
        .map(|n| carpet(&format!("BULK-{n:05}"), n))
        .collect();
    publish(&h.connector, &cards).await?;
    assert_eq!(h.sandbox.product_count(), 1200);
    h.sandbox.toolkit().clear_exchanges();

    let offers = h.connector.list_offers().await?;
    assert_eq!(offers.len(), 1200);
    let distinct: HashSet<&str> = offers.iter().map(|o| o.ids.offer_id.as_str()).collect();
    assert_eq!(distinct.len(), 1200);
    let sample = offers
        .iter()
        .find(|o| o.ids.offer_id == "BULK-00777")
        .expect("listed");
    let product = h.sandbox.product("BULK-00777").expect("held");
    assert_eq!(sample.ids.product_id, Some(product.product_id.to_string()));
    assert_eq!(sample.ids.sku, Some(product.sku.to_string()));
    assert_eq!(sample.status.as_deref(), Some("price_sent/approved"));
    let kit = h.sandbox.toolkit();
    assert_eq!(kit.exchanges_to("/v3/product/list").len(), 2, "1000 + 200");
    assert_eq!(kit.exchanges_to("/v3/product/info/list").len(), 2);
    Ok(())
}
