//! Association types: the built-in ones, uniqueness, deleting a type in use, type changes that
//! existing links must still fit.

use carpetti_persist::StoreError;
use carpetti_persist::model::link::{AssociationType, builtin};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use carpetti_util::Code;
use uuid::Uuid;

use super::{any_id, assert_invalid, link, products};

pub async fn builtin_types_are_seeded(store: DynStore) -> anyhow::Result<()> {
    let package = store
        .get_association_type(&Lookup::Key("PACKAGE".into()))
        .await?;
    assert_eq!(package.meta.id, builtin::PACKAGE);
    assert!(package.value.quantified && !package.value.two_way);
    let variant = store
        .get_association_type(&Lookup::Id(builtin::VARIANT))
        .await?;
    assert!(variant.value.two_way && !variant.value.quantified);
    let all = store.list_association_types(&ListFilter::new()).await?;
    let codes: Vec<&str> = all.items.iter().map(|r| r.value.code.as_str()).collect();
    assert_eq!(codes, ["PACKAGE", "VARIANT", "RELATED", "SIMILAR"]);
    let err = store
        .list_association_types(&ListFilter {
            product_id: Some(Uuid::nil()),
            ..ListFilter::new()
        })
        .await
        .expect_err("no filters");
    assert_invalid(&err, "product_id");
    Ok(())
}

pub async fn association_type_crud_and_in_use(store: DynStore) -> anyhow::Result<()> {
    let value = AssociationType {
        code: Code::parse("UPSELL").expect("code"),
        name: "Upsell".into(),
        quantified: false,
        two_way: false,
    };
    let created = store.create_association_type(value.clone()).await?;
    let err = store
        .create_association_type(value.clone())
        .await
        .expect_err("duplicate code");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "association type",
                ..
            }
        ),
        "{err:?}"
    );

    let ids = products(&store, &["A", "B"]).await?;
    let l = store
        .create_product_link(link(created.meta.id, ids[0], ids[1], 1))
        .await?;
    let err = store
        .delete_association_type(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await
        .expect_err("in use");
    assert!(matches!(err, StoreError::FailedPrecondition(_)), "{err:?}");

    store
        .delete_product_link(Target {
            id: l.meta.id,
            expected_seq: None,
        })
        .await?;
    let before = store.current_seq().await?;
    let seq = store
        .delete_association_type(Target {
            id: created.meta.id,
            expected_seq: Some(created.meta.change_seq),
        })
        .await?;
    let tombstones = store.list_tombstones(before, 10, None).await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (
            tombstones[0].entity.as_str(),
            tombstones[0].business_key.as_str()
        ),
        ("association_type", "UPSELL")
    );
    assert_eq!(tombstones[0].seq, seq);
    let err = store
        .get_association_type(&Lookup::Key("UPSELL".into()))
        .await
        .expect_err("gone");
    assert!(matches!(err, StoreError::NotFound { .. }));
    Ok(())
}

pub async fn type_change_must_fit_existing_links(store: DynStore) -> anyhow::Result<()> {
    let ids = products(&store, &["PACK6", "BASE", "OTHER"]).await?;
    store
        .create_product_link(link(builtin::PACKAGE, ids[0], ids[1], 6))
        .await?;
    let package = store
        .get_association_type(&Lookup::Id(builtin::PACKAGE))
        .await?;
    let mut plain = package.value.clone();
    plain.quantified = false;
    let err = store
        .update_association_type(any_id(builtin::PACKAGE), plain)
        .await
        .expect_err("qty 6");
    assert_invalid(&err, "quantified");

    store
        .create_product_link(link(builtin::SIMILAR, ids[0], ids[2], 1))
        .await?;
    store
        .create_product_link(link(builtin::SIMILAR, ids[2], ids[0], 1))
        .await?;
    let similar = store
        .get_association_type(&Lookup::Id(builtin::SIMILAR))
        .await?;
    let mut two_way = similar.value.clone();
    two_way.two_way = true;
    let err = store
        .update_association_type(any_id(builtin::SIMILAR), two_way)
        .await
        .expect_err("pair");
    assert_invalid(&err, "two_way");
    let unchanged = store
        .get_association_type(&Lookup::Id(builtin::SIMILAR))
        .await?;
    assert_eq!(unchanged, similar, "nothing written by a rejected update");
    let mut renamed = similar.value;
    renamed.name = "Похожие".into();
    let updated = store
        .update_association_type(any_id(builtin::SIMILAR), renamed)
        .await?;
    assert_eq!(updated.value.name, "Похожие");
    assert!(updated.meta.change_seq > similar.meta.change_seq);
    Ok(())
}
