//! Prices and stocks arrive in the fewest calls the batch maxima allow; per-item warnings and
//! foreign warehouses come back as problems.

use carpetti_marketplace::{Connector, ListingIds, PriceUpdate, RetryPolicy, StockUpdate};
use carpetti_megamarket::seed::KETTLES;
use carpetti_megamarket::{MegamarketConnector, Settings, path};
use rust_decimal::Decimal;

use crate::{FAST, card, publish, start};

fn offers(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("PS-{i:04}")).collect()
}

#[tokio::test]
async fn prices_arrive_in_batches_of_300_in_whole_rubles() {
    let setup = start().await;
    let offers = offers(350);
    let cards: Vec<_> = offers.iter().map(|o| card(o, KETTLES)).collect();
    publish(&setup.connector, &cards).await;
    let limits = setup.connector.limits();
    assert_eq!(limits.prices_per_call, 300);

    let mut prices: Vec<PriceUpdate> = offers
        .iter()
        .enumerate()
        .map(|(i, o)| PriceUpdate {
            ids: ListingIds::offer(o),
            price: Decimal::new(100_000 + i64::try_from(i).expect("small") * 100 + 50, 2),
            old_price: Some(Decimal::new(5000, 0)),
        })
        .collect();
    prices.push(PriceUpdate {
        ids: ListingIds::offer("UNKNOWN"),
        price: Decimal::new(990, 0),
        old_price: None,
    });
    prices.push(PriceUpdate {
        ids: ListingIds::offer("PS-0001"),
        price: Decimal::new(-1, 0),
        old_price: None,
    });
    let mut outcomes = Vec::new();
    for chunk in prices.chunks(limits.prices_per_call) {
        outcomes.extend(setup.connector.update_prices(chunk).await.expect("prices"));
    }
    assert_eq!(
        setup.sandbox.toolkit().exchanges_to(path::PRICE_SAVE).len(),
        2
    );
    assert_eq!(outcomes.len(), 352);
    assert_eq!(outcomes.iter().filter(|o| o.is_applied()).count(), 350);
    let unknown = outcomes
        .iter()
        .find(|o| o.offer_id == "UNKNOWN")
        .expect("unknown");
    assert_eq!(unknown.problems[0].code, "OFFER_NOT_FOUND");
    let negative = &outcomes[351];
    assert_eq!(negative.problems[0].code, "invalid_price");

    let held = setup.sandbox.prices();
    assert_eq!(held.len(), 350);
    // 1000.50 → 1001 (half away from zero); 1001.50 → 1002.
    assert_eq!(setup.sandbox.price("PS-0000"), Some(1001));
    assert_eq!(setup.sandbox.price("PS-0001"), Some(1002));
    assert_eq!(setup.sandbox.price("PS-0349"), Some(1350));
}

#[tokio::test]
async fn stocks_arrive_in_batches_of_300_for_the_accounts_warehouse() {
    let setup = start().await;
    let offers = offers(320);
    let cards: Vec<_> = offers.iter().map(|o| card(o, KETTLES)).collect();
    publish(&setup.connector, &cards).await;
    let config = setup.sandbox.config();
    let mut settings = Settings::for_sandbox(&setup.url(), &config.merchant_id, &config.token);
    settings.warehouses = vec!["wh-1".to_owned()];
    let connector = MegamarketConnector::new(settings, RetryPolicy::quick(), FAST).expect("c");

    let mut stocks: Vec<StockUpdate> = offers
        .iter()
        .enumerate()
        .map(|(i, o)| StockUpdate {
            ids: ListingIds::offer(o),
            warehouse_id: "wh-1".to_owned(),
            quantity: u32::try_from(i % 7).expect("small"),
        })
        .collect();
    stocks.push(StockUpdate {
        ids: ListingIds::offer("PS-0000"),
        warehouse_id: "wh-2".to_owned(),
        quantity: 99,
    });
    let limits = connector.limits();
    let mut outcomes = Vec::new();
    for chunk in stocks.chunks(limits.stocks_per_call) {
        outcomes.extend(connector.update_stocks(chunk).await.expect("stocks"));
    }
    assert_eq!(
        setup
            .sandbox
            .toolkit()
            .exchanges_to(path::STOCK_UPDATE)
            .len(),
        2
    );
    assert_eq!(outcomes.len(), 321);
    assert_eq!(outcomes.iter().filter(|o| o.is_applied()).count(), 320);
    assert_eq!(outcomes[320].problems[0].code, "unknown_warehouse");
    assert_eq!(setup.sandbox.stocks().len(), 320);
    assert_eq!(setup.sandbox.stock("PS-0000"), Some(0), "wh-2 was not sent");
    assert_eq!(setup.sandbox.stock("PS-0013"), Some(6));
}
