//! Storms of 429 and 500 on the card and stock paths, and the sandbox killed and restarted in the
//! middle of a publication: the work completes, nothing is created twice.

use std::time::Duration;

use carpetti_marketplace::sandbox::Fault;
use carpetti_marketplace::{CardState, Connector, ListingIds, StockUpdate};
use carpetti_wildberries::SandboxConfig;
use carpetti_wildberries::sandbox::seed::WAREHOUSE;

use crate::common::{FAST, Setup, carpet, publish, settle, state_of};

fn storm(path: &str, status: u16, count: u32) -> Fault {
    Fault {
        path_prefix: path.to_owned(),
        status,
        count,
        retry_after_secs: None,
    }
}

fn published_ids(results: &[carpetti_marketplace::CardResult]) -> Vec<ListingIds> {
    results
        .iter()
        .filter_map(|r| match &r.state {
            CardState::Published { ids } => Some(ids.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn storms_on_cards_and_stocks_do_not_stop_or_duplicate_the_work() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let kit = setup.sandbox.toolkit();
    let cards: Vec<_> = (0..10).map(carpet).collect();
    // Five faults in a row: one short of the attempts of `RetryPolicy::quick`.
    for (status, count) in [(429, 2), (500, 3)] {
        kit.add_fault(storm("/content/v2/cards/upload", status, count));
        kit.add_fault(storm("/content/v2/get/cards/list", status, count));
        kit.add_fault(storm("/content/v2/cards/update", status, count));
    }
    let first = publish(&setup.connector, &cards).await?;
    let second = publish(&setup.connector, &cards).await?;
    assert_eq!(published_ids(&first).len(), 10);
    assert_eq!(published_ids(&first), published_ids(&second));
    assert_eq!(setup.sandbox.card_count(), 10);
    let faulted = |prefix: &str, status: u16| {
        kit.exchanges_to(prefix)
            .iter()
            .filter(|e| e.faulted && e.status == status)
            .count()
    };
    assert_eq!(faulted("/content/v2/cards/upload", 429), 2);
    assert_eq!(faulted("/content/v2/cards/upload", 500), 3);
    assert_eq!(faulted("/content/v2/cards/update", 500), 3);
    for card in &cards {
        assert_eq!(setup.sandbox.upload_calls(&card.offer_id), 1);
    }
    kit.add_fault(storm("/api/v3/stocks/", 429, 2));
    kit.add_fault(storm("/api/v3/stocks/", 500, 3));
    let stocks: Vec<StockUpdate> = published_ids(&first)
        .into_iter()
        .map(|ids| StockUpdate {
            ids,
            warehouse_id: WAREHOUSE.to_string(),
            quantity: 4,
        })
        .collect();
    let outcomes = setup.connector.update_stocks(&stocks).await?;
    assert!(outcomes.iter().all(|o| o.is_applied()));
    assert_eq!(faulted("/api/v3/stocks/", 429), 2);
    assert_eq!(faulted("/api/v3/stocks/", 500), 3);
    for stock in &stocks {
        let chrt: i64 = stock.ids.sku.as_deref().unwrap_or("0").parse()?;
        assert_eq!(setup.sandbox.stock(WAREHOUSE, chrt), Some(4));
    }
    Ok(())
}

#[tokio::test]
async fn the_sandbox_restarted_mid_publication_loses_nothing() -> anyhow::Result<()> {
    let Setup {
        sandbox,
        served,
        connector,
    } = Setup::start(SandboxConfig::paced(FAST).with_processing_delay(Duration::from_millis(150)))
        .await?;
    let address = served.address;
    let cards: Vec<_> = (0..12).map(carpet).collect();
    let submission = connector.submit_cards(&cards[..6]).await?;
    served.stop().await;
    let down = connector.poll_cards(&submission).await;
    assert!(down.as_ref().is_err_and(|e| e.is_transient()), "{down:?}");
    let refused = connector.submit_cards(&cards[6..]).await;
    assert!(refused.is_err());
    let served = sandbox.serve(address).await?;
    let results = settle(&connector, &submission).await?;
    assert!(
        results
            .iter()
            .all(|r| matches!(r.state, CardState::Published { .. }))
    );
    // The whole catalog again, as the outbox would send it after the failure.
    let all = publish(&connector, &cards).await?;
    for card in &cards {
        assert!(matches!(
            state_of(&all, &card.offer_id),
            CardState::Published { .. }
        ));
        assert_eq!(sandbox.upload_calls(&card.offer_id), 1, "{}", card.offer_id);
    }
    assert_eq!(sandbox.card_count(), 12);
    served.stop().await;
    Ok(())
}
