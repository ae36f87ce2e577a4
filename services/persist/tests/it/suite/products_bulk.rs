//! The bulk product upsert (mixed chunks, unchanged re-upserts) and the completeness recompute
//! after product writes. Fixtures come from `products`.

use carpetti_persist::StoreError;
use carpetti_persist::model::product::{Product, Value};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::{DynStore, UpsertOutcome};
use carpetti_util::{Currency, Money};

use super::products::{catalog, code, codes, dec, full_product, product, value};

fn outcome_name(o: &UpsertOutcome) -> String {
    match o {
        UpsertOutcome::Created { .. } => "created".into(),
        UpsertOutcome::Updated { .. } => "updated".into(),
        UpsertOutcome::Unchanged { .. } => "unchanged".into(),
        UpsertOutcome::Rejected(StoreError::InvalidArgument { field, .. }) => {
            format!("rejected {field}")
        }
        UpsertOutcome::Rejected(other) => format!("rejected {other}"),
        UpsertOutcome::ContentNeeded => "content needed".into(),
    }
}

fn seq_of(o: &UpsertOutcome) -> i64 {
    match o {
        UpsertOutcome::Created { change_seq, .. }
        | UpsertOutcome::Updated { change_seq, .. }
        | UpsertOutcome::Unchanged { change_seq, .. } => *change_seq,
        UpsertOutcome::Rejected(_) | UpsertOutcome::ContentNeeded => 0,
    }
}

pub async fn bulk_mixed_chunk(store: DynStore) -> anyhow::Result<()> {
    let c = catalog(&store).await?;
    let same = store.create_product(full_product("SAME", &c)).await?;
    let old = store.create_product(full_product("CHANGE", &c)).await?;

    let mut changed = full_product("CHANGE", &c);
    changed.price = Money::parse("10")?;
    changed.values = vec![value("wifi", Value::Boolean(true))];
    let mut unknown_value = full_product("BAD-VALUE", &c);
    unknown_value
        .values
        .push(value("nope", Value::Boolean(true)));
    let mut first = product("TWICE");
    first.name = "first".into();
    let mut second = full_product("TWICE", &c);
    second.name = "second".into();
    let unknown_family = Product {
        family_id: Some(carpetti_util::new_id()),
        ..product("BAD-FAMILY")
    };
    let chunk = vec![
        full_product("SAME", &c),
        changed,
        full_product("NEW", &c),
        unknown_value,
        first,
        second,
        unknown_family,
    ];
    let outcomes = store.upsert_products(chunk).await?;
    let names: Vec<String> = outcomes.iter().map(outcome_name).collect();
    assert_eq!(
        names,
        [
            "unchanged",
            "updated",
            "created",
            "rejected values[6].attribute_code",
            "rejected sku",
            "created",
            "rejected family_id",
        ]
    );
    assert_eq!(seq_of(&outcomes[0]), same.meta.change_seq);
    assert!(matches!(outcomes[1], UpsertOutcome::Updated { id, .. } if id == old.meta.id));

    // stored as written, values replaced, untouched row kept
    assert_eq!(store.get_product(&Lookup::Id(same.meta.id)).await?, same);
    let updated = store.get_product(&Lookup::Key("CHANGE".into())).await?;
    assert_eq!(updated.meta.change_seq, seq_of(&outcomes[1]));
    assert_eq!(updated.meta.created_at, old.meta.created_at);
    assert_eq!(updated.value.price, Money::parse("10")?);
    assert_eq!(updated.value.values, [value("wifi", Value::Boolean(true))]);
    let new = store.get_product(&Lookup::Key("NEW".into())).await?;
    assert_eq!(new.meta.change_seq, seq_of(&outcomes[2]));
    assert_eq!(
        codes(&new.value),
        ["color", "note", "power", "tags", "weight", "wifi"]
    );
    assert_eq!(new.refs.get("family_code"), "appliances");
    let twice = store.get_product(&Lookup::Key("TWICE".into())).await?;
    assert_eq!(twice.value.name, "second");
    assert_eq!(twice.value.values.len(), 6);
    for missing in ["BAD-VALUE", "BAD-FAMILY"] {
        let err = store
            .get_product(&Lookup::Key(missing.into()))
            .await
            .expect_err(missing);
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    }
    assert_eq!(
        store.list_products(&ListFilter::new()).await?.items.len(),
        4
    );
    Ok(())
}

pub async fn bulk_reupsert_is_unchanged(store: DynStore) -> anyhow::Result<()> {
    let c = catalog(&store).await?;
    let chunk: Vec<Product> = (0..3)
        .map(|i| full_product(&format!("R-{i}"), &c))
        .collect();
    let first = store.upsert_products(chunk.clone()).await?;
    assert!(
        first
            .iter()
            .all(|o| matches!(o, UpsertOutcome::Created { .. })),
        "{first:?}"
    );
    let mark = store.current_seq().await?;

    // same content, values in another order, the default unit spelled out: still unchanged
    let mut again = chunk.clone();
    for p in &mut again {
        p.values.reverse();
        for v in &mut p.values {
            if let Value::Measure { unit, .. } = &mut v.value {
                *unit = Some("kg".into());
            }
        }
    }
    let second = store.upsert_products(again).await?;
    for (a, b) in first.iter().zip(&second) {
        assert!(matches!(b, UpsertOutcome::Unchanged { .. }), "{b:?}");
        assert_eq!(seq_of(a), seq_of(b), "change_seq not bumped");
    }
    assert_eq!(store.current_seq().await?, mark, "nothing written");
    let since = store
        .list_products(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert!(since.items.is_empty());

    // a change in a value alone is a change
    let mut touched = chunk;
    touched[1].values[0] = value(
        "weight",
        Value::Measure {
            amount: dec("2"),
            unit: None,
        },
    );
    let third = store.upsert_products(touched).await?;
    let names: Vec<String> = third.iter().map(outcome_name).collect();
    assert_eq!(names, ["unchanged", "updated", "unchanged"]);
    let since = store
        .list_products(&ListFilter {
            after_seq: mark,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(since.items.len(), 1);
    assert_eq!(since.items[0].value.sku.as_str(), "R-1");
    Ok(())
}

pub async fn writes_recompute_completeness(store: DynStore) -> anyhow::Result<()> {
    use carpetti_persist::model::channel::{Channel, ChannelKind};
    use carpetti_persist::model::structure::FamilyRequirement;

    let c = catalog(&store).await?;
    let channel = Channel {
        code: code("ozon"),
        name: "Ozon".into(),
        kind: ChannelKind::Ozon,
        locale: "ru_RU".into(),
        currency: Currency::rub(),
        active: true,
        settings: serde_json::json!({}),
    };
    let channel = store.create_channel(channel).await?.meta.id;
    let family = store.get_family(&Lookup::Id(c.family)).await?;
    let mut with_requirement = family.value.clone();
    with_requirement.requirements = vec![FamilyRequirement {
        channel_code: code("ozon"),
        attribute_codes: vec![code("color"), code("weight")],
    }];
    store
        .update_family(
            Target {
                id: c.family,
                expected_seq: None,
            },
            with_requirement,
        )
        .await?;

    let mut p = product("COMPLETE");
    p.family_id = Some(c.family);
    p.values = vec![value("color", Value::Options(vec![code("red")]))];
    let created = store.create_product(p.clone()).await?;
    let of_product = ListFilter {
        product_id: Some(created.meta.id),
        ..ListFilter::new()
    };
    let rows = store.list_completeness(&of_product).await?.items;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].value.channel_id, channel);
    assert_eq!((rows[0].value.required, rows[0].value.filled), (2, 1));
    assert_eq!(rows[0].value.missing, ["weight"]);

    // the bulk path recomputes too
    p.values.push(value(
        "weight",
        Value::Measure {
            amount: dec("1"),
            unit: None,
        },
    ));
    let outcomes = store.upsert_products(vec![p]).await?;
    assert!(
        matches!(outcomes[0], UpsertOutcome::Updated { .. }),
        "{outcomes:?}"
    );
    let rows = store.list_completeness(&of_product).await?.items;
    assert_eq!((rows[0].value.required, rows[0].value.filled), (2, 2));
    assert!(rows[0].value.missing.is_empty());
    Ok(())
}
