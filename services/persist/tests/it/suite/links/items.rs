//! Supplier item links: one product per supplier item, priority, filters by product and supplier.

use carpetti_persist::StoreError;
use carpetti_persist::model::link::SupplierItemLink;
use carpetti_persist::model::{ListFilter, Lookup};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::super::fixtures;
use super::{any_id, assert_invalid, products};

pub async fn supplier_item_links(store: DynStore) -> anyhow::Result<()> {
    let acme = store.create_supplier(fixtures::supplier("acme")).await?;
    let other = store.create_supplier(fixtures::supplier("other")).await?;
    let i1 = store
        .create_supplier_item(fixtures::item(acme.meta.id, "K-1"))
        .await?;
    let i2 = store
        .create_supplier_item(fixtures::item(other.meta.id, "K-2"))
        .await?;
    let i3 = store
        .create_supplier_item(fixtures::item(other.meta.id, "K-3"))
        .await?;
    let ids = products(&store, &["KETTLE", "IRON"]).await?;
    let tie = |item: Uuid, product: Uuid, priority: i64| SupplierItemLink {
        supplier_item_id: item,
        product_id: product,
        priority,
    };

    let l1 = store
        .create_supplier_item_link(tie(i1.meta.id, ids[0], 0))
        .await?;
    assert_eq!(l1.refs.get("supplier_id"), acme.meta.id.to_string());
    assert_eq!(l1.refs.get("offer_id"), "K-1");
    assert_eq!(l1.refs.get("sku"), "KETTLE");
    let by_item = store
        .get_supplier_item_link(&Lookup::Key(i1.meta.id.to_string()))
        .await?;
    assert_eq!(by_item, l1);
    let err = store
        .get_supplier_item_link(&Lookup::Key("K-1".into()))
        .await
        .expect_err("not a uuid");
    assert_invalid(&err, "key");

    let err = store
        .create_supplier_item_link(tie(i1.meta.id, ids[1], 0))
        .await
        .expect_err("one product per item");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "supplier item link",
                ..
            }
        ),
        "{err:?}"
    );
    let err = store
        .create_supplier_item_link(tie(i2.meta.id, ids[0], -1))
        .await
        .expect_err("priority");
    assert_invalid(&err, "priority");
    let err = store
        .create_supplier_item_link(tie(Uuid::now_v7(), ids[0], 0))
        .await
        .expect_err("item");
    assert_invalid(&err, "supplier_item_id");
    let err = store
        .create_supplier_item_link(tie(i2.meta.id, Uuid::now_v7(), 0))
        .await
        .expect_err("product");
    assert_invalid(&err, "product_id");

    let l2 = store
        .create_supplier_item_link(tie(i2.meta.id, ids[0], 1))
        .await?;
    store
        .create_supplier_item_link(tie(i3.meta.id, ids[1], 0))
        .await?;
    let filter = |product: Option<Uuid>, supplier: Option<Uuid>| ListFilter {
        product_id: product,
        supplier_id: supplier,
        ..ListFilter::new()
    };
    assert_eq!(
        store
            .list_supplier_item_links(&filter(Some(ids[0]), None))
            .await?
            .items
            .len(),
        2
    );
    assert_eq!(
        store
            .list_supplier_item_links(&filter(None, Some(other.meta.id)))
            .await?
            .items
            .len(),
        2
    );
    let both = store
        .list_supplier_item_links(&filter(Some(ids[0]), Some(other.meta.id)))
        .await?;
    assert_eq!(
        both.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(),
        vec![l2.meta.id]
    );

    let moved = store
        .update_supplier_item_link(any_id(l2.meta.id), tie(i2.meta.id, ids[1], 5))
        .await?;
    assert_eq!(
        (moved.value.priority, moved.refs.get("sku").as_str()),
        (5, "IRON")
    );

    let mark = store.current_seq().await?;
    store.delete_supplier_item_link(any_id(l1.meta.id)).await?;
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (
            tombstones[0].entity.as_str(),
            tombstones[0].business_key.as_str()
        ),
        ("supplier_item_link", "acme/K-1")
    );
    Ok(())
}
