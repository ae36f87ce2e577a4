//! Publishing a catalog: good cards get their marketSku, bad ones are rejected with the Market's
//! code and the attribute, the all-or-nothing batch is split, re-submitting creates nothing new.

use std::time::Duration;

use carpetti_marketplace::{Card, CardState, Connector, Problem};
use carpetti_yandex_market::sandbox::seed;

use crate::{attribute, carpet, dictionary_attribute, fast, settle, start, state_of, towel};

/// 14 good cards and 6 that must fail, each in its own way.
fn catalog() -> Vec<Card> {
    let mut cards: Vec<Card> = (1..=8).map(|n| carpet(&format!("CARPET-{n}"))).collect();
    cards.extend((1..=5).map(|n| towel(&format!("TOWEL-{n}"))));
    let mut headphones = carpet("HEADPHONES-1");
    headphones.category = seed::HEADPHONES.to_string();
    headphones.attributes = vec![attribute(seed::CONNECTION, "беспроводные")];
    cards.push(headphones);

    // processed, then refused: a required parameter is missing
    let mut no_color = carpet("BAD-NO-COLOR");
    no_color
        .attributes
        .retain(|a| a.id != seed::COLOR.to_string());
    // processed, then refused: a value id that is not in the dictionary
    let mut bad_value = carpet("BAD-MATERIAL");
    bad_value
        .attributes
        .retain(|a| a.id != seed::MATERIAL.to_string());
    bad_value
        .attributes
        .push(dictionary_attribute(seed::MATERIAL, 999, "мохер"));
    // refused by the call itself: not a number
    let mut not_number = carpet("BAD-LENGTH");
    not_number
        .attributes
        .retain(|a| a.id != seed::LENGTH.to_string());
    not_number
        .attributes
        .push(attribute(seed::LENGTH, "длинный"));
    // refused by the call itself: unknown and non-leaf categories
    let mut unknown_category = carpet("BAD-CATEGORY");
    unknown_category.category = "999999".to_owned();
    let mut not_leaf = carpet("BAD-NOT-LEAF");
    not_leaf.category = seed::HOME_TEXTILES.to_string();
    not_leaf.attributes.clear();
    // never sent: the schema allows 256 characters
    let mut long_name = carpet("BAD-NAME");
    long_name.name = "Ковёр ".repeat(60);
    cards.extend([
        no_color,
        bad_value,
        not_number,
        unknown_category,
        not_leaf,
        long_name,
    ]);
    cards
}

fn problems(state: &CardState) -> &[Problem] {
    match state {
        CardState::Rejected { problems } => problems,
        other => panic!("expected rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_catalog_publishes_its_good_cards_and_rejects_the_bad_ones_with_the_markets_codes()
-> anyhow::Result<()> {
    let env = start(fast()).await?;
    let cards = catalog();
    let submission = env.connector.submit_cards(&cards).await?;
    assert_eq!(submission.offer_ids.len(), 20);
    assert_eq!(submission.task_id, None);

    // the Market refused the first call whole (3 offers with errors); the rest went again
    let updates = env
        .sandbox
        .toolkit()
        .exchanges_to("/v2/businesses/7700001/offer-mappings/update");
    assert_eq!(updates.len(), 2, "{updates:#?}");
    let first = updates[0].response.clone().unwrap_or_default();
    assert_eq!(first["status"], "ERROR");
    assert_eq!(
        first["results"].as_array().map(Vec::len),
        Some(3),
        "{first}"
    );
    assert_eq!(
        updates[1].response.clone().unwrap_or_default()["status"],
        "OK"
    );
    let sent_again = updates[1].request.clone().unwrap_or_default();
    assert_eq!(
        sent_again["offerMappings"].as_array().map(Vec::len),
        Some(16)
    );

    let length = problems(state_of(&submission.settled, "BAD-LENGTH"));
    assert_eq!(length[0].code, "NUMBER_FORMAT");
    assert_eq!(
        length[0].attribute.as_deref(),
        Some(seed::LENGTH.to_string().as_str())
    );
    assert_eq!(
        problems(state_of(&submission.settled, "BAD-CATEGORY"))[0].code,
        "UNKNOWN_CATEGORY"
    );
    assert_eq!(
        problems(state_of(&submission.settled, "BAD-NOT-LEAF"))[0].code,
        "INVALID_CATEGORY"
    );
    assert_eq!(
        problems(state_of(&submission.settled, "BAD-NAME"))[0].code,
        "name_too_long"
    );

    let results = settle(&env.connector, &submission, Duration::from_secs(5)).await?;
    assert_eq!(results.len(), 20);
    let mut skus = std::collections::HashSet::new();
    for card in cards.iter().filter(|c| !c.offer_id.starts_with("BAD-")) {
        let CardState::Published { ids } = state_of(&results, &card.offer_id) else {
            panic!("{} not published: {results:?}", card.offer_id);
        };
        let held = env.sandbox.offer(&card.offer_id).and_then(|o| o.market_sku);
        assert_eq!(
            ids.sku,
            held.map(|s| s.to_string()),
            "the marketSku the Market gave"
        );
        assert_eq!(ids.product_id, None);
        assert!(skus.insert(ids.sku.clone()), "distinct skus");
    }
    assert_eq!(skus.len(), 14);

    let missing = problems(state_of(&results, "BAD-NO-COLOR"));
    assert!(
        missing.iter().all(|p| p.code == "NO_CARD_NEED_CONTENT"),
        "{missing:?}"
    );
    assert!(
        missing
            .iter()
            .any(|p| p.attribute.as_deref() == Some(seed::COLOR.to_string().as_str())),
        "names the missing attribute: {missing:?}"
    );
    let unknown = problems(state_of(&results, "BAD-MATERIAL"));
    assert!(
        unknown.iter().all(|p| p.code == "NO_CARD_ERRORS"),
        "{unknown:?}"
    );
    assert!(
        unknown
            .iter()
            .any(|p| p.attribute.as_deref() == Some(seed::MATERIAL.to_string().as_str())),
        "names the attribute with the bad value: {unknown:?}"
    );
    // the refused-at-once offers never reached the catalog
    assert_eq!(env.sandbox.offer_count(), 16);
    assert!(env.sandbox.offer("BAD-LENGTH").is_none());
    Ok(())
}

#[tokio::test]
async fn resubmitting_the_same_cards_updates_them_without_new_products() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let cards = catalog();
    let first = env.connector.submit_cards(&cards).await?;
    let before = settle(&env.connector, &first, Duration::from_secs(5)).await?;
    let offers_before = env.sandbox.offers();

    let again = env.connector.submit_cards(&cards).await?;
    let after = settle(&env.connector, &again, Duration::from_secs(5)).await?;
    assert_eq!(before, after, "same outcome, same marketSkus");
    let offers_after = env.sandbox.offers();
    assert_eq!(offers_after.len(), offers_before.len(), "no new product");
    for (old, new) in offers_before.iter().zip(&offers_after) {
        assert_eq!(old.offer_id, new.offer_id);
        assert_eq!(old.market_sku, new.market_sku);
        assert_eq!(
            new.received, 2,
            "{} updated once more, not created",
            new.offer_id
        );
    }
    Ok(())
}

#[tokio::test]
async fn cards_are_pending_until_the_market_has_processed_them() -> anyhow::Result<()> {
    let env = start(carpetti_yandex_market::SandboxConfig {
        processing_delay: Duration::from_millis(300),
        ..fast()
    })
    .await?;
    let cards = vec![carpet("SLOW-1"), towel("SLOW-2")];
    let submission = env.connector.submit_cards(&cards).await?;
    let now = env.connector.poll_cards(&submission).await?;
    assert!(now.iter().all(|r| r.state == CardState::Pending), "{now:?}");
    assert_eq!(env.sandbox.offer("SLOW-1").and_then(|o| o.market_sku), None);
    let later = settle(&env.connector, &submission, Duration::from_secs(5)).await?;
    assert!(
        matches!(state_of(&later, "SLOW-1"), CardState::Published { .. }),
        "{later:?}"
    );
    assert!(
        matches!(state_of(&later, "SLOW-2"), CardState::Published { .. }),
        "{later:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_card_arrives_in_the_markets_units_and_shape() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    env.connector.submit_cards(&[carpet("UNITS-1")]).await?;
    let held = env.sandbox.offer("UNITS-1").expect("offer");
    assert_eq!(
        held.weight_dimensions,
        Some([160.0, 30.0, 30.0, 8.5]),
        "cm and kg"
    );
    let request = env
        .sandbox
        .toolkit()
        .exchanges_to("/v2/businesses/7700001/offer-mappings/update")[0]
        .request
        .clone()
        .unwrap_or_default();
    let offer = &request["offerMappings"][0]["offer"];
    assert_eq!(offer["marketCategoryId"], seed::CARPETS);
    assert_eq!(offer["basicPrice"]["currencyId"], "RUR");
    assert_eq!(offer["basicPrice"]["value"], 12990.0);
    assert_eq!(offer["basicPrice"]["discountBase"], 15990.0);
    let color = offer["parameterValues"]
        .as_array()
        .and_then(|values| values.iter().find(|v| v["parameterId"] == seed::COLOR))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        color["valueId"], 12_107_000,
        "a dictionary value goes by its id: {color}"
    );
    assert_eq!(
        env.sandbox.price("UNITS-1").map(|p| p.value),
        Some(rust_decimal::Decimal::new(12990, 0)),
        "the cabinet price came with the card"
    );
    Ok(())
}
