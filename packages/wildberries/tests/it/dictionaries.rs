//! Subjects under their parents, characteristics with their kinds, and directory values.

use carpetti_marketplace::{AttributeKind, Connector};
use carpetti_wildberries::sandbox::seed::{CARPET_LENGTH, CARPETS, COLOR, COMPOSITION, VAT};

use crate::common::{Setup, carpet};

#[tokio::test]
async fn subjects_and_characteristics_come_with_directory_values() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    let categories = setup.connector.categories().await?;
    let leaves: Vec<_> = categories.iter().filter(|c| c.leaf).collect();
    assert_eq!(leaves.len(), 3);
    assert_eq!(categories.len(), 5);
    let carpets = leaves
        .iter()
        .find(|c| c.id == CARPETS.to_string())
        .expect("Ковры");
    assert_eq!(carpets.name, "Ковры");
    let parent = categories
        .iter()
        .find(|c| Some(&c.id) == carpets.parent_id.as_ref())
        .expect("parent");
    assert_eq!((parent.name.as_str(), parent.leaf), ("Дом", false));

    let attributes = setup
        .connector
        .category_attributes(&CARPETS.to_string())
        .await?;
    let color = attributes.attribute(&COLOR.to_string()).expect("Цвет");
    assert_eq!(color.kind, AttributeKind::Dictionary);
    assert!(color.required && color.multi_valued);
    assert!(color.values.iter().any(|v| v.value == "серый"));
    let length = attributes
        .attribute(&CARPET_LENGTH.to_string())
        .expect("length");
    assert_eq!(
        (length.kind, length.unit.as_deref()),
        (AttributeKind::Number, Some("см"))
    );
    let composition = attributes
        .attribute(&COMPOSITION.to_string())
        .expect("Состав");
    assert_eq!(composition.kind, AttributeKind::Text);
    let vat = attributes.attribute(&VAT.to_string()).expect("НДС");
    assert!(!vat.multi_valued && vat.values.iter().any(|v| v.value == "20"));

    // The dictionary checks a card the way WB will.
    let mut card = carpet(1);
    assert!(attributes.check(&card).is_empty());
    card.attributes[0].values[0].value = "фуксия неон".into();
    let problems = attributes.check(&card);
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].attribute.as_deref(),
        Some(COLOR.to_string().as_str())
    );
    assert!(
        setup
            .connector
            .category_attributes("not-a-subject")
            .await
            .is_err()
    );
    Ok(())
}
