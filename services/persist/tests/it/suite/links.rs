//! Association types, product links (packages, two-way links) and supplier item links.

use carpetti_persist::StoreError;
use carpetti_persist::model::link::{ProductLink, builtin};
use carpetti_persist::model::product::{Product, ProductStatus, Vat};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use carpetti_util::{Currency, Money, Quantity, Sku};
use uuid::Uuid;

mod items;
mod types;

pub use items::supplier_item_links;
pub use types::{
    association_type_crud_and_in_use, builtin_types_are_seeded, type_change_must_fit_existing_links,
};

/// A minimal valid product (no family, category or values).
pub fn product(sku: &str) -> Product {
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
        stock: 0,
        vat: Vat::TwentyTwo,
        family_id: None,
        category_id: None,
        status: ProductStatus::Draft,
        values: Vec::new(),
    }
}

pub(crate) async fn products(store: &DynStore, skus: &[&str]) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for sku in skus {
        ids.push(store.create_product(product(sku)).await?.meta.id);
    }
    Ok(ids)
}

pub(crate) fn link(kind: Uuid, source: Uuid, target: Uuid, quantity: u32) -> ProductLink {
    ProductLink {
        association_type_id: kind,
        source_product_id: source,
        target_product_id: target,
        quantity: Quantity::parse(i64::from(quantity)).expect("quantity"),
    }
}

fn any() -> Target {
    Target {
        id: Uuid::nil(),
        expected_seq: None,
    }
}

pub(crate) fn assert_invalid(err: &StoreError, expected: &str) {
    assert!(
        matches!(err, StoreError::InvalidArgument { field, .. } if field == expected),
        "expected InvalidArgument on {expected}, got {err:?}"
    );
}

pub(crate) fn any_id(id: Uuid) -> Target {
    Target {
        id,
        expected_seq: None,
    }
}

pub async fn package_link_round_trip(store: DynStore) -> anyhow::Result<()> {
    let ids = products(&store, &["PACK-6", "BASE-1"]).await?;
    let created = store
        .create_product_link(link(builtin::PACKAGE, ids[0], ids[1], 6))
        .await?;
    assert_eq!(created.value.quantity.get(), 6);
    assert_eq!(created.refs.get("association_type_code"), "PACKAGE");
    assert_eq!(created.refs.get("source_sku"), "PACK-6");
    assert_eq!(created.refs.get("target_sku"), "BASE-1");
    let read = store.get_product_link(&Lookup::Id(created.meta.id)).await?;
    assert_eq!(read, created);

    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    let updated = store
        .update_product_link(target, link(builtin::PACKAGE, ids[0], ids[1], 12))
        .await?;
    assert_eq!(updated.value.quantity.get(), 12);
    let err = store
        .update_product_link(target, link(builtin::PACKAGE, ids[0], ids[1], 24))
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let err = store
        .get_product_link(&Lookup::Key("x".into()))
        .await
        .expect_err("by id only");
    assert_invalid(&err, "key");
    Ok(())
}

pub async fn link_rules_are_enforced(store: DynStore) -> anyhow::Result<()> {
    let ids = products(&store, &["S", "T"]).await?;
    let err = store
        .create_product_link(link(builtin::RELATED, ids[0], ids[0], 1))
        .await
        .expect_err("self link");
    match &err {
        StoreError::InvalidArgument { field, reason } => {
            assert_eq!(field, "target_product_id");
            assert!(reason.contains("cannot link to itself"), "{reason}");
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    let err = store
        .create_product_link(link(builtin::SIMILAR, ids[0], ids[1], 3))
        .await
        .expect_err("quantity on a non-quantified type");
    assert_invalid(&err, "quantity");
    let err = store
        .create_product_link(link(Uuid::now_v7(), ids[0], ids[1], 1))
        .await
        .expect_err("unknown type");
    assert_invalid(&err, "association_type_id");
    let err = store
        .create_product_link(link(builtin::SIMILAR, ids[0], Uuid::now_v7(), 1))
        .await
        .expect_err("unknown target");
    assert_invalid(&err, "target_product_id");
    let err = store
        .create_product_link(link(builtin::SIMILAR, Uuid::now_v7(), ids[1], 1))
        .await
        .expect_err("unknown source");
    assert_invalid(&err, "source_product_id");
    assert!(
        store
            .list_product_links(&ListFilter::new())
            .await?
            .items
            .is_empty(),
        "nothing written"
    );

    store
        .create_product_link(link(builtin::SIMILAR, ids[0], ids[1], 1))
        .await?;
    let err = store
        .create_product_link(link(builtin::SIMILAR, ids[0], ids[1], 1))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "product link",
                ..
            }
        ),
        "{err:?}"
    );
    // one-way: the reverse is a different link
    store
        .create_product_link(link(builtin::SIMILAR, ids[1], ids[0], 1))
        .await?;
    assert_eq!(
        store
            .list_product_links(&ListFilter::new())
            .await?
            .items
            .len(),
        2
    );
    let err = store
        .update_product_link(any(), link(builtin::SIMILAR, ids[1], ids[0], 1))
        .await;
    assert!(matches!(err, Err(StoreError::NotFound { .. })), "{err:?}");
    Ok(())
}

pub async fn two_way_links_are_one_row(store: DynStore) -> anyhow::Result<()> {
    let ids = products(&store, &["RED", "BLUE", "GREEN"]).await?;
    let (red, blue, green) = (ids[0], ids[1], ids[2]);
    let variant = store
        .create_product_link(link(builtin::VARIANT, red, blue, 1))
        .await?;
    let err = store
        .create_product_link(link(builtin::VARIANT, blue, red, 1))
        .await
        .expect_err("reverse of a two-way link");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "product link",
                ..
            }
        ),
        "{err:?}"
    );
    // updating a link onto itself reversed is fine (it is the same row)
    let reversed = store
        .update_product_link(
            any_id(variant.meta.id),
            link(builtin::VARIANT, blue, red, 1),
        )
        .await?;
    assert_eq!(reversed.value.source_product_id, blue);
    store
        .create_product_link(link(builtin::SIMILAR, green, blue, 1))
        .await?;

    // from the target side: blue is the source of the variant (now) and the target of SIMILAR
    let of = |p: Uuid| ListFilter {
        product_id: Some(p),
        ..ListFilter::new()
    };
    let blue_links = store.list_product_links(&of(blue)).await?;
    assert_eq!(blue_links.items.len(), 2);
    let red_links = store.list_product_links(&of(red)).await?;
    assert_eq!(red_links.items.len(), 1);
    assert_eq!(
        red_links.items[0].meta.id, variant.meta.id,
        "found from the target side"
    );
    let green_links = store.list_product_links(&of(green)).await?;
    assert_eq!(
        green_links.items[0].refs.get("association_type_code"),
        "SIMILAR"
    );
    let err = store
        .list_product_links(&ListFilter {
            channel_id: Some(red),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    assert_invalid(&err, "channel_id");
    Ok(())
}

pub async fn link_delete_and_changed_since(store: DynStore) -> anyhow::Result<()> {
    let ids = products(&store, &["P1", "P2", "P3"]).await?;
    let a = store
        .create_product_link(link(builtin::RELATED, ids[0], ids[1], 1))
        .await?;
    let b = store
        .create_product_link(link(builtin::RELATED, ids[0], ids[2], 1))
        .await?;
    let page = store
        .list_product_links(&ListFilter {
            limit: 1,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(page.items[0].meta.id, a.meta.id);
    let next = ListFilter {
        limit: 1,
        after_seq: page.next_after_seq.expect("more"),
        ..ListFilter::new()
    };
    let page2 = store.list_product_links(&next).await?;
    assert_eq!(page2.items[0].meta.id, b.meta.id);
    assert_eq!(page2.next_after_seq, None);

    let mark = store.current_seq().await?;
    let seq = store.delete_product_link(any_id(a.meta.id)).await?;
    let tombstones = store
        .list_tombstones(mark, 10, Some("product_link"))
        .await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].entity_id, a.meta.id);
    assert_eq!(tombstones[0].business_key, "RELATED:P1->P2");
    assert_eq!(tombstones[0].seq, seq);
    assert!(
        store
            .list_product_links(&ListFilter {
                after_seq: mark,
                ..ListFilter::new()
            })
            .await?
            .items
            .is_empty()
    );
    let err = store
        .get_product_link(&Lookup::Id(a.meta.id))
        .await
        .expect_err("deleted");
    assert!(matches!(err, StoreError::NotFound { .. }));
    Ok(())
}
