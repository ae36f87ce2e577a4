//! Products: deletes (cascades and tombstones) and lists (filters, pages).

use super::*;

pub async fn delete_cascades_values_and_leaves_tombstone(store: DynStore) -> anyhow::Result<()> {
    let c = catalog(&store).await?;
    let created = store.create_product(full_product("GONE", &c)).await?;
    // the value holds the attribute (RESTRICT) while the product lives
    let note = Target {
        id: c.note_attribute,
        expected_seq: None,
    };
    let err = store
        .delete_attribute(note)
        .await
        .expect_err("attribute in use");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");

    let before = store.current_seq().await?;
    let seq = store
        .delete_product(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await?;
    assert!(seq > before);
    let err = store
        .get_product(&Lookup::Key("GONE".into()))
        .await
        .expect_err("deleted");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let tombstones = store.list_tombstones(before, 10, Some("product")).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].entity_id, created.meta.id);
    assert_eq!(tombstones[0].business_key, "GONE");
    assert_eq!(tombstones[0].seq, seq);

    // the values went with the product: the attribute is free now
    store.delete_attribute(note).await?;
    // and the SKU can be used again
    store.create_product(product("GONE")).await?;
    Ok(())
}

pub async fn list_filters_and_pages(store: DynStore) -> anyhow::Result<()> {
    let c = catalog(&store).await?;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut p = product(&format!("P-{i}"));
        p.status = if i % 2 == 0 {
            ProductStatus::Active
        } else {
            ProductStatus::Draft
        };
        p.category_id = (i < 2).then_some(c.category);
        p.barcodes = Vec::new();
        ids.push(store.create_product(p).await?.meta.id);
    }
    let mut green = full_product("G-1", &c);
    green.name = "Чайник ЗЕЛЁНЫЙ".into();
    green.barcodes = vec![Barcode::parse("96385074")?];
    green.vendor_code = Some("XY-77".into());
    let green = store.create_product(green).await?;

    let ids_of = |page: &carpetti_persist::model::Page<Product>| {
        page.items.iter().map(|r| r.meta.id).collect::<Vec<_>>()
    };
    let text = |t: &str| ListFilter {
        text: Some(carpetti_util::normalize_search_text(t)),
        ..ListFilter::new()
    };
    assert_eq!(
        ids_of(&store.list_products(&text("зелен")).await?),
        [green.meta.id],
        "ё and case folded"
    );
    assert_eq!(
        ids_of(&store.list_products(&text("96385074")).await?),
        [green.meta.id],
        "barcode"
    );
    assert_eq!(
        ids_of(&store.list_products(&text("xy-77")).await?),
        [green.meta.id],
        "vendor code"
    );
    assert_eq!(
        store.list_products(&text("p-3")).await?.items.len(),
        1,
        "sku"
    );
    assert!(
        store.list_products(&text("%")).await?.items.is_empty(),
        "LIKE wildcards escaped"
    );
    // values come with listed products
    let listed = store.list_products(&text("зелен")).await?;
    assert_eq!(listed.items[0], green);

    let by_category = ListFilter {
        category_id: Some(c.category),
        ..ListFilter::new()
    };
    assert_eq!(
        ids_of(&store.list_products(&by_category).await?),
        [ids[0], ids[1], green.meta.id]
    );
    let drafts = ListFilter {
        status: Some("draft".into()),
        ..ListFilter::new()
    };
    assert_eq!(
        ids_of(&store.list_products(&drafts).await?),
        [ids[1], ids[3]]
    );
    let bad_status = ListFilter {
        status: Some("published".into()),
        ..ListFilter::new()
    };
    assert_invalid(
        &store.list_products(&bad_status).await.expect_err("status"),
        "status",
    );
    let channel = ListFilter {
        channel_id: Some(c.category),
        ..ListFilter::new()
    };
    assert_invalid(
        &store.list_products(&channel).await.expect_err("channel"),
        "channel_id",
    );

    // pages in change_seq order
    let mut filter = ListFilter {
        limit: 2,
        ..ListFilter::new()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.list_products(&filter).await?;
        assert!(page.items.len() <= 2);
        seen.extend(ids_of(&page));
        match page.next_after_seq {
            Some(next) => filter.after_seq = next,
            None => break,
        }
    }
    let mut all = ids.clone();
    all.push(green.meta.id);
    assert_eq!(seen, all);

    // changed since N: only the touched one
    let mark = store.current_seq().await?;
    let third = store.get_product(&Lookup::Id(ids[2])).await?;
    store
        .update_product(
            Target {
                id: ids[2],
                expected_seq: None,
            },
            third.value,
        )
        .await?;
    let since = store
        .list_products(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(ids_of(&since), [ids[2]]);
    Ok(())
}
