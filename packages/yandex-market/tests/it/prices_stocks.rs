//! Prices and stocks reach the sandbox in the fewest calls the batch maxima allow.

use carpetti_marketplace::{Connector, ListingIds, PriceUpdate, StockUpdate};
use carpetti_yandex_market::sandbox::DEFAULT_CAMPAIGN_ID;
use rust_decimal::Decimal;

use crate::{fast, start};

#[tokio::test]
async fn twelve_hundred_prices_go_in_three_calls() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let prices: Vec<PriceUpdate> = (0..1200)
        .map(|n| PriceUpdate {
            ids: ListingIds::offer(format!("SKU-{n}")),
            price: Decimal::new(100_000 + n, 2),
            // 1 % off is not a discount the Market takes; 20 % is
            old_price: Some(if n % 2 == 0 {
                Decimal::new(101_000 + n, 2)
            } else {
                Decimal::new(125_000 + n, 2)
            }),
        })
        .collect();
    let outcomes = env.connector.update_prices(&prices).await?;
    assert_eq!(outcomes.len(), 1200);
    assert!(outcomes.iter().all(|o| o.is_applied()));
    let calls = env
        .sandbox
        .toolkit()
        .exchanges_to("/v2/businesses/7700001/offer-prices/updates");
    let sizes: Vec<usize> = calls
        .iter()
        .map(|c| {
            c.request
                .as_ref()
                .and_then(|r| r["offers"].as_array())
                .map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(sizes, [500, 500, 200]);
    assert_eq!(env.sandbox.price_count(), 1200);
    let even = env.sandbox.price("SKU-0").expect("price");
    assert_eq!(
        (even.value, even.discount_base),
        (Decimal::new(1000, 0), None)
    );
    let odd = env.sandbox.price("SKU-1").expect("price");
    assert_eq!(odd.value, Decimal::new(100_001, 2));
    assert_eq!(odd.discount_base, Some(Decimal::new(125_001, 2)));
    Ok(())
}

#[tokio::test]
async fn a_price_that_is_not_positive_is_refused_without_a_call() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let outcomes = env
        .connector
        .update_prices(&[PriceUpdate {
            ids: ListingIds::offer("FREE"),
            price: Decimal::ZERO,
            old_price: None,
        }])
        .await?;
    assert_eq!(outcomes[0].problems[0].code, "invalid_price");
    assert!(env.sandbox.toolkit().exchanges().is_empty());
    Ok(())
}

#[tokio::test]
async fn forty_five_hundred_stocks_go_in_three_calls_to_the_named_warehouse() -> anyhow::Result<()>
{
    let env = start(fast()).await?;
    let warehouse = DEFAULT_CAMPAIGN_ID.to_string();
    let mut stocks: Vec<StockUpdate> = (0..4500)
        .map(|n| StockUpdate {
            ids: ListingIds::offer(format!("SKU-{n}")),
            warehouse_id: warehouse.clone(),
            quantity: u32::try_from(n % 17).unwrap_or(0),
        })
        .collect();
    stocks.push(StockUpdate {
        ids: ListingIds::offer("SKU-1"),
        warehouse_id: "somewhere-else".to_owned(),
        quantity: 5,
    });
    let outcomes = env.connector.update_stocks(&stocks).await?;
    assert_eq!(outcomes.len(), 4501);
    let refused: Vec<_> = outcomes.iter().filter(|o| !o.is_applied()).collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].problems[0].code, "unknown_warehouse");
    let calls = env
        .sandbox
        .toolkit()
        .exchanges_to("/v2/campaigns/21000001/offers/stocks");
    let sizes: Vec<usize> = calls
        .iter()
        .map(|c| {
            c.request
                .as_ref()
                .and_then(|r| r["skus"].as_array())
                .map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(sizes, [2000, 2000, 500]);
    assert!(calls.iter().all(|c| c.method == "PUT"));
    let first = &calls[0].request.clone().unwrap_or_default()["skus"][0];
    assert_eq!(
        first["items"].as_array().map(Vec::len),
        Some(1),
        "exactly one item: {first}"
    );
    assert_eq!(env.sandbox.stocks().len(), 4500);
    assert_eq!(env.sandbox.stock("SKU-16", &warehouse), Some(16));
    assert_eq!(env.sandbox.stock("SKU-17", &warehouse), Some(0));
    Ok(())
}
