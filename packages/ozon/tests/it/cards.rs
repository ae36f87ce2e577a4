//! Dictionaries and cards: the catalog published, the bad cards rejected with Ozon's code and
//! attribute, re-submission updating instead of duplicating.

use std::time::Duration;

use carpetti_marketplace::{AttributeKind, CardState, Connector};
use carpetti_ozon::SandboxConfig;
use carpetti_ozon::sandbox::seed;

use crate::{Harness, catalog, publish, result_of, settle};

#[tokio::test]
async fn the_tree_gives_three_leaves_under_their_description_categories() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let categories = h.connector.categories().await?;
    let mut leaves: Vec<&str> = categories
        .iter()
        .filter(|c| c.leaf)
        .map(|c| c.id.as_str())
        .collect();
    leaves.sort_unstable();
    assert_eq!(leaves, [seed::CARPET, seed::DOORMAT, seed::FLOOR_LAMP]);
    let carpet = categories
        .iter()
        .find(|c| c.id == seed::CARPET)
        .expect("carpet");
    assert_eq!(carpet.name, "Ковер");
    assert_eq!(carpet.parent_id.as_deref(), Some("17028650"));
    let root = categories
        .iter()
        .find(|c| c.id == "17027495")
        .expect("root");
    assert!(!root.leaf && root.parent_id.is_none());
    Ok(())
}

#[tokio::test]
async fn attributes_come_with_their_dictionary_values() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let attributes = h.connector.category_attributes(seed::CARPET).await?;
    let brand = attributes.attribute("85").expect("brand");
    assert_eq!(brand.kind, AttributeKind::Dictionary);
    assert!(brand.required && !brand.multi_valued);
    assert!(
        brand
            .values
            .iter()
            .any(|v| v.id == seed::BRAND_CARPETTI.to_string() && v.value == "Carpetti")
    );
    let colour = attributes.attribute("10096").expect("colour");
    assert!(!colour.required && colour.multi_valued && colour.values.len() == 5);
    assert_eq!(
        attributes.attribute("4497").map(|a| a.kind),
        Some(AttributeKind::Number)
    );
    assert_eq!(
        attributes.attribute("4191").map(|a| a.kind),
        Some(AttributeKind::Text)
    );

    // the shared check finds what the sandbox will refuse
    let (cards, ..) = catalog();
    assert!(
        attributes.check(&cards[0]).is_empty(),
        "{:?}",
        attributes.check(&cards[0])
    );
    let problems = attributes.check(&cards[14]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].attribute.as_deref(), Some("11025"));

    let unknown = h.connector.category_attributes("17028650/1").await;
    assert!(
        matches!(
            unknown,
            Err(carpetti_marketplace::MpError::Rejected { status: 404, .. })
        ),
        "{unknown:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_catalog_is_published_and_the_bad_cards_rejected_with_ozon_codes() -> anyhow::Result<()> {
    let mut config = SandboxConfig::paced(1000.0).immediate();
    config.processing_delay = Duration::from_millis(150);
    let h = Harness::start(config).await?;
    let (cards, good, missing, bad_value) = catalog();

    let submission = h.connector.submit_cards(&cards).await?;
    assert!(submission.task_id.is_some() && submission.settled.is_empty());
    assert_eq!(submission.offer_ids.len(), 20);
    let first = h.connector.poll_cards(&submission).await?;
    assert!(
        first.iter().all(|r| r.state == CardState::Pending),
        "the task is still processing: {first:?}"
    );

    let results = settle(&h.connector, &submission).await?;
    assert_eq!(results.len(), 20);
    for offer in &good {
        let product = h.sandbox.product(offer).expect("created");
        match result_of(&results, offer)? {
            CardState::Published { ids } => {
                assert_eq!(ids.offer_id, *offer);
                assert_eq!(ids.product_id, Some(product.product_id.to_string()));
                assert_eq!(ids.sku, Some(product.sku.to_string()));
            }
            other => panic!("{offer}: {other:?}"),
        }
    }
    for offer in &missing {
        let CardState::Rejected { problems } = result_of(&results, offer)? else {
            panic!("{offer} must be rejected");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].code, "error_attribute_values_empty");
        assert_eq!(problems[0].attribute.as_deref(), Some("11025"));
        assert!(h.sandbox.product(offer).is_none());
    }
    for offer in &bad_value {
        let CardState::Rejected { problems } = result_of(&results, offer)? else {
            panic!("{offer} must be rejected");
        };
        assert_eq!(problems[0].code, "dictionary_value_not_found");
        assert_eq!(problems[0].attribute.as_deref(), Some("10096"));
    }
    assert_eq!(h.sandbox.product_count(), good.len());

    // what was sent: mm and g, decimal strings, the description as attribute 4191
    let imports = h.sandbox.toolkit().exchanges_to("/v3/product/import");
    let item = &imports[0].request.as_ref().expect("json")["items"][0];
    assert_eq!(item["price"], "4990");
    assert_eq!(item["old_price"], "5990");
    assert_eq!(item["vat"], "0.2");
    assert_eq!(
        (item["depth"].as_i64(), item["dimension_unit"].as_str()),
        (Some(2000), Some("mm"))
    );
    assert_eq!(
        (item["weight"].as_i64(), item["weight_unit"].as_str()),
        (Some(5200), Some("g"))
    );
    assert_eq!(item["description_category_id"], 17_028_650);
    assert_eq!(item["type_id"], 94765);
    assert!(
        item["attributes"]
            .as_array()
            .expect("attributes")
            .iter()
            .any(|a| a["id"] == 4191)
    );
    Ok(())
}

#[tokio::test]
async fn resubmitting_updates_and_never_duplicates() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let (mut cards, good, ..) = catalog();
    let first = publish(&h.connector, &cards).await?;
    let again = publish(&h.connector, &cards).await?;
    for offer in &good {
        assert_eq!(
            result_of(&first, offer)?,
            result_of(&again, offer)?,
            "same ids for {offer}"
        );
        assert_eq!(h.sandbox.created_count(offer), 1, "{offer} created once");
        assert_eq!(h.sandbox.import_count(offer), 2, "{offer} sent twice");
    }
    assert_eq!(h.sandbox.product_count(), good.len());
    let info = h.sandbox.toolkit().exchanges_to("/v1/product/import/info");
    let statuses: Vec<&str> = info
        .last()
        .and_then(|e| e.response.as_ref())
        .and_then(|r| r["result"]["items"].as_array())
        .map(|items| items.iter().filter_map(|i| i["status"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        statuses.contains(&"skipped"),
        "unchanged cards are skipped: {statuses:?}"
    );

    // a changed card is updated in place
    cards[0].name = "Ковер шерстяной, новое название".to_owned();
    let updated = publish(&h.connector, &cards[..1]).await?;
    assert!(matches!(
        result_of(&updated, "CRP-000")?,
        CardState::Published { .. }
    ));
    let product = h.sandbox.product("CRP-000").expect("product");
    assert_eq!(product.name, "Ковер шерстяной, новое название");
    assert_eq!(h.sandbox.created_count("CRP-000"), 1);
    assert_eq!(h.sandbox.product_count(), good.len());
    Ok(())
}

#[tokio::test]
async fn cards_the_connector_cannot_encode_are_settled_without_a_call() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let (cards, ..) = catalog();
    let mut broken = cards[0].clone();
    broken.offer_id = "BROKEN".to_owned();
    broken.category = "carpets".to_owned();
    let submission = h.connector.submit_cards(&[broken]).await?;
    assert!(submission.task_id.is_none());
    assert_eq!(submission.settled.len(), 1);
    let polled = h.connector.poll_cards(&submission).await?;
    let CardState::Rejected { problems } = &polled[0].state else {
        panic!("{polled:?}");
    };
    assert_eq!(problems[0].code, "bad_category");
    assert!(
        h.sandbox
            .toolkit()
            .exchanges_to("/v3/product/import")
            .is_empty()
    );

    let too_many: Vec<_> = (0..101)
        .map(|n| crate::carpet(&format!("M-{n}"), n))
        .collect();
    let refused = h.connector.submit_cards(&too_many).await;
    assert!(
        matches!(refused, Err(carpetti_marketplace::MpError::Rejected { .. })),
        "{refused:?}"
    );
    Ok(())
}
