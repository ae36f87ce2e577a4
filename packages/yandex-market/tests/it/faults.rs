//! 420 and 500 storms on the card and stock paths, and a sandbox restarted mid-publication: the
//! work completes and nothing is duplicated.

use std::time::Duration;

use carpetti_marketplace::sandbox::Fault;
use carpetti_marketplace::{CardState, Connector, ListingIds, MpError, StockUpdate};
use carpetti_yandex_market::SandboxConfig;
use carpetti_yandex_market::sandbox::DEFAULT_CAMPAIGN_ID;

use crate::{carpet, fast, settle, start, towel};

const CARDS: &str = "/v2/businesses/7700001/offer-mappings/update";
const STOCKS: &str = "/v2/campaigns/21000001/offers/stocks";

fn storm(path: &str, status: u16, count: u32) -> Fault {
    Fault {
        path_prefix: path.to_owned(),
        status,
        count,
        retry_after_secs: None,
    }
}

#[tokio::test]
async fn storms_of_420_and_500_on_cards_and_stocks_still_complete_once() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let kit = env.sandbox.toolkit();
    let cards: Vec<_> = (1..=10).map(|n| carpet(&format!("STORM-{n}"))).collect();

    kit.add_fault(storm(CARDS, 420, 3));
    let submission = env.connector.submit_cards(&cards).await?;
    kit.add_fault(storm(CARDS, 500, 3));
    let again = env.connector.submit_cards(&cards).await?;
    let results = settle(&env.connector, &again, Duration::from_secs(5)).await?;
    assert!(
        results
            .iter()
            .all(|r| matches!(r.state, CardState::Published { .. })),
        "{results:?}"
    );
    assert_eq!(submission.offer_ids, again.offer_ids);
    let faulted = kit.exchanges_to(CARDS).iter().filter(|e| e.faulted).count();
    assert_eq!(faulted, 6, "every scripted fault was met");
    assert_eq!(env.sandbox.offer_count(), 10, "no duplicate product");
    for offer in env.sandbox.offers() {
        assert_eq!(
            offer.received, 2,
            "{}: each submission applied once",
            offer.offer_id
        );
    }

    kit.add_fault(storm(STOCKS, 420, 2));
    kit.add_fault(storm(STOCKS, 500, 2));
    let stocks: Vec<_> = (1..=10)
        .map(|n| StockUpdate {
            ids: ListingIds::offer(format!("STORM-{n}")),
            warehouse_id: DEFAULT_CAMPAIGN_ID.to_string(),
            quantity: n,
        })
        .collect();
    let outcomes = env.connector.update_stocks(&stocks).await?;
    assert!(outcomes.iter().all(|o| o.is_applied()));
    let calls = kit.exchanges_to(STOCKS);
    assert_eq!(calls.iter().filter(|e| e.faulted).count(), 4);
    assert_eq!(
        calls.iter().filter(|e| !e.faulted).count(),
        1,
        "applied by one call"
    );
    assert_eq!(env.sandbox.stocks().len(), 10);
    assert_eq!(
        env.sandbox
            .stock("STORM-7", &DEFAULT_CAMPAIGN_ID.to_string()),
        Some(7)
    );
    Ok(())
}

#[tokio::test]
async fn a_storm_longer_than_the_retries_is_reported_as_rate_limited() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    env.sandbox.toolkit().add_fault(storm(CARDS, 420, 50));
    let refused = env.connector.submit_cards(&[carpet("LATE-1")]).await;
    assert!(
        matches!(refused, Err(MpError::RateLimited { .. })),
        "{refused:?}"
    );
    assert!(refused.is_err_and(|e| e.is_transient()));
    assert_eq!(env.sandbox.offer_count(), 0);
    Ok(())
}

#[tokio::test]
async fn a_sandbox_restarted_mid_publication_loses_nothing_and_duplicates_nothing()
-> anyhow::Result<()> {
    let env = start(SandboxConfig {
        processing_delay: Duration::from_millis(200),
        ..fast()
    })
    .await?;
    let address = env.served.address;
    let cards: Vec<_> = (1..=6)
        .map(|n| {
            if n % 2 == 0 {
                carpet(&format!("RS-{n}"))
            } else {
                towel(&format!("RS-{n}"))
            }
        })
        .collect();
    let submission = env.connector.submit_cards(&cards).await?;
    env.served.stop().await;

    // down: the poll fails after its retries, as a transient error
    let down = env.connector.poll_cards(&submission).await;
    assert!(down.as_ref().is_err_and(MpError::is_transient), "{down:?}");

    // back while the next submission is being retried
    let sandbox = env.sandbox.clone();
    let restart = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(60)).await;
        sandbox.serve(address).await
    });
    let again = env.connector.submit_cards(&cards).await?;
    let served = restart.await??;
    let results = settle(&env.connector, &submission, Duration::from_secs(5)).await?;
    assert!(
        results
            .iter()
            .all(|r| matches!(r.state, CardState::Published { .. })),
        "{results:?}"
    );
    let after = settle(&env.connector, &again, Duration::from_secs(5)).await?;
    assert_eq!(results, after, "the same marketSkus");
    assert_eq!(env.sandbox.offer_count(), 6, "nothing duplicated");
    served.stop().await;
    Ok(())
}
