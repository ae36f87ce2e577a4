//! Prices and stocks reach the sandbox in the fewest calls the batch maxima allow; Ozon's item
//! errors come back per item.

use carpetti_marketplace::{CardState, Connector, ListingIds, PriceUpdate, StockUpdate};
use carpetti_ozon::SandboxConfig;
use carpetti_ozon::sandbox::seed;
use rust_decimal::Decimal;

use crate::{Harness, catalog, publish};

/// Publishes the good cards of the catalog; their listing ids.
async fn published(h: &Harness) -> anyhow::Result<Vec<ListingIds>> {
    let (cards, ..) = catalog();
    let results = publish(&h.connector, &cards).await?;
    Ok(results
        .into_iter()
        .filter_map(|r| match r.state {
            CardState::Published { ids } => Some(ids),
            _ => None,
        })
        .collect())
}

#[tokio::test]
async fn prices_arrive_in_one_call() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let listings = published(&h).await?;
    assert_eq!(listings.len(), 14);
    let prices: Vec<PriceUpdate> = listings
        .iter()
        .enumerate()
        .map(|(n, ids)| PriceUpdate {
            ids: ids.clone(),
            price: Decimal::new(1000 + n as i64, 0),
            old_price: (n % 2 == 0).then(|| Decimal::new(2000, 0)),
        })
        .collect();
    let outcomes = h.connector.update_prices(&prices).await?;
    assert_eq!(outcomes.len(), 14);
    assert!(outcomes.iter().all(|o| o.is_applied()), "{outcomes:?}");
    assert_eq!(
        h.sandbox
            .toolkit()
            .exchanges_to("/v1/product/import/prices")
            .len(),
        1
    );
    for (n, ids) in listings.iter().enumerate() {
        let product = h.sandbox.product(&ids.offer_id).expect("product");
        assert_eq!(product.price, Decimal::new(1000 + n as i64, 0));
        assert_eq!(
            product.old_price,
            (n % 2 == 0).then(|| Decimal::new(2000, 0))
        );
    }

    let unknown = PriceUpdate {
        ids: ListingIds::offer("NOPE"),
        price: Decimal::new(10, 0),
        old_price: None,
    };
    let outcomes = h.connector.update_prices(&[unknown]).await?;
    assert_eq!(outcomes[0].problems[0].code, "NOT_FOUND");
    Ok(())
}

#[tokio::test]
async fn stocks_for_two_warehouses_arrive_in_one_call() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let listings = published(&h).await?;
    let mut stocks = Vec::new();
    for (n, ids) in listings.iter().enumerate() {
        for warehouse in [seed::WAREHOUSE_MAIN, seed::WAREHOUSE_KAZAN] {
            stocks.push(StockUpdate {
                ids: ids.clone(),
                warehouse_id: warehouse.to_string(),
                quantity: u32::try_from(n)? + 1,
            });
        }
    }
    assert_eq!(stocks.len(), 28);
    h.sandbox.toolkit().clear_exchanges();
    let outcomes = h.connector.update_stocks(&stocks).await?;
    assert!(outcomes.iter().all(|o| o.is_applied()), "{outcomes:?}");
    assert_eq!(
        h.sandbox
            .toolkit()
            .exchanges_to("/v2/products/stocks")
            .len(),
        1
    );
    assert!(
        h.sandbox
            .toolkit()
            .exchanges_to("/v3/product/info/list")
            .is_empty(),
        "product ids were known: no lookup"
    );
    for (n, ids) in listings.iter().enumerate() {
        for warehouse in [seed::WAREHOUSE_MAIN, seed::WAREHOUSE_KAZAN] {
            assert_eq!(
                h.sandbox.stock(&ids.offer_id, warehouse),
                Some(u32::try_from(n)? + 1)
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn stocks_by_offer_id_only_look_the_products_up_first() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let listings = published(&h).await?;
    let stocks: Vec<StockUpdate> = listings
        .iter()
        .map(|ids| StockUpdate {
            ids: ListingIds::offer(&ids.offer_id),
            warehouse_id: seed::WAREHOUSE_MAIN.to_string(),
            quantity: 7,
        })
        .chain([
            StockUpdate {
                ids: ListingIds::offer("NOT-THERE"),
                warehouse_id: seed::WAREHOUSE_MAIN.to_string(),
                quantity: 1,
            },
            StockUpdate {
                ids: listings[0].clone(),
                warehouse_id: "42".to_owned(),
                quantity: 1,
            },
        ])
        .collect();
    h.sandbox.toolkit().clear_exchanges();
    let outcomes = h.connector.update_stocks(&stocks).await?;
    assert_eq!(outcomes.len(), 16);
    assert!(
        outcomes[..14].iter().all(|o| o.is_applied()),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[14].problems[0].code, "NOT_FOUND");
    assert_eq!(outcomes[15].problems[0].code, "WAREHOUSE_NOT_FOUND");
    assert_eq!(
        h.sandbox
            .toolkit()
            .exchanges_to("/v3/product/info/list")
            .len(),
        1
    );
    assert_eq!(
        h.sandbox.stock(&listings[3].offer_id, seed::WAREHOUSE_MAIN),
        Some(7)
    );
    Ok(())
}

#[tokio::test]
async fn a_pair_updated_twice_within_30_seconds_is_refused_per_item() -> anyhow::Result<()> {
    // pace 10: the 30 s interval is 3 s
    let h = Harness::start(SandboxConfig::paced(10.0).immediate()).await?;
    let listings = published(&h).await?;
    let update = |quantity| StockUpdate {
        ids: listings[0].clone(),
        warehouse_id: seed::WAREHOUSE_MAIN.to_string(),
        quantity,
    };
    assert!(h.connector.update_stocks(&[update(5)]).await?[0].is_applied());
    let again = h.connector.update_stocks(&[update(6)]).await?;
    assert_eq!(again[0].problems[0].code, "TOO_MANY_REQUESTS");
    assert_eq!(
        again[0].warehouse_id.as_deref(),
        Some(seed::WAREHOUSE_MAIN.to_string().as_str())
    );
    assert_eq!(
        h.sandbox.stock(&listings[0].offer_id, seed::WAREHOUSE_MAIN),
        Some(5)
    );
    assert_eq!(
        h.connector.limits().stock_item_interval,
        Some(std::time::Duration::from_secs(3))
    );
    Ok(())
}

#[tokio::test]
async fn batch_limits_are_the_documented_ones() -> anyhow::Result<()> {
    let h = Harness::start(SandboxConfig::default().immediate()).await?;
    let limits = h.connector.limits();
    assert_eq!(
        (
            limits.cards_per_call,
            limits.prices_per_call,
            limits.stocks_per_call
        ),
        (100, 1000, 100)
    );
    assert_eq!(limits.stock_calls_per_minute, 80);
    assert_eq!(
        limits.stock_item_interval,
        Some(std::time::Duration::from_secs(30))
    );
    let too_many: Vec<StockUpdate> = (0..101)
        .map(|n| StockUpdate {
            ids: ListingIds::offer(format!("S-{n}")),
            warehouse_id: seed::WAREHOUSE_MAIN.to_string(),
            quantity: 1,
        })
        .collect();
    assert!(h.connector.update_stocks(&too_many).await.is_err());
    assert!(h.sandbox.toolkit().exchanges().is_empty(), "nothing sent");
    Ok(())
}
