//! Families (codes resolved to attributes and channels) and the completeness projection.

use carpetti_persist::StoreError;
use carpetti_persist::model::structure::{AttributeKind, Family};
use carpetti_persist::model::{ListFilter, Lookup};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::structure::{any, attribute, channel, family, invalid, product, text};

pub async fn families_resolve_codes(store: DynStore) -> anyhow::Result<()> {
    for c in ["power", "volume", "color"] {
        store
            .create_attribute(attribute(c, AttributeKind::Text))
            .await?;
    }
    store.create_channel(channel("wb")).await?;
    store.create_channel(channel("ozon")).await?;
    let value = family(
        "kettle",
        &["volume", "power"],
        &[("wb", &["power"]), ("ozon", &["volume", "power"])],
    );
    let created = store.create_family(value).await?;
    let codes = |f: &Family| {
        f.attribute_codes
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&created.value), ["power", "volume"]);
    assert_eq!(
        created.value.requirements,
        family(
            "k",
            &[],
            &[("ozon", &["power", "volume"]), ("wb", &["power"])]
        )
        .requirements
    );
    assert_eq!(
        store.get_family(&Lookup::Key("kettle".into())).await?,
        created
    );

    let cases: [(Family, &str, &str); 6] = [
        (
            family("f", &["power", "nope"], &[]),
            "attribute_codes[1]",
            "unknown attribute",
        ),
        (
            family("f", &["power", "power"], &[]),
            "attribute_codes[1]",
            "twice",
        ),
        (
            family("f", &["power"], &[("tiktok", &["power"])]),
            "requirements[0].channel_code",
            "unknown channel",
        ),
        (
            family(
                "f",
                &["power", "volume"],
                &[("wb", &["power", "volume", "color"])],
            ),
            "requirements[0].attribute_codes[2]",
            "not one of the family",
        ),
        (
            family(
                "f",
                &["power"],
                &[("wb", &["power"]), ("ozon", &["power", "zzz"])],
            ),
            "requirements[1].attribute_codes[1]",
            "unknown attribute",
        ),
        (
            family("f", &["power"], &[("wb", &[])]),
            "requirements[0].attribute_codes",
            "empty",
        ),
    ];
    for (value, field, reason) in cases {
        let got = invalid(store.create_family(value).await.expect_err(field), field);
        assert!(got.contains(reason), "{field}: {got}");
    }
    let err = store
        .get_family(&Lookup::Key("f".into()))
        .await
        .expect_err("nothing half-written");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");

    // a bad update leaves the family as it was; a good one replaces both sets
    let bad = family("kettle", &["power"], &[("ozon", &["volume"])]);
    invalid(
        store
            .update_family(any(created.meta.id), bad)
            .await
            .expect_err("bad"),
        "requirements[0].attribute_codes[0]",
    );
    assert_eq!(
        store.get_family(&Lookup::Id(created.meta.id)).await?,
        created
    );
    let updated = store
        .update_family(
            any(created.meta.id),
            family("kettle", &["color"], &[("wb", &["color"])]),
        )
        .await?;
    assert_eq!(codes(&updated.value), ["color"]);
    assert_eq!(updated.value.requirements.len(), 1);
    assert!(updated.meta.change_seq > created.meta.change_seq);

    // members cannot be deleted; unused attributes can
    let color = store.get_attribute(&Lookup::Key("color".into())).await?;
    let err = store
        .delete_attribute(any(color.meta.id))
        .await
        .expect_err("used by a family");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    let power = store.get_attribute(&Lookup::Key("power".into())).await?;
    store.delete_attribute(any(power.meta.id)).await?;

    let listed = store
        .list_families(&ListFilter {
            text: Some("семейство".into()),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(listed.items, vec![updated.clone()]);
    let before = store.current_seq().await?;
    store.delete_family(any(created.meta.id)).await?;
    let tombstones = store.list_tombstones(before, 10, Some("family")).await?;
    assert_eq!(tombstones[0].business_key, "kettle");
    assert!(
        store
            .list_families(&ListFilter::new())
            .await?
            .items
            .is_empty()
    );
    Ok(())
}

pub async fn completeness_follows_family_and_values(store: DynStore) -> anyhow::Result<()> {
    for c in ["title", "material", "brand"] {
        store
            .create_attribute(attribute(c, AttributeKind::Text))
            .await?;
    }
    let ozon = store.create_channel(channel("ozon")).await?.meta.id;
    let wb = store.create_channel(channel("wb")).await?.meta.id;
    let value = family(
        "mugs",
        &["title", "material", "brand"],
        &[("ozon", &["title", "material"]), ("wb", &["brand"])],
    );
    let fam = store.create_family(value).await?;
    let mug = store
        .create_product(product(
            "MUG-1",
            Some(fam.meta.id),
            vec![text("title", "Кружка")],
        ))
        .await?;
    let loose = store
        .create_product(product("LOOSE", None, vec![text("title", "Без семьи")]))
        .await?;

    let of_mug = ListFilter {
        product_id: Some(mug.meta.id),
        ..ListFilter::new()
    };
    let rows = store.list_completeness(&of_mug).await?.items;
    assert_eq!(rows.len(), 2);
    let ozon_row = rows
        .iter()
        .find(|r| r.value.channel_id == ozon)
        .expect("ozon row");
    assert_eq!((ozon_row.value.required, ozon_row.value.filled), (2, 1));
    assert_eq!(ozon_row.value.missing, ["material"]);
    assert_eq!(
        (ozon_row.refs.get("sku"), ozon_row.refs.get("channel_code")),
        ("MUG-1".into(), "ozon".into())
    );
    let wb_row = rows
        .iter()
        .find(|r| r.value.channel_id == wb)
        .expect("wb row");
    assert_eq!(
        (
            wb_row.value.required,
            wb_row.value.filled,
            wb_row.value.missing.clone()
        ),
        (1, 0, vec!["brand".to_owned()])
    );
    let of_loose = ListFilter {
        product_id: Some(loose.meta.id),
        ..ListFilter::new()
    };
    assert!(store.list_completeness(&of_loose).await?.items.is_empty());
    let only_wb = store
        .list_completeness(&ListFilter {
            channel_id: Some(wb),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(only_wb.items.len(), 1);
    let err = store
        .list_completeness(&ListFilter {
            text: Some("x".into()),
            ..ListFilter::new()
        })
        .await;
    invalid(err.expect_err("text filter"), "text");

    // recomputing without a change writes nothing
    let mark = store.current_seq().await?;
    store
        .recompute_completeness(&[mug.meta.id, loose.meta.id, Uuid::now_v7()])
        .await?;
    assert_eq!(store.current_seq().await?, mark);

    // the family drops wb and requires brand on ozon: wb's row goes (tombstone), ozon's changes
    let value = family(
        "mugs",
        &["title", "material", "brand"],
        &[("ozon", &["brand", "material", "title"])],
    );
    store.update_family(any(fam.meta.id), value).await?;
    let changed = store
        .list_completeness(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?
        .items;
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (
            changed[0].value.channel_id,
            changed[0].value.required,
            changed[0].value.filled
        ),
        (ozon, 3, 1)
    );
    assert_eq!(changed[0].value.missing, ["brand", "material"]);
    let tombstones = store
        .list_tombstones(mark, 10, Some("completeness"))
        .await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].entity_id, tombstones[0].business_key.as_str()),
        (wb_row.meta.id, "MUG-1/wb")
    );

    // the product fills everything, then leaves the family
    let full = product(
        "MUG-1",
        Some(fam.meta.id),
        vec![
            text("title", "Кружка"),
            text("material", "Керамика"),
            text("brand", "Carpetti"),
        ],
    );
    store.update_product(any(mug.meta.id), full).await?;
    let rows = store.list_completeness(&of_mug).await?.items;
    assert_eq!((rows[0].value.required, rows[0].value.filled), (3, 3));
    assert!(rows[0].value.missing.is_empty());
    store
        .update_product(any(mug.meta.id), product("MUG-1", None, Vec::new()))
        .await?;
    assert!(store.list_completeness(&of_mug).await?.items.is_empty());
    Ok(())
}
