//! 429 and 500 storms on the card and stock paths, and the sandbox killed and restarted in the
//! middle of a publication: the work completes and nothing is duplicated.

use std::time::Duration;

use carpetti_marketplace::sandbox::Fault;
use carpetti_marketplace::{CardState, Connector, ListingIds, MpError, StockUpdate};
use carpetti_megamarket::seed::{KETTLES, MICROWAVES};
use carpetti_megamarket::{SandboxConfig, path};

use crate::{FAST, card, goods_id, settle, start, start_with};

fn storm(path: &str, status: u16, count: u32) -> Fault {
    Fault {
        path_prefix: path.to_owned(),
        status,
        count,
        retry_after_secs: None,
    }
}

fn stocks(offers: &[String]) -> Vec<StockUpdate> {
    offers
        .iter()
        .map(|o| StockUpdate {
            ids: ListingIds::offer(o),
            warehouse_id: "main".to_owned(),
            quantity: 5,
        })
        .collect()
}

#[tokio::test]
async fn storms_on_card_and_stock_paths_still_complete_without_duplicates() {
    let setup = start().await;
    let kit = setup.sandbox.toolkit();
    let offers: Vec<String> = (0..12).map(|i| format!("ST-{i}")).collect();
    let cards: Vec<_> = offers.iter().map(|o| card(o, MICROWAVES)).collect();

    for status in [429, 500] {
        kit.clear_exchanges();
        kit.add_fault(storm(path::CARD_SAVE, status, 3));
        kit.add_fault(storm(path::CARD_GET_ATTRIBUTES, status, 2));
        let submission = setup.connector.submit_cards(&cards).await.expect("submit");
        let results = settle(&setup.connector, &submission).await;
        assert!(results.iter().all(|r| goods_id(r).is_some()), "{results:?}");
        let faulted = kit.exchanges().iter().filter(|e| e.faulted).count();
        assert_eq!(faulted, 5, "the storm happened");

        kit.add_fault(storm(path::STOCK_UPDATE, status, 3));
        let outcomes = setup
            .connector
            .update_stocks(&stocks(&offers))
            .await
            .expect("stocks");
        assert!(outcomes.iter().all(|o| o.is_applied()));
        let statuses: Vec<u16> = kit
            .exchanges_to(path::STOCK_UPDATE)
            .iter()
            .map(|e| e.status)
            .collect();
        assert_eq!(statuses, [status, status, status, 200]);
    }
    assert_eq!(setup.sandbox.card_count(), 12);
    for offer in &offers {
        assert_eq!(setup.sandbox.create_calls(offer), 1);
        assert_eq!(setup.sandbox.stock(offer), Some(5));
    }
}

#[tokio::test]
async fn a_storm_longer_than_the_retries_is_reported_as_transient() {
    let setup = start().await;
    setup
        .sandbox
        .toolkit()
        .add_fault(storm(path::STOCK_UPDATE, 500, 100));
    let error = setup
        .connector
        .update_stocks(&stocks(&["X".to_owned()]))
        .await
        .expect_err("still failing");
    assert!(matches!(error, MpError::Unavailable { .. }), "{error:?}");
    assert!(error.is_transient());
}

#[tokio::test]
async fn sandbox_restarted_mid_publication_loses_nothing_and_duplicates_nothing() {
    let config = SandboxConfig::paced(FAST).with_processing_delay(Duration::from_millis(300));
    let setup = start_with(config, FAST).await;
    let cards: Vec<_> = (0..8).map(|i| card(&format!("RS-{i}"), KETTLES)).collect();
    let submission = setup.connector.submit_cards(&cards).await.expect("submit");
    let address = setup.served.address;
    setup.served.stop().await;

    // Down: the poll fails as unavailable (after its retries), the work stays pending.
    let error = setup
        .connector
        .poll_cards(&submission)
        .await
        .expect_err("down");
    assert!(error.is_transient(), "{error:?}");

    let served = setup.sandbox.serve(address).await.expect("serve again");
    let results = settle(&setup.connector, &submission).await;
    assert!(
        results
            .iter()
            .all(|r| matches!(r.state, CardState::Published { .. }))
    );
    // Submitting again after the restart updates the same cards.
    let again = setup
        .connector
        .submit_cards(&cards)
        .await
        .expect("resubmit");
    let results = settle(&setup.connector, &again).await;
    assert!(results.iter().all(|r| goods_id(r).is_some()));
    assert_eq!(setup.sandbox.card_count(), 8);
    for card in &cards {
        assert_eq!(setup.sandbox.create_calls(&card.offer_id), 1);
        assert_eq!(setup.sandbox.save_calls(&card.offer_id), 2);
    }
    served.stop().await;
}
