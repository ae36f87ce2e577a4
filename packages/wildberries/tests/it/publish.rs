//! Publishing a catalog: good cards end Published with WB's ids, bad ones Rejected with the
//! characteristic WB names; re-submission goes through update and creates nothing twice.

use std::time::Duration;

use carpetti_marketplace::{CardState, Connector};
use carpetti_wildberries::SandboxConfig;

use crate::common::{FAST, Setup, catalog, publish, settle, state_of};

#[tokio::test]
async fn a_catalog_publishes_with_ids_and_wb_rejections() -> anyhow::Result<()> {
    let setup =
        Setup::start(SandboxConfig::paced(FAST).with_processing_delay(Duration::from_millis(400)))
            .await?;
    let catalog = catalog();
    let submission = setup.connector.submit_cards(&catalog.cards).await?;
    assert_eq!(submission.offer_ids.len(), 20);
    // Refused before WB processed anything: title too long, unknown subject.
    let settled: Vec<&str> = submission
        .settled
        .iter()
        .map(|r| r.offer_id.as_str())
        .collect();
    assert_eq!(settled.len(), 2, "{settled:?}");
    for offer in &catalog.refused_locally {
        assert!(settled.contains(&offer.as_str()), "{offer} not settled");
    }
    let first = setup.connector.poll_cards(&submission).await?;
    assert!(
        first.iter().any(|r| r.state == CardState::Pending),
        "nothing pending right after submission"
    );
    let results = settle(&setup.connector, &submission).await?;
    for card in catalog.good() {
        let CardState::Published { ids } = state_of(&results, &card.offer_id) else {
            panic!(
                "{} not published: {:?}",
                card.offer_id,
                state_of(&results, &card.offer_id)
            );
        };
        let held = setup.sandbox.card(&card.offer_id).expect("card at WB");
        assert_eq!(ids.product_id, Some(held.nm_id.to_string()));
        assert_eq!(ids.sku, held.chrt_id().map(|c| c.to_string()));
        assert_eq!(held.title, card.name);
        // mm → cm (rounded up), g → kg
        assert_eq!(held.dimensions, Some((140, 25, 26, 3.242)));
    }
    for (offer, attribute) in &catalog.rejected_by_wb {
        let CardState::Rejected { problems } = state_of(&results, offer) else {
            panic!("{offer} not rejected");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.code == "error_list"
                    && p.attribute.as_deref() == Some(attribute.as_str())),
            "{offer}: {problems:?}"
        );
        assert!(setup.sandbox.card(offer).is_none());
        assert!(!setup.sandbox.card_errors(offer).is_empty());
    }
    let rejected_locally = |offer: &str, code: &str| match state_of(&results, offer) {
        CardState::Rejected { problems } => problems.iter().any(|p| p.code == code),
        _ => false,
    };
    assert!(rejected_locally(
        &catalog.refused_locally[0],
        "title_too_long"
    ));
    assert!(rejected_locally(
        &catalog.refused_locally[1],
        "This category does not exist"
    ));
    // Cards of one group share a merged card.
    let (a, b) = (
        setup.sandbox.card("CARPET-000"),
        setup.sandbox.card("CARPET-001"),
    );
    assert_eq!(a.map(|c| c.imt_id), b.map(|c| c.imt_id));
    assert_eq!(setup.sandbox.card_count(), catalog.good().len());
    for card in catalog.good() {
        // The whole first upload was refused for the unknown subject, then sent without it.
        assert_eq!(setup.sandbox.upload_calls(&card.offer_id), 2);
    }
    Ok(())
}

#[tokio::test]
async fn resubmitting_updates_and_creates_nothing_twice() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let catalog = catalog();
    let cards = catalog.known_subjects();
    let first = publish(&setup.connector, &cards).await?;
    let count = setup.sandbox.card_count();
    let mut changed = cards.clone();
    for card in &mut changed {
        card.description = Some("Новое описание".to_owned());
    }
    let second = publish(&setup.connector, &changed).await?;
    assert_eq!(setup.sandbox.card_count(), count);
    for card in catalog.good() {
        assert_eq!(
            setup.sandbox.upload_calls(&card.offer_id),
            1,
            "{}",
            card.offer_id
        );
        assert_eq!(
            setup.sandbox.update_calls(&card.offer_id),
            1,
            "{}",
            card.offer_id
        );
        assert_eq!(
            state_of(&first, &card.offer_id),
            state_of(&second, &card.offer_id)
        );
        let held = setup.sandbox.card(&card.offer_id).expect("card");
        assert_eq!(held.description, "Новое описание");
        // Barcodes are kept (generated ones included) and never duplicated.
        assert_eq!(held.sizes.len(), 1);
    }
    // Rejected drafts are uploaded again (that is how WB takes corrections).
    for (offer, _) in &catalog.rejected_by_wb {
        assert_eq!(setup.sandbox.upload_calls(offer), 2);
        assert!(matches!(
            state_of(&second, offer),
            CardState::Rejected { .. }
        ));
    }
    Ok(())
}

#[tokio::test]
async fn a_connector_without_memory_reads_ids_back_instead_of_duplicating() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let catalog = catalog();
    let cards = catalog.known_subjects();
    publish(&setup.connector, &cards).await?;
    let count = setup.sandbox.card_count();
    let fresh = setup.another_connector()?;
    let results = publish(&fresh, &cards).await?;
    assert_eq!(setup.sandbox.card_count(), count);
    for card in catalog.good() {
        assert!(matches!(
            state_of(&results, &card.offer_id),
            CardState::Published { .. }
        ));
        // One accepted upload, one refused ("vendor code is used"), then an update.
        assert_eq!(setup.sandbox.upload_calls(&card.offer_id), 2);
        assert_eq!(setup.sandbox.update_calls(&card.offer_id), 1);
    }
    Ok(())
}

#[tokio::test]
async fn a_card_resubmitted_while_processing_is_not_uploaded_again() -> anyhow::Result<()> {
    let setup =
        Setup::start(SandboxConfig::paced(FAST).with_processing_delay(Duration::from_secs(1)))
            .await?;
    let cards = vec![crate::common::carpet(1), crate::common::carpet(2)];
    let first = setup.connector.submit_cards(&cards).await?;
    let again = setup.connector.submit_cards(&cards).await?;
    // A restarted service does not know it is in flight: WB refuses, it stays pending.
    let fresh = setup.another_connector()?;
    let third = fresh.submit_cards(&cards).await?;
    assert!(third.settled.is_empty());
    for submission in [&first, &again] {
        let results = settle(&setup.connector, submission).await?;
        assert!(
            results
                .iter()
                .all(|r| matches!(r.state, CardState::Published { .. }))
        );
    }
    let results = settle(&fresh, &third).await?;
    assert!(
        results
            .iter()
            .all(|r| matches!(r.state, CardState::Published { .. }))
    );
    assert_eq!(setup.sandbox.card_count(), 2);
    for card in &cards {
        // Once by the first connector; by the fresh one: refused together, then each alone.
        assert_eq!(setup.sandbox.upload_calls(&card.offer_id), 3);
        assert_eq!(setup.sandbox.update_calls(&card.offer_id), 0);
    }
    Ok(())
}

#[tokio::test]
async fn list_offers_pages_through_the_account() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let cards: Vec<_> = (0..230).map(crate::common::carpet).collect();
    publish(&setup.connector, &cards).await?;
    let offers = setup.connector.list_offers().await?;
    assert_eq!(offers.len(), 230);
    let card = setup.sandbox.card("CARPET-117").expect("card");
    let offer = offers
        .iter()
        .find(|o| o.ids.offer_id == "CARPET-117")
        .expect("listed");
    assert_eq!(offer.ids.product_id, Some(card.nm_id.to_string()));
    assert_eq!(offer.ids.sku, card.chrt_id().map(|c| c.to_string()));
    let pages = setup
        .sandbox
        .toolkit()
        .exchanges_to("/content/v2/get/cards/list");
    assert!(pages.len() >= 3, "{} pages", pages.len());
    Ok(())
}
