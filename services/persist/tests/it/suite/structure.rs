//! The catalog structure, part one: the category tree, and the builders all three structure suites
//! use (attribute groups, attributes and options: `structure_attributes.rs`; families and
//! completeness: `structure_families.rs`).

use carpetti_persist::StoreError;
use carpetti_persist::model::channel::{Channel, ChannelKind};
use carpetti_persist::model::product::{AttributeValue, Product, ProductStatus, Value, Vat};
use carpetti_persist::model::structure::{
    Attribute, AttributeKind, Category, Family, FamilyRequirement,
};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use carpetti_util::{Code, Currency, Money, Sku};
use uuid::Uuid;

pub fn code(raw: &str) -> Code {
    Code::parse(raw).expect("code")
}

pub fn any(id: Uuid) -> Target {
    Target {
        id,
        expected_seq: None,
    }
}

fn category(c: &str, name: &str, parent_id: Option<Uuid>) -> Category {
    Category {
        code: code(c),
        name: name.into(),
        parent_id,
        position: 0,
    }
}

pub fn attribute(c: &str, kind: AttributeKind) -> Attribute {
    Attribute {
        code: code(c),
        name: c.to_uppercase(),
        kind,
        group_id: None,
        unit: (kind == AttributeKind::Measure).then(|| "mm".to_owned()),
        multi_value: false,
        position: 0,
    }
}

pub fn channel(c: &str) -> Channel {
    Channel {
        code: code(c),
        name: c.to_uppercase(),
        kind: ChannelKind::Ozon,
        locale: "ru_RU".into(),
        currency: Currency::rub(),
        active: true,
        settings: serde_json::json!({}),
    }
}

pub fn family(c: &str, attributes: &[&str], requirements: &[(&str, &[&str])]) -> Family {
    Family {
        code: code(c),
        name: format!("Семейство {c}"),
        attribute_codes: attributes.iter().map(|a| code(a)).collect(),
        requirements: requirements
            .iter()
            .map(|(ch, attrs)| FamilyRequirement {
                channel_code: code(ch),
                attribute_codes: attrs.iter().map(|a| code(a)).collect(),
            })
            .collect(),
    }
}

pub fn product(sku: &str, family_id: Option<Uuid>, values: Vec<AttributeValue>) -> Product {
    Product {
        sku: Sku::parse(sku).expect("sku"),
        name: format!("Товар {sku}"),
        vendor: None,
        vendor_code: None,
        barcodes: Vec::new(),
        description: None,
        pictures: Vec::new(),
        length_mm: None,
        width_mm: None,
        height_mm: None,
        weight_g: None,
        price: Money::parse("100").expect("price"),
        old_price: None,
        currency: Currency::rub(),
        stock: 1,
        vat: Vat::TwentyTwo,
        family_id,
        category_id: None,
        status: ProductStatus::Draft,
        values,
    }
}

pub fn text(attribute: &str, value: &str) -> AttributeValue {
    AttributeValue {
        attribute_code: code(attribute),
        value: Value::Text(value.into()),
    }
}

pub fn invalid(err: StoreError, expected_field: &str) -> String {
    match err {
        StoreError::InvalidArgument { field, reason } => {
            assert_eq!(field, expected_field, "{reason}");
            reason
        }
        other => panic!("expected InvalidArgument on {expected_field}, got {other:?}"),
    }
}

pub async fn category_tree_and_cycles(store: DynStore) -> anyhow::Result<()> {
    let root = store.create_category(category("home", "Дом", None)).await?;
    let kitchen = store
        .create_category(category("kitchen", "Кухня", Some(root.meta.id)))
        .await?;
    assert_eq!(kitchen.refs.get("parent_code"), "home");
    let kettles = store
        .create_category(category("kettles", "Чайники", Some(kitchen.meta.id)))
        .await?;
    assert_eq!(
        store.get_category(&Lookup::Key("kettles".into())).await?,
        kettles
    );

    let err = store
        .create_category(category("x", "X", Some(Uuid::now_v7())))
        .await
        .expect_err("unknown parent");
    assert!(invalid(err, "parent_id").contains("unknown category"));
    let err = store
        .create_category(category("home", "Дубль", None))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "category",
                ..
            }
        ),
        "{err:?}"
    );

    // a root made a child of its own grandchild, and of itself
    let mark = store.current_seq().await?;
    let cycle = category("home", "Дом", Some(kettles.meta.id));
    let err = store
        .update_category(any(root.meta.id), cycle)
        .await
        .expect_err("cycle");
    let reason = invalid(err, "parent_id");
    assert!(
        reason.contains("would create a cycle: home → kettles → kitchen → home"),
        "{reason}"
    );
    let err = store
        .update_category(
            any(root.meta.id),
            category("home", "Дом", Some(root.meta.id)),
        )
        .await;
    assert!(invalid(err.expect_err("self"), "parent_id").contains("home → home"));
    assert_eq!(
        store.get_category(&Lookup::Id(root.meta.id)).await?,
        root,
        "nothing written"
    );
    assert_eq!(
        store.current_seq().await?,
        mark,
        "rejected writes roll their numbers back"
    );

    // moving within the tree is fine: kettles becomes a root, then kitchen's child again
    let moved = store
        .update_category(any(kettles.meta.id), category("kettles", "Чайники", None))
        .await?;
    assert_eq!(moved.value.parent_id, None);
    assert_eq!(moved.refs.get("parent_code"), "");

    let children = ListFilter {
        parent_id: Some(root.meta.id),
        ..ListFilter::new()
    };
    let listed = store.list_categories(&children).await?;
    assert_eq!(
        listed.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![kitchen.meta.id]
    );
    let by_text = ListFilter {
        text: Some(carpetti_util::normalize_search_text("ЧАЙН")),
        ..ListFilter::new()
    };
    let found = store.list_categories(&by_text).await?;
    assert_eq!(
        found.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![kettles.meta.id]
    );
    let err = store
        .list_categories(&ListFilter {
            attribute_id: Some(root.meta.id),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    invalid(err, "attribute_id");

    // a category with children cannot go; a leaf can, leaving a tombstone
    let err = store
        .delete_category(any(root.meta.id))
        .await
        .expect_err("has children");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    let before = store.current_seq().await?;
    let seq = store.delete_category(any(kettles.meta.id)).await?;
    let tombstones = store.list_tombstones(before, 10, None).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].seq, tombstones[0].business_key.as_str()),
        (seq, "kettles")
    );
    assert_eq!(tombstones[0].entity, "category");
    Ok(())
}

pub async fn category_pages_and_changed_since(store: DynStore) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            store
                .create_category(category(&format!("c{i}"), "К", None))
                .await?
                .meta
                .id,
        );
    }
    let mut filter = ListFilter {
        limit: 2,
        ..ListFilter::new()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.list_categories(&filter).await?;
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|r| r.meta.id));
        match page.next_after_seq {
            Some(next) => filter.after_seq = next,
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let mark = store.current_seq().await?;
    let stale = store.get_category(&Lookup::Id(ids[1])).await?;
    let target = Target {
        id: ids[1],
        expected_seq: Some(stale.meta.change_seq),
    };
    store
        .update_category(target, category("c1", "Новое", Some(ids[0])))
        .await?;
    let err = store
        .update_category(target, category("c1", "Снова", None))
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let since = store
        .list_categories(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(since.items.len(), 1);
    assert_eq!(since.items[0].value.name, "Новое");
    Ok(())
}
