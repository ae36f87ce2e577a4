//! Channels, their category and attribute mappings, listings and the publication outbox.

use std::collections::BTreeMap;

use carpetti_persist::StoreError;
use carpetti_persist::model::channel::{
    Channel, ChannelAttributeMap, ChannelCategoryMap, ChannelKind, ListingStatus,
};
use carpetti_persist::model::order::StatusAuthor;
use carpetti_persist::model::structure::{Attribute, AttributeKind, Category};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use carpetti_util::{Code, Currency};
use uuid::Uuid;

use super::links::product;

pub(crate) mod batches;
pub(crate) mod credentials;
pub(crate) mod publication;

pub use batches::{batch_errors_name_the_row, batches_save_in_order_and_all_or_nothing};
pub use credentials::credentials_are_kept_apart_and_replaced;
use publication::listing;
pub use publication::{listing_rules_and_filters, outbox_keeps_one_pending_entry};

pub(crate) fn channel(code: &str, kind: ChannelKind) -> Channel {
    Channel {
        code: Code::parse(code).expect("code"),
        name: format!("Канал {code}"),
        kind,
        locale: "ru_RU".into(),
        currency: Currency::rub(),
        active: true,
        settings: serde_json::json!({"warehouse_id": 42, "client": {"id": "c-1"}}),
    }
}

pub(crate) fn id(id: Uuid) -> Target {
    Target {
        id,
        expected_seq: None,
    }
}

pub(crate) fn assert_invalid(err: &StoreError, expected: &str) {
    assert!(
        matches!(err, StoreError::InvalidArgument { field, .. } if field == expected),
        "expected InvalidArgument on {expected}, got {err:?}"
    );
}

pub async fn channel_crud_and_text_search(store: DynStore) -> anyhow::Result<()> {
    let created = store
        .create_channel(channel("ozon-main", ChannelKind::Ozon))
        .await?;
    assert_eq!(
        store.get_channel(&Lookup::Key("ozon-main".into())).await?,
        created
    );
    assert_eq!(created.value.settings["client"]["id"], "c-1");
    let err = store
        .create_channel(channel("ozon-main", ChannelKind::Shop))
        .await
        .expect_err("dup");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "channel",
                ..
            }
        ),
        "{err:?}"
    );
    let mut blank = channel("blank", ChannelKind::Shop);
    blank.name = " ".into();
    assert_invalid(
        &store.create_channel(blank).await.expect_err("name"),
        "name",
    );
    let mut bad_settings = channel("bad", ChannelKind::Shop);
    bad_settings.settings = serde_json::json!([1]);
    assert_invalid(
        &store
            .create_channel(bad_settings)
            .await
            .expect_err("settings"),
        "settings",
    );

    let mut changed = created.value.clone();
    changed.name = "Ёлки на WB".into();
    changed.kind = ChannelKind::Wildberries;
    changed.currency = Currency::parse("KZT").expect("currency");
    changed.active = false;
    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    let updated = store.update_channel(target, changed).await?;
    let read = store.get_channel(&Lookup::Id(created.meta.id)).await?;
    assert_eq!(read, updated);
    assert_eq!(
        (
            read.value.kind,
            read.value.currency.as_str(),
            read.value.active
        ),
        (ChannelKind::Wildberries, "KZT", false)
    );
    let err = store
        .update_channel(target, read.value.clone())
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    store
        .create_channel(channel("shop", ChannelKind::Shop))
        .await?;
    store
        .create_channel(channel("ym", ChannelKind::YandexMarket))
        .await?;
    let text = |t: &str| ListFilter {
        text: Some(carpetti_util::normalize_search_text(t)),
        ..ListFilter::new()
    };
    let found = store.list_channels(&text("ЕЛКИ")).await?;
    assert_eq!(
        found.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![created.meta.id],
        "ё = е, case folded"
    );
    assert_eq!(store.list_channels(&text("канал")).await?.items.len(), 2);
    let paged = store
        .list_channels(&ListFilter {
            limit: 1,
            ..text("канал")
        })
        .await?;
    assert_eq!(paged.items[0].value.code.as_str(), "shop");
    let rest = store
        .list_channels(&ListFilter {
            limit: 1,
            after_seq: paged.next_after_seq.expect("next"),
            ..text("канал")
        })
        .await?;
    assert_eq!(
        (rest.items[0].value.code.as_str(), rest.next_after_seq),
        ("ym", None)
    );
    let err = store
        .list_channels(&ListFilter {
            status: Some("active".into()),
            ..ListFilter::new()
        })
        .await;
    assert_invalid(&err.expect_err("unsupported"), "status");
    Ok(())
}

pub async fn channel_with_listings_cannot_be_deleted(store: DynStore) -> anyhow::Result<()> {
    let ch = store
        .create_channel(channel("wb", ChannelKind::Wildberries))
        .await?;
    let p = store.create_product(product("SKU-1")).await?;
    let l = store
        .create_listing(listing(p.meta.id, ch.meta.id, ListingStatus::New))
        .await?;
    let mark = store.current_seq().await?;
    let err = store
        .delete_channel(id(ch.meta.id))
        .await
        .expect_err("has listings");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    assert!(
        store.list_tombstones(mark, 10, None).await?.is_empty(),
        "no tombstone for a failed delete"
    );
    assert!(store.get_channel(&Lookup::Id(ch.meta.id)).await.is_ok());

    let seq = store.delete_listing(id(l.meta.id)).await?;
    let seq2 = store.delete_channel(id(ch.meta.id)).await?;
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    let keys: Vec<(&str, &str, i64)> = tombstones
        .iter()
        .map(|t| (t.entity.as_str(), t.business_key.as_str(), t.seq))
        .collect();
    assert_eq!(
        keys,
        vec![("listing", "wb/SKU-1", seq), ("channel", "wb", seq2)]
    );

    // orders are business records: they keep their channel too
    let ym = store
        .create_channel(channel("ym", ChannelKind::YandexMarket))
        .await?;
    store
        .create_order(
            super::orders::order(ym.meta.id, "YM-1"),
            StatusAuthor::default(),
        )
        .await?;
    let mark = store.current_seq().await?;
    let err = store
        .delete_channel(id(ym.meta.id))
        .await
        .expect_err("has orders");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    assert!(store.list_tombstones(mark, 10, None).await?.is_empty());
    Ok(())
}

pub async fn category_and_attribute_maps(store: DynStore) -> anyhow::Result<()> {
    let ch = store
        .create_channel(channel("ozon", ChannelKind::Ozon))
        .await?;
    let other = store
        .create_channel(channel("wb", ChannelKind::Wildberries))
        .await?;
    let category = store
        .create_category(Category {
            code: Code::parse("kettles").expect("code"),
            name: "Чайники".into(),
            parent_id: None,
            position: 0,
        })
        .await?;
    let attribute = store
        .create_attribute(Attribute {
            code: Code::parse("color").expect("code"),
            name: "Цвет".into(),
            kind: AttributeKind::Option,
            group_id: None,
            unit: None,
            multi_value: false,
            position: 0,
        })
        .await?;

    let cmap = ChannelCategoryMap {
        channel_id: ch.meta.id,
        category_id: category.meta.id,
        external_id: "17028922".into(),
        external_name: Some("Электрочайники".into()),
    };
    let created = store.create_channel_category_map(cmap.clone()).await?;
    assert_eq!(
        (
            created.refs.get("channel_code").as_str(),
            created.refs.get("category_code").as_str()
        ),
        ("ozon", "kettles")
    );
    let by_key = store
        .get_channel_category_map(&Lookup::ScopedKey(ch.meta.id, category.meta.id.to_string()))
        .await?;
    assert_eq!(by_key, created);
    let err = store
        .create_channel_category_map(cmap.clone())
        .await
        .expect_err("dup");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "channel category map",
                ..
            }
        ),
        "{err:?}"
    );
    let err = store
        .create_channel_category_map(ChannelCategoryMap {
            category_id: Uuid::now_v7(),
            ..cmap.clone()
        })
        .await
        .expect_err("unknown category");
    assert_invalid(&err, "category_id");
    let err = store
        .create_channel_category_map(ChannelCategoryMap {
            external_id: "".into(),
            ..cmap.clone()
        })
        .await
        .expect_err("empty external id");
    assert_invalid(&err, "external_id");
    store
        .create_channel_category_map(ChannelCategoryMap {
            channel_id: other.meta.id,
            ..cmap
        })
        .await?;
    let of_channel = ListFilter {
        channel_id: Some(ch.meta.id),
        ..ListFilter::new()
    };
    assert_eq!(
        store
            .list_channel_category_maps(&of_channel)
            .await?
            .items
            .len(),
        1
    );
    let of_category = ListFilter {
        category_id: Some(category.meta.id),
        ..ListFilter::new()
    };
    assert_eq!(
        store
            .list_channel_category_maps(&of_category)
            .await?
            .items
            .len(),
        2
    );

    let amap = ChannelAttributeMap {
        channel_id: ch.meta.id,
        attribute_id: attribute.meta.id,
        external_id: "10096".into(),
        external_name: Some("Цвет товара".into()),
        value_map: BTreeMap::from([
            ("red".to_owned(), "красный".to_owned()),
            ("blue".to_owned(), "синий".to_owned()),
        ]),
    };
    let created = store.create_channel_attribute_map(amap.clone()).await?;
    assert_eq!(created.value.value_map["red"], "красный");
    assert_eq!(created.refs.get("attribute_code"), "color");
    let err = store
        .create_channel_attribute_map(amap.clone())
        .await
        .expect_err("dup");
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    let err = store
        .create_channel_attribute_map(ChannelAttributeMap {
            channel_id: Uuid::now_v7(),
            ..amap.clone()
        })
        .await
        .expect_err("unknown channel");
    assert_invalid(&err, "channel_id");
    let mut changed = amap;
    changed.value_map.remove("blue");
    let updated = store
        .update_channel_attribute_map(id(created.meta.id), changed)
        .await?;
    let read = store
        .get_channel_attribute_map(&Lookup::ScopedKey(
            ch.meta.id,
            attribute.meta.id.to_string(),
        ))
        .await?;
    assert_eq!(read, updated);
    assert_eq!(read.value.value_map.len(), 1);
    let of_attribute = ListFilter {
        attribute_id: Some(attribute.meta.id),
        ..ListFilter::new()
    };
    assert_eq!(
        store
            .list_channel_attribute_maps(&of_attribute)
            .await?
            .items
            .len(),
        1
    );
    let err = store
        .list_channel_attribute_maps(&ListFilter {
            category_id: Some(category.meta.id),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    assert_invalid(&err, "category_id");

    let mark = store.current_seq().await?;
    store.delete_channel_attribute_map(id(read.meta.id)).await?;
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    assert_eq!(
        (
            tombstones[0].entity.as_str(),
            tombstones[0].business_key.as_str()
        ),
        ("channel_attribute_map", "ozon/color")
    );
    // mappings are channel config: they go with the channel
    store.delete_channel(id(ch.meta.id)).await?;
    assert!(
        store
            .list_channel_category_maps(&of_channel)
            .await?
            .items
            .is_empty()
    );
    Ok(())
}
