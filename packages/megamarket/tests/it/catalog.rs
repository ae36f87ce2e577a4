//! Publishing a catalog: good cards end Published with the sandbox's goodsIds, bad ones Rejected
//! with Megamarket's code and attribute; re-submitting creates nothing new; the read back pages.

use std::collections::HashMap;
use std::time::Duration;

use carpetti_marketplace::{CardState, Connector};
use carpetti_megamarket::seed::{BODY_MATERIAL, COLOUR, KETTLES, MICROWAVES, T_SHIRTS, TYPE};
use carpetti_megamarket::{SandboxConfig, master, path};

use crate::{FAST, card, goods_id, settle, start, start_with, with_attribute};

fn catalog() -> Vec<carpetti_marketplace::Card> {
    let mut cards = Vec::new();
    for i in 0..6 {
        cards.push(card(&format!("MW-{i}"), MICROWAVES));
        cards.push(card(&format!("KT-{i}"), KETTLES));
    }
    for i in 0..4 {
        cards.push(card(&format!("TS-{i}"), T_SHIRTS));
    }
    // Required dictionary attribute missing.
    cards.push(with_attribute(card("BAD-TYPE", MICROWAVES), TYPE, None));
    // Dictionary values must match exactly: «Стекло» is not «стекло».
    cards.push(with_attribute(
        card("BAD-MATERIAL", KETTLES),
        BODY_MATERIAL,
        Some("Стекло"),
    ));
    // A closed dictionary refuses a value of its own.
    cards.push(with_attribute(
        card("BAD-COLOUR", T_SHIRTS),
        COLOUR,
        Some("бирюзовый"),
    ));
    // The brand (a required master attribute) missing.
    let mut no_brand = card("BAD-BRAND", T_SHIRTS);
    no_brand.vendor = None;
    cards.push(no_brand);
    cards
}

#[tokio::test]
async fn catalog_publishes_good_cards_and_rejects_bad_ones_without_duplicates() {
    let setup = start().await;
    let cards = catalog();
    assert_eq!(cards.len(), 20);
    let submission = setup.connector.submit_cards(&cards).await.expect("submit");
    assert_eq!(submission.offer_ids.len(), 20);
    assert_eq!(submission.task_id, None);
    // Megamarket refuses invalid cards in the save answer itself.
    assert_eq!(submission.settled.len(), 4, "{:?}", submission.settled);
    // One call per category.
    assert_eq!(
        setup.sandbox.toolkit().exchanges_to(path::CARD_SAVE).len(),
        3
    );

    let results = settle(&setup.connector, &submission).await;
    let by_offer: HashMap<_, _> = results.iter().map(|r| (r.offer_id.as_str(), r)).collect();
    assert_eq!(by_offer.len(), 20);
    for card in cards.iter().filter(|c| !c.offer_id.starts_with("BAD")) {
        let result = by_offer[card.offer_id.as_str()];
        let held = setup
            .sandbox
            .card(&card.offer_id)
            .expect("the sandbox holds the card");
        assert_eq!(goods_id(result), Some(held.goods_id.as_str()), "{result:?}");
        assert_eq!(held.category_id.to_string(), card.category);
        assert_eq!(held.brand.as_deref(), Some("Bosch"));
    }
    let expect = |offer: &str, code: &str, attribute: u64| {
        let CardState::Rejected { problems } = &by_offer[offer].state else {
            panic!("{offer} is not rejected: {:?}", by_offer[offer]);
        };
        assert!(
            problems
                .iter()
                .any(|p| p.code == code && p.attribute.as_deref() == Some(&*attribute.to_string())),
            "{offer}: {problems:?}"
        );
    };
    expect("BAD-TYPE", "REQUIRED_ATTRIBUTE_MISSING", TYPE);
    expect("BAD-MATERIAL", "INVALID_DICTIONARY_VALUE", BODY_MATERIAL);
    expect("BAD-COLOUR", "INVALID_DICTIONARY_VALUE", COLOUR);
    expect("BAD-BRAND", "REQUIRED_ATTRIBUTE_MISSING", master::BRAND);
    assert_eq!(setup.sandbox.card_count(), 16);
    assert!(setup.sandbox.card("BAD-TYPE").is_none());

    // The same cards again: updates, not new products.
    let goods: Vec<_> = setup
        .sandbox
        .cards()
        .into_iter()
        .map(|c| c.goods_id)
        .collect();
    let again = setup
        .connector
        .submit_cards(&cards)
        .await
        .expect("resubmit");
    let results = settle(&setup.connector, &again).await;
    assert_eq!(results.iter().filter(|r| goods_id(r).is_some()).count(), 16);
    assert_eq!(setup.sandbox.card_count(), 16);
    let after: Vec<_> = setup
        .sandbox
        .cards()
        .into_iter()
        .map(|c| c.goods_id)
        .collect();
    assert_eq!(goods, after);
    for card in &cards {
        assert_eq!(
            setup.sandbox.save_calls(&card.offer_id),
            2,
            "{}",
            card.offer_id
        );
        let created = u32::from(!card.offer_id.starts_with("BAD"));
        assert_eq!(
            setup.sandbox.create_calls(&card.offer_id),
            created,
            "{}",
            card.offer_id
        );
    }
}

#[tokio::test]
async fn card_is_pending_until_processed_then_published() {
    let config = SandboxConfig::paced(FAST).with_processing_delay(Duration::from_secs(600));
    let setup = start_with(config, FAST).await;
    let submission = setup
        .connector
        .submit_cards(&[card("SLOW-1", KETTLES)])
        .await
        .expect("submit");
    let results = setup.connector.poll_cards(&submission).await.expect("poll");
    assert_eq!(results[0].state, CardState::Pending);
    let offers = setup.connector.list_offers().await.expect("list");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].ids.product_id, None);
    assert_eq!(offers[0].status.as_deref(), Some("PROCESSING"));

    setup.sandbox.finish_processing();
    let results = setup.connector.poll_cards(&submission).await.expect("poll");
    let held = setup.sandbox.card("SLOW-1").expect("held");
    assert_eq!(goods_id(&results[0]), Some(held.goods_id.as_str()));
}

#[tokio::test]
async fn cards_in_an_unknown_category_are_rejected_by_the_batch_answer() {
    let setup = start().await;
    let cards = [
        card("NOWHERE-1", 999),
        card("NOWHERE-2", 999),
        card("FINE", KETTLES),
    ];
    let submission = setup.connector.submit_cards(&cards).await.expect("submit");
    let results = settle(&setup.connector, &submission).await;
    for offer in ["NOWHERE-1", "NOWHERE-2"] {
        let result = results
            .iter()
            .find(|r| r.offer_id == offer)
            .expect("result");
        let CardState::Rejected { problems } = &result.state else {
            panic!("{result:?}");
        };
        assert_eq!(problems[0].code, "CATEGORY_NOT_FOUND");
    }
    assert!(goods_id(results.iter().find(|r| r.offer_id == "FINE").expect("fine")).is_some());
}

#[tokio::test]
async fn card_payload_carries_master_attributes_in_megamarket_units() {
    let setup = start().await;
    let mut big = card("UNITS", MICROWAVES);
    big.pictures = (0..20)
        .map(|i| format!("https://img.example.ru/{i}.jpg"))
        .collect();
    crate::publish(&setup.connector, &[big]).await;
    let held = setup.sandbox.card("UNITS").expect("held");
    let value = |id: u64| {
        held.master_attributes
            .iter()
            .find(|(a, _)| *a == id)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(value(master::WEIGHT_KG), ["10.5"]);
    assert_eq!(value(master::LENGTH_CM), ["45.5"]);
    assert_eq!(value(master::WIDTH_CM), ["30"]);
    assert_eq!(value(master::HEIGHT_CM), ["26"]);
    assert_eq!(value(master::ARTICLE), ["ART-UNITS"]);
    assert_eq!(value(master::BARCODE), ["4600000000017"]);
    // At most 15 photos: the main one first, the rest left out.
    let photos = value(master::PHOTOS);
    assert_eq!(photos.len(), 15);
    assert_eq!(photos[0], "https://img.example.ru/0.jpg");
}

#[tokio::test]
async fn list_offers_pages_through_every_card() {
    let setup = start().await;
    let cards: Vec<_> = (0..230)
        .map(|i| card(&format!("P-{i:04}"), KETTLES))
        .collect();
    let results = crate::publish(&setup.connector, &cards).await;
    assert!(results.iter().all(|r| goods_id(r).is_some()));
    setup.sandbox.toolkit().clear_exchanges();
    let offers = setup.connector.list_offers().await.expect("list");
    assert_eq!(offers.len(), 230);
    let mut ids: Vec<_> = offers.iter().map(|o| o.ids.offer_id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 230);
    for offer in &offers {
        let held = setup.sandbox.card(&offer.ids.offer_id).expect("held");
        assert_eq!(
            offer.ids.product_id.as_deref(),
            Some(held.goods_id.as_str())
        );
        assert_eq!(offer.status.as_deref(), Some("ACTIVE"));
    }
    // 100 + 100 + 30.
    assert_eq!(
        setup
            .sandbox
            .toolkit()
            .exchanges_to(path::CARD_GET_ATTRIBUTES)
            .len(),
        3
    );
}
