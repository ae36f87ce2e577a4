//! Suppliers and supplier items.

use carpetti_persist::StoreError;
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;

use super::fixtures;

pub async fn crud_round_trip(store: DynStore) -> anyhow::Result<()> {
    let created = store.create_supplier(fixtures::supplier("acme")).await?;
    let by_id = store.get_supplier(&Lookup::Id(created.meta.id)).await?;
    assert_eq!(by_id, created);
    let by_code = store.get_supplier(&Lookup::Key("acme".into())).await?;
    assert_eq!(by_code.meta.id, created.meta.id);

    let mut changed = created.value.clone();
    changed.name = "ACME Ltd".into();
    changed.active = false;
    let updated = store
        .update_supplier(
            Target {
                id: created.meta.id,
                expected_seq: Some(created.meta.change_seq),
            },
            changed,
        )
        .await?;
    assert!(updated.meta.change_seq > created.meta.change_seq);
    assert_eq!(updated.meta.created_at, created.meta.created_at);
    let read = store.get_supplier(&Lookup::Id(created.meta.id)).await?;
    assert_eq!(read.value.name, "ACME Ltd");
    assert!(!read.value.active);
    assert_eq!(read, updated);
    Ok(())
}

pub async fn duplicate_code_is_already_exists(store: DynStore) -> anyhow::Result<()> {
    store.create_supplier(fixtures::supplier("dup")).await?;
    let err = store
        .create_supplier(fixtures::supplier("dup"))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "supplier",
                ..
            }
        ),
        "{err:?}"
    );
    // nothing half-written: still exactly one
    let page = store.list_suppliers(&ListFilter::new()).await?;
    assert_eq!(page.items.len(), 1);
    Ok(())
}

pub async fn optimistic_update_conflicts(store: DynStore) -> anyhow::Result<()> {
    let created = store.create_supplier(fixtures::supplier("occ")).await?;
    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    store.update_supplier(target, created.value.clone()).await?;
    let err = store
        .update_supplier(target, created.value.clone())
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let missing = Target {
        id: carpetti_util::new_id(),
        expected_seq: None,
    };
    let err = store
        .update_supplier(missing, created.value)
        .await
        .expect_err("missing");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    Ok(())
}

pub async fn delete_leaves_tombstone(store: DynStore) -> anyhow::Result<()> {
    let created = store.create_supplier(fixtures::supplier("gone")).await?;
    let before = store.current_seq().await?;
    let seq = store
        .delete_supplier(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await?;
    assert!(seq > before);
    let err = store
        .get_supplier(&Lookup::Id(created.meta.id))
        .await
        .expect_err("deleted");
    assert!(matches!(err, StoreError::NotFound { .. }));
    let tombstones = store.list_tombstones(before, 10, None).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].entity, "supplier");
    assert_eq!(tombstones[0].entity_id, created.meta.id);
    assert_eq!(tombstones[0].business_key, "gone");
    assert_eq!(tombstones[0].seq, seq);
    assert!(
        store
            .list_tombstones(before, 10, Some("product"))
            .await?
            .is_empty()
    );
    Ok(())
}

pub async fn list_pages_by_change_seq(store: DynStore) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            store
                .create_supplier(fixtures::supplier(&format!("p{i}")))
                .await?
                .meta
                .id,
        );
    }
    let mut filter = ListFilter {
        limit: 3,
        ..ListFilter::new()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.list_suppliers(&filter).await?;
        seen.extend(page.items.iter().map(|r| r.meta.id));
        match page.next_after_seq {
            Some(next) => filter.after_seq = next,
            None => break,
        }
    }
    assert_eq!(seen, ids);

    // "changed since N": touch one, it alone comes back
    let mark = store.current_seq().await?;
    let third = store.get_supplier(&Lookup::Id(ids[2])).await?;
    store
        .update_supplier(
            Target {
                id: ids[2],
                expected_seq: None,
            },
            third.value,
        )
        .await?;
    let since = store
        .list_suppliers(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(
        since.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![ids[2]]
    );

    let text = store
        .list_suppliers(&ListFilter {
            text: Some("p4".into()),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(text.items.len(), 1);
    let err = store
        .list_suppliers(&ListFilter {
            channel_id: Some(ids[0]),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    assert!(matches!(err, StoreError::InvalidArgument { ref field, .. } if field == "channel_id"));
    Ok(())
}

pub async fn supplier_with_items_cannot_be_deleted(store: DynStore) -> anyhow::Result<()> {
    let supplier = store.create_supplier(fixtures::supplier("busy")).await?;
    store
        .create_supplier_item(fixtures::item(supplier.meta.id, "o-1"))
        .await?;
    let err = store
        .delete_supplier(Target {
            id: supplier.meta.id,
            expected_seq: None,
        })
        .await
        .expect_err("referenced");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");
    assert!(
        store
            .get_supplier(&Lookup::Id(supplier.meta.id))
            .await
            .is_ok()
    );
    // and no tombstone was left by the failed delete
    assert!(store.list_tombstones(0, 10, None).await?.is_empty());
    Ok(())
}

pub async fn item_lookup_by_offer_and_text_search(store: DynStore) -> anyhow::Result<()> {
    let supplier = store.create_supplier(fixtures::supplier("items")).await?;
    let other = store.create_supplier(fixtures::supplier("other")).await?;
    let mut kettle = fixtures::item(supplier.meta.id, "K-1");
    kettle.name = "Чайник ЗЕЛЁНЫЙ".into();
    let kettle = store.create_supplier_item(kettle).await?;
    let mut iron = fixtures::item(supplier.meta.id, "I-2");
    iron.name = "Утюг".into();
    iron.barcodes = vec!["96385074".into()];
    iron.available = false;
    store.create_supplier_item(iron).await?;
    store
        .create_supplier_item(fixtures::item(other.meta.id, "K-1"))
        .await?;

    let found = store
        .get_supplier_item(&Lookup::ScopedKey(supplier.meta.id, "K-1".into()))
        .await?;
    assert_eq!(found, kettle);

    let by_text = |text: &str| ListFilter {
        supplier_id: Some(supplier.meta.id),
        text: Some(carpetti_util::normalize_search_text(text)),
        ..ListFilter::new()
    };
    let green = store.list_supplier_items(&by_text("зелен")).await?;
    assert_eq!(green.items.len(), 1, "ё folded, case folded");
    let barcode = store.list_supplier_items(&by_text("96385074")).await?;
    assert_eq!(barcode.items[0].value.name, "Утюг");
    let percent = store.list_supplier_items(&by_text("%")).await?;
    assert!(percent.items.is_empty(), "LIKE wildcards are escaped");
    let unavailable = store
        .list_supplier_items(&ListFilter {
            supplier_id: Some(supplier.meta.id),
            status: Some("unavailable".into()),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(unavailable.items.len(), 1);
    let all = store.list_supplier_items(&ListFilter::new()).await?;
    assert_eq!(all.items.len(), 3);
    Ok(())
}

pub async fn item_for_unknown_supplier_is_invalid(store: DynStore) -> anyhow::Result<()> {
    let err = store
        .create_supplier_item(fixtures::item(carpetti_util::new_id(), "x"))
        .await
        .expect_err("unknown supplier");
    match err {
        StoreError::InvalidArgument { field, reason } => {
            assert_eq!(field, "supplier_id");
            assert!(reason.contains("unknown supplier"), "{reason}");
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    Ok(())
}
