//! Prices and stocks reach the sandbox in the fewest calls the maxima allow; WB's item-level
//! refusals (price quarantine, 409 stock errors) come back per item.

use carpetti_marketplace::{CardState, Connector, ListingIds, PriceUpdate, StockUpdate};
use carpetti_wildberries::sandbox::seed::{OVERSIZED_WAREHOUSE, WAREHOUSE};
use rust_decimal::Decimal;

use crate::common::{Setup, carpet, publish};

async fn published(setup: &Setup, n: usize) -> anyhow::Result<Vec<ListingIds>> {
    let cards: Vec<_> = (0..n).map(carpet).collect();
    let results = publish(&setup.connector, &cards).await?;
    Ok(results
        .into_iter()
        .filter_map(|r| match r.state {
            CardState::Published { ids } => Some(ids),
            _ => None,
        })
        .collect())
}

fn nm(ids: &ListingIds) -> i64 {
    ids.product_id
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

fn chrt(ids: &ListingIds) -> i64 {
    ids.sku.as_deref().and_then(|p| p.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn prices_arrive_in_one_task_with_the_discount() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let listings = published(&setup, 20).await?;
    assert_eq!(listings.len(), 20);
    setup.sandbox.toolkit().clear_exchanges();
    let prices: Vec<PriceUpdate> = listings
        .iter()
        .map(|ids| PriceUpdate {
            ids: ids.clone(),
            price: Decimal::new(7_000, 0),
            old_price: Some(Decimal::new(10_000, 0)),
        })
        .collect();
    let outcomes = setup.connector.update_prices(&prices).await?;
    assert!(outcomes.iter().all(|o| o.is_applied()), "{outcomes:?}");
    assert_eq!(
        setup
            .sandbox
            .toolkit()
            .exchanges_to("/api/v2/upload/task")
            .len(),
        1
    );
    for ids in &listings {
        let price = setup.sandbox.price(nm(ids)).expect("price");
        assert_eq!((price.price, price.discount), (10_000, 30));
    }
    // The same prices again: WB says they are set; nothing is refused.
    let again = setup.connector.update_prices(&prices).await?;
    assert!(again.iter().all(|o| o.is_applied()));
    // An offer known by its offer id only: the connector knows its nmID from publication.
    let by_offer = PriceUpdate {
        ids: ListingIds::offer(listings[0].offer_id.clone()),
        price: Decimal::new(9_000, 0),
        old_price: None,
    };
    let outcome = setup.connector.update_prices(&[by_offer]).await?;
    assert!(outcome[0].is_applied());
    let price = setup.sandbox.price(nm(&listings[0])).expect("price");
    assert_eq!((price.price, price.discount), (9_000, 0));
    Ok(())
}

#[tokio::test]
async fn a_price_three_times_lower_is_quarantined_per_item() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let listings = published(&setup, 2).await?;
    let update = |ids: &ListingIds, price: i64| PriceUpdate {
        ids: ids.clone(),
        price: Decimal::from(price),
        old_price: None,
    };
    setup
        .connector
        .update_prices(&[update(&listings[0], 6_000), update(&listings[1], 6_000)])
        .await?;
    let outcomes = setup
        .connector
        .update_prices(&[update(&listings[0], 1_000), update(&listings[1], 5_000)])
        .await?;
    assert_eq!(outcomes[0].problems.len(), 1, "{outcomes:?}");
    assert!(outcomes[0].problems[0].message.contains("Quarantine"));
    assert!(outcomes[1].is_applied());
    assert_eq!(
        setup.sandbox.price(nm(&listings[0])).map(|p| p.price),
        Some(6_000)
    );
    assert_eq!(
        setup.sandbox.price(nm(&listings[1])).map(|p| p.price),
        Some(5_000)
    );
    let unknown = PriceUpdate {
        ids: ListingIds::offer("NEVER-PUBLISHED"),
        price: Decimal::from(100),
        old_price: None,
    };
    let outcome = setup.connector.update_prices(&[unknown]).await?;
    assert_eq!(outcome[0].problems[0].code, "unknown_product");
    Ok(())
}

#[tokio::test]
async fn stocks_arrive_in_one_call_per_warehouse() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let listings = published(&setup, 20).await?;
    setup.sandbox.toolkit().clear_exchanges();
    let stocks: Vec<StockUpdate> = listings
        .iter()
        .enumerate()
        .map(|(i, ids)| StockUpdate {
            ids: ids.clone(),
            warehouse_id: WAREHOUSE.to_string(),
            quantity: i as u32 * 3,
        })
        .collect();
    let outcomes = setup.connector.update_stocks(&stocks).await?;
    assert!(outcomes.iter().all(|o| o.is_applied()), "{outcomes:?}");
    assert_eq!(
        setup
            .sandbox
            .toolkit()
            .exchanges_to("/api/v3/stocks/")
            .len(),
        1
    );
    for (i, ids) in listings.iter().enumerate() {
        assert_eq!(
            setup.sandbox.stock(WAREHOUSE, chrt(ids)),
            Some(i as u32 * 3)
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_stock_409_names_its_items_and_the_rest_is_applied() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let listings = published(&setup, 3).await?;
    let stock = |ids: ListingIds, warehouse: i64, quantity| StockUpdate {
        ids,
        warehouse_id: warehouse.to_string(),
        quantity,
    };
    let ghost = ListingIds {
        offer_id: "GHOST".to_owned(),
        product_id: Some("1".to_owned()),
        sku: Some("999".to_owned()),
    };
    let outcomes = setup
        .connector
        .update_stocks(&[
            stock(listings[0].clone(), WAREHOUSE, 5),
            stock(ghost, WAREHOUSE, 1),
            stock(listings[1].clone(), WAREHOUSE, 7),
            stock(listings[2].clone(), OVERSIZED_WAREHOUSE, 2),
            // A warehouse the seller does not have.
            stock(listings[2].clone(), 15, 2),
            stock(listings[0].clone(), WAREHOUSE, 200_000),
        ])
        .await?;
    assert!(
        outcomes[0].is_applied() && outcomes[2].is_applied(),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[1].problems[0].code, "NotFound");
    assert_eq!(outcomes[3].problems[0].code, "CargoWarehouseRestrictionMGT");
    assert_eq!(outcomes[4].problems[0].code, "NotFound");
    assert_eq!(outcomes[5].problems[0].code, "amount_too_large");
    assert_eq!(setup.sandbox.stock(WAREHOUSE, chrt(&listings[0])), Some(5));
    assert_eq!(setup.sandbox.stock(WAREHOUSE, chrt(&listings[1])), Some(7));
    assert_eq!(
        setup.sandbox.stock(OVERSIZED_WAREHOUSE, chrt(&listings[2])),
        None
    );
    Ok(())
}
