//! Attribute groups, attributes (kind rules) and attribute options.

use carpetti_persist::StoreError;
use carpetti_persist::model::structure::{AttributeGroup, AttributeKind, AttributeOption};
use carpetti_persist::model::{ListFilter, Lookup};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::structure::{any, attribute, code, invalid};

pub fn option(attribute_id: Uuid, c: &str) -> AttributeOption {
    AttributeOption {
        attribute_id,
        code: code(c),
        label: format!("Вариант {c}"),
        position: 1,
    }
}

pub async fn attributes_and_groups(store: DynStore) -> anyhow::Result<()> {
    let group = AttributeGroup {
        code: code("size"),
        name: "Размеры".into(),
        position: 2,
    };
    let group = store.create_attribute_group(group).await?;
    assert_eq!(
        store
            .get_attribute_group(&Lookup::Key("size".into()))
            .await?,
        group
    );

    let mut width = attribute("width", AttributeKind::Measure);
    width.group_id = Some(group.meta.id);
    let width = store.create_attribute(width).await?;
    assert_eq!(width.refs.get("group_code"), "size");
    assert_eq!(width.value.unit.as_deref(), Some("mm"));
    assert_eq!(
        store.get_attribute(&Lookup::Key("width".into())).await?,
        width
    );

    let mut no_unit = attribute("depth", AttributeKind::Measure);
    no_unit.unit = None;
    invalid(
        store.create_attribute(no_unit).await.expect_err("no unit"),
        "unit",
    );
    let mut text_unit = attribute("title", AttributeKind::Text);
    text_unit.unit = Some("kg".into());
    invalid(
        store
            .create_attribute(text_unit)
            .await
            .expect_err("unit on text"),
        "unit",
    );
    let mut multi = attribute("count", AttributeKind::Number);
    multi.multi_value = true;
    invalid(
        store
            .create_attribute(multi)
            .await
            .expect_err("multi number"),
        "multi_value",
    );
    let mut orphan = attribute("orphan", AttributeKind::Text);
    orphan.group_id = Some(Uuid::now_v7());
    invalid(
        store
            .create_attribute(orphan)
            .await
            .expect_err("unknown group"),
        "group_id",
    );
    let err = store
        .create_attribute(attribute("width", AttributeKind::Text))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "attribute",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        store.list_attributes(&ListFilter::new()).await?.items.len(),
        1,
        "nothing half-written"
    );

    let found = store
        .list_attributes(&ListFilter {
            text: Some("wid".into()),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(found.items.len(), 1);
    let groups = store
        .list_attribute_groups(&ListFilter {
            text: Some("размер".into()),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(groups.items.len(), 1);

    // deleting the group ungroups its attributes, which show up as changed
    let mark = store.current_seq().await?;
    let seq = store.delete_attribute_group(any(group.meta.id)).await?;
    let changed = store
        .list_attributes(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(changed.items.len(), 1);
    assert_eq!(changed.items[0].value.group_id, None);
    assert_eq!(changed.items[0].refs.get("group_code"), "");
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].seq, tombstones[0].entity.as_str()),
        (seq, "attribute_group")
    );
    assert_eq!(tombstones[0].business_key, "size");
    Ok(())
}

pub async fn attribute_options(store: DynStore) -> anyhow::Result<()> {
    let color = store
        .create_attribute(attribute("color", AttributeKind::Option))
        .await?;
    let finish = store
        .create_attribute(attribute("finish", AttributeKind::Option))
        .await?;
    let title = store
        .create_attribute(attribute("title", AttributeKind::Text))
        .await?;

    let red = store
        .create_attribute_option(option(color.meta.id, "red"))
        .await?;
    assert_eq!(red.refs.get("attribute_code"), "color");
    store
        .create_attribute_option(option(color.meta.id, "blue"))
        .await?;
    store
        .create_attribute_option(option(finish.meta.id, "red"))
        .await?;
    let err = store
        .create_attribute_option(option(color.meta.id, "red"))
        .await
        .expect_err("dup");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "attribute option",
                ..
            }
        ),
        "{err:?}"
    );
    let reason = invalid(
        store
            .create_attribute_option(option(title.meta.id, "x"))
            .await
            .expect_err("text attribute"),
        "attribute_id",
    );
    assert!(reason.contains("kind text"), "{reason}");
    invalid(
        store
            .create_attribute_option(option(Uuid::now_v7(), "x"))
            .await
            .expect_err("unknown"),
        "attribute_id",
    );

    let got = store
        .get_attribute_option(&Lookup::ScopedKey(color.meta.id, "red".into()))
        .await?;
    assert_eq!(got, red);
    let err = store
        .get_attribute_option(&Lookup::Key("red".into()))
        .await
        .expect_err("unscoped");
    assert!(matches!(err, StoreError::InvalidArgument { .. }), "{err:?}");
    let of_color = ListFilter {
        attribute_id: Some(color.meta.id),
        ..ListFilter::new()
    };
    let listed = store.list_attribute_options(&of_color).await?;
    assert_eq!(
        listed
            .items
            .iter()
            .map(|r| r.value.code.as_str())
            .collect::<Vec<_>>(),
        ["red", "blue"]
    );
    let blue = store
        .list_attribute_options(&ListFilter {
            text: Some("blu".into()),
            ..of_color.clone()
        })
        .await?;
    assert_eq!(blue.items.len(), 1);

    // an attribute with options keeps its kind
    let err = store
        .update_attribute(any(color.meta.id), attribute("color", AttributeKind::Text))
        .await
        .expect_err("kind change");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    let mut multi = attribute("color", AttributeKind::Option);
    multi.multi_value = true;
    assert!(
        store
            .update_attribute(any(color.meta.id), multi)
            .await?
            .value
            .multi_value
    );

    // deleting the attribute deletes its options, each with a tombstone
    let mark = store.current_seq().await?;
    store.delete_attribute(any(color.meta.id)).await?;
    let keys: Vec<String> = store
        .list_tombstones(mark, 10, None)
        .await?
        .into_iter()
        .map(|t| format!("{}:{}", t.entity, t.business_key))
        .collect();
    assert_eq!(
        keys,
        [
            "attribute:color",
            "attribute_option:color/red",
            "attribute_option:color/blue"
        ]
    );
    assert!(
        store
            .list_attribute_options(&of_color)
            .await?
            .items
            .is_empty()
    );
    let seq = store
        .delete_attribute_option(any(store
            .list_attribute_options(&ListFilter::new())
            .await?
            .items[0]
            .meta
            .id))
        .await?;
    let last = store.list_tombstones(seq - 1, 10, None).await?;
    assert_eq!(last[0].business_key, "finish/red");
    Ok(())
}
