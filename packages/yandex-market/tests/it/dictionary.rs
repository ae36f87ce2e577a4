//! The category tree and a leaf's parameters, as our dictionary types.

use carpetti_marketplace::{AttributeKind, Connector, MpError};
use carpetti_yandex_market::sandbox::seed;

use crate::{fast, start};

#[tokio::test]
async fn the_tree_has_leaves_under_their_parents() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let categories = env.connector.categories().await?;
    let carpets = categories
        .iter()
        .find(|c| c.id == seed::CARPETS.to_string())
        .expect("carpets");
    assert!(carpets.leaf);
    assert_eq!(carpets.name, "Ковры");
    assert_eq!(carpets.parent_id, Some(seed::HOME_TEXTILES.to_string()));
    let textiles = categories
        .iter()
        .find(|c| c.id == seed::HOME_TEXTILES.to_string())
        .expect("textiles");
    assert!(!textiles.leaf);
    assert_eq!(categories.iter().filter(|c| c.leaf).count(), 3);
    assert_eq!(
        categories.iter().filter(|c| c.parent_id.is_none()).count(),
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_leaf_has_typed_parameters_with_values_and_units() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let attributes = env
        .connector
        .category_attributes(&seed::CARPETS.to_string())
        .await?;
    let color = attributes
        .attribute(&seed::COLOR.to_string())
        .expect("color");
    assert_eq!(color.kind, AttributeKind::Dictionary);
    assert!(color.required && color.multi_valued);
    assert!(
        color
            .values
            .iter()
            .any(|v| v.id == "12107003" && v.value == "синий")
    );
    let length = attributes
        .attribute(&seed::LENGTH.to_string())
        .expect("length");
    assert_eq!(
        (length.kind, length.unit.as_deref()),
        (AttributeKind::Number, Some("см"))
    );
    let lintless = attributes
        .attribute(&seed::LINTLESS.to_string())
        .expect("lintless");
    assert_eq!(lintless.kind, AttributeKind::Boolean);
    assert!(!lintless.required);
    let collection = attributes
        .attribute(&seed::COLLECTION.to_string())
        .expect("collection");
    assert_eq!(collection.kind, AttributeKind::Text);

    // the dictionary checks a card before it is sent
    let mut card = crate::carpet("CHECKED");
    card.attributes.retain(|a| a.id != seed::WIDTH.to_string());
    let problems = attributes.check(&card);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].attribute.as_deref(),
        Some(seed::WIDTH.to_string().as_str())
    );
    Ok(())
}

#[tokio::test]
async fn a_branch_or_an_unknown_category_has_no_parameters() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let branch = env
        .connector
        .category_attributes(&seed::HOME_TEXTILES.to_string())
        .await;
    assert!(
        matches!(&branch, Err(MpError::Rejected { status: 400, code, .. }) if code == "CATEGORY_IS_NOT_LEAF"),
        "{branch:?}"
    );
    let unknown = env.connector.category_attributes("424242").await;
    assert!(
        matches!(&unknown, Err(MpError::Rejected { code, .. }) if code == "UNKNOWN_CATEGORY"),
        "{unknown:?}"
    );
    let not_an_id = env.connector.category_attributes("carpets").await;
    assert!(
        matches!(&not_an_id, Err(MpError::Rejected { status: 0, .. })),
        "{not_an_id:?}"
    );
    Ok(())
}
