//! Categories from `categoryTree/get`, attributes from `infomodel/get`, and the shared dictionary
//! check using them.

use carpetti_marketplace::{AttributeKind, Connector, MpError};
use carpetti_megamarket::seed::{COLOUR, KETTLES, MICROWAVES, POWER, TYPE};

use crate::{card, start, with_attribute};

#[tokio::test]
async fn categories_flatten_the_tree_with_leaves_marked() {
    let setup = start().await;
    let categories = setup.connector.categories().await.expect("categories");
    assert_eq!(categories.len(), 7);
    let leaves: Vec<_> = categories.iter().filter(|c| c.leaf).collect();
    assert_eq!(leaves.len(), 3);
    let kettles = categories
        .iter()
        .find(|c| c.id == KETTLES.to_string())
        .expect("kettles");
    assert!(kettles.leaf);
    assert_eq!(kettles.name, "Электрочайники");
    assert_eq!(kettles.parent_id.as_deref(), Some("80608000000"));
    let root = categories
        .iter()
        .find(|c| c.id == "80000000000")
        .expect("root");
    assert_eq!(root.parent_id, None);
    assert!(!root.leaf);
}

#[tokio::test]
async fn category_attributes_map_kinds_required_and_dictionaries() {
    let setup = start().await;
    let attributes = setup
        .connector
        .category_attributes(&MICROWAVES.to_string())
        .await
        .expect("attributes");
    assert_eq!(attributes.attributes.len(), 4, "content attributes only");
    let kind = attributes.attribute(&TYPE.to_string()).expect("type");
    assert_eq!(kind.kind, AttributeKind::Dictionary);
    assert!(kind.required);
    assert_eq!(kind.values.len(), 3);
    let power = attributes.attribute(&POWER.to_string()).expect("power");
    assert_eq!(power.kind, AttributeKind::Number);
    assert_eq!(power.unit.as_deref(), Some("Вт"));
    // isSuggest: an open dictionary, values not checked.
    let colour = attributes.attribute(&COLOUR.to_string()).expect("colour");
    assert_eq!(colour.kind, AttributeKind::Dictionary);
    assert!(colour.values.is_empty());

    let good = card("OK", MICROWAVES);
    assert!(
        attributes.check(&good).is_empty(),
        "{:?}",
        attributes.check(&good)
    );
    let bad = with_attribute(card("KO", MICROWAVES), TYPE, Some("Инверторная"));
    let problems = attributes.check(&bad);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].attribute.as_deref(), Some(&*TYPE.to_string()));
}

#[tokio::test]
async fn attributes_of_an_unknown_category_are_refused() {
    let setup = start().await;
    let error = setup
        .connector
        .category_attributes("12345")
        .await
        .expect_err("unknown category");
    assert!(
        matches!(&error, MpError::Rejected { code, .. } if code == "CATEGORY_NOT_FOUND"),
        "{error:?}"
    );
    let error = setup
        .connector
        .category_attributes("kettles")
        .await
        .expect_err("not an id");
    assert!(matches!(error, MpError::Rejected { .. }), "{error:?}");
}
