//! 429 and 500 storms on the card and stock paths, and the sandbox restarted mid-publication:
//! the work completes and nothing is duplicated.

use std::time::Duration;

use carpetti_marketplace::sandbox::Fault;
use carpetti_marketplace::{CardState, Connector, StockUpdate};
use carpetti_ozon::SandboxConfig;
use carpetti_ozon::sandbox::seed;

use crate::{Harness, catalog, publish, result_of, settle};

fn storm(path: &str, status: u16, count: u32) -> Fault {
    Fault {
        path_prefix: path.to_owned(),
        status,
        count,
        retry_after_secs: None,
    }
}

#[tokio::test]
async fn a_429_and_a_500_storm_on_the_card_paths_still_publish_once() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let (cards, good, ..) = catalog();
    let kit = h.sandbox.toolkit();
    kit.add_fault(storm("/v3/product/import", 429, 3));
    let submission = h.connector.submit_cards(&cards).await?;
    kit.add_fault(storm("/v1/product/import/info", 500, 3));
    kit.add_fault(storm("/v3/product/info/list", 429, 2));
    let results = settle(&h.connector, &submission).await?;
    for offer in &good {
        assert!(
            matches!(result_of(&results, offer)?, CardState::Published { ids } if ids.sku.is_some())
        );
    }
    let imports = kit.exchanges_to("/v3/product/import");
    assert_eq!(imports.iter().filter(|e| e.faulted).count(), 3);
    assert_eq!(
        imports.iter().filter(|e| !e.faulted).count(),
        1,
        "one import reached Ozon"
    );

    kit.add_fault(storm("/v3/product/import", 500, 3));
    let again = publish(&h.connector, &cards).await?;
    assert_eq!(again.len(), 20);
    for offer in &good {
        assert_eq!(h.sandbox.created_count(offer), 1, "{offer}");
    }
    assert_eq!(h.sandbox.product_count(), good.len());
    Ok(())
}

#[tokio::test]
async fn a_429_and_a_500_storm_on_the_stock_path_still_set_every_stock_once() -> anyhow::Result<()>
{
    let h = Harness::fast().await?;
    let (cards, ..) = catalog();
    let results = publish(&h.connector, &cards).await?;
    let stocks: Vec<StockUpdate> = results
        .iter()
        .filter_map(|r| match &r.state {
            CardState::Published { ids } => Some(StockUpdate {
                ids: ids.clone(),
                warehouse_id: seed::WAREHOUSE_MAIN.to_string(),
                quantity: 3,
            }),
            _ => None,
        })
        .collect();
    let kit = h.sandbox.toolkit();
    kit.clear_exchanges();
    kit.add_fault(storm("/v2/products/stocks", 429, 3));
    kit.add_fault(storm("/v2/products/stocks", 500, 2));
    let outcomes = h.connector.update_stocks(&stocks).await?;
    assert!(outcomes.iter().all(|o| o.is_applied()), "{outcomes:?}");
    let calls = kit.exchanges_to("/v2/products/stocks");
    assert_eq!(calls.len(), 6);
    assert_eq!(calls.iter().filter(|e| !e.faulted).count(), 1);
    assert_eq!(h.sandbox.stocks().len(), stocks.len());
    Ok(())
}

#[tokio::test]
async fn the_sandbox_restarted_mid_publication_loses_nothing_and_duplicates_nothing()
-> anyhow::Result<()> {
    let mut config = SandboxConfig::paced(1000.0).immediate();
    config.processing_delay = Duration::from_millis(300);
    let Harness {
        sandbox,
        served,
        connector,
    } = Harness::start(config).await?;
    let address = served.address;
    let (cards, good, ..) = catalog();
    let submission = connector.submit_cards(&cards).await?;
    served.stop().await;

    let down = connector.poll_cards(&submission).await;
    assert!(down.as_ref().is_err_and(|e| e.is_transient()), "{down:?}");

    let _served = serve_again(&sandbox, address).await?;
    let results = settle(&connector, &submission).await?;
    for offer in &good {
        assert!(matches!(
            result_of(&results, offer)?,
            CardState::Published { .. }
        ));
    }
    publish(&connector, &cards).await?;
    for offer in &good {
        assert_eq!(sandbox.created_count(offer), 1, "{offer}");
    }
    assert_eq!(sandbox.product_count(), good.len());
    Ok(())
}

/// Serves the sandbox again on the port it had (a few tries while the old socket closes).
async fn serve_again(
    sandbox: &carpetti_ozon::OzonSandbox,
    address: std::net::SocketAddr,
) -> anyhow::Result<carpetti_marketplace::sandbox::Served> {
    let mut last = None;
    for _ in 0..50 {
        match sandbox.serve(address).await {
            Ok(served) => return Ok(served),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(anyhow::anyhow!(
        "could not serve again on {address}: {last:?}"
    ))
}
