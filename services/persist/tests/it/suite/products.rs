//! Products with their attribute values, and the bulk product upsert.

use std::str::FromStr;

use carpetti_persist::StoreError;
use carpetti_persist::model::product::{AttributeValue, Product, ProductStatus, Value, Vat};
use carpetti_persist::model::structure::{
    Attribute, AttributeKind, AttributeOption, Category, Family,
};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use carpetti_util::{Barcode, Code, Currency, Money, Sku};
use rust_decimal::Decimal;
use uuid::Uuid;

mod reads;

pub use reads::{delete_cascades_values_and_leaves_tombstone, list_filters_and_pages};

/// The catalog structure products refer to.
pub(crate) struct Catalog {
    pub category: Uuid,
    pub family: Uuid,
    /// Not in the family, so nothing but product values holds it.
    pub note_attribute: Uuid,
}

pub(crate) fn code(raw: &str) -> Code {
    Code::parse(raw).expect("code")
}

async fn attribute(
    store: &DynStore,
    c: &str,
    kind: AttributeKind,
    unit: Option<&str>,
    multi: bool,
) -> anyhow::Result<Uuid> {
    let value = Attribute {
        code: code(c),
        name: c.to_uppercase(),
        kind,
        group_id: None,
        unit: unit.map(str::to_owned),
        multi_value: multi,
        position: 0,
    };
    Ok(store.create_attribute(value).await?.meta.id)
}

async fn options(store: &DynStore, attribute_id: Uuid, codes: &[&str]) -> anyhow::Result<()> {
    for c in codes {
        let option = AttributeOption {
            attribute_id,
            code: code(c),
            label: c.to_string(),
            position: 0,
        };
        store.create_attribute_option(option).await?;
    }
    Ok(())
}

/// Attributes color (option: red, blue), tags (multi option: new, sale), weight (measure, kg),
/// note (text), wifi (boolean), power (number); category `kettles`; family `appliances`.
pub(crate) async fn catalog(store: &DynStore) -> anyhow::Result<Catalog> {
    let color = attribute(store, "color", AttributeKind::Option, None, false).await?;
    options(store, color, &["red", "blue"]).await?;
    let tags = attribute(store, "tags", AttributeKind::Option, None, true).await?;
    options(store, tags, &["new", "sale"]).await?;
    attribute(store, "weight", AttributeKind::Measure, Some("kg"), false).await?;
    let note_attribute = attribute(store, "note", AttributeKind::Text, None, false).await?;
    attribute(store, "wifi", AttributeKind::Boolean, None, false).await?;
    attribute(store, "power", AttributeKind::Number, None, false).await?;
    let category = Category {
        code: code("kettles"),
        name: "Чайники".into(),
        parent_id: None,
        position: 0,
    };
    let category = store.create_category(category).await?.meta.id;
    let family = Family {
        code: code("appliances"),
        name: "Техника".into(),
        attribute_codes: vec![code("color"), code("weight")],
        requirements: Vec::new(),
    };
    let family = store.create_family(family).await?.meta.id;
    Ok(Catalog {
        category,
        family,
        note_attribute,
    })
}

pub(crate) fn value(attribute: &str, value: Value) -> AttributeValue {
    AttributeValue {
        attribute_code: code(attribute),
        value,
    }
}

pub(crate) fn dec(raw: &str) -> Decimal {
    Decimal::from_str(raw).expect("decimal")
}

pub(crate) fn product(sku: &str) -> Product {
    Product {
        sku: Sku::parse(sku).expect("sku"),
        name: format!("Чайник {sku}"),
        vendor: Some("Bosch".into()),
        vendor_code: Some(format!("TWK-{sku}")),
        barcodes: vec![Barcode::parse("4006381333931").expect("barcode")],
        description: Some("Объём 1,7 л".into()),
        pictures: vec![format!("https://img.example/{sku}.jpg")],
        length_mm: Some(220),
        width_mm: Some(160),
        height_mm: Some(250),
        weight_g: Some(1200),
        price: Money::parse("2990.50").expect("price"),
        old_price: Some(Money::parse("3490").expect("old price")),
        currency: Currency::rub(),
        stock: 7,
        vat: Vat::Twenty,
        family_id: None,
        category_id: None,
        status: ProductStatus::Active,
        values: Vec::new(),
    }
}

pub(crate) fn full_product(sku: &str, c: &Catalog) -> Product {
    Product {
        family_id: Some(c.family),
        category_id: Some(c.category),
        values: vec![
            value(
                "weight",
                Value::Measure {
                    amount: dec("1.50"),
                    unit: None,
                },
            ),
            value("color", Value::Options(vec![code("red")])),
            value("tags", Value::Options(vec![code("sale"), code("new")])),
            value("note", Value::Text("тихий".into())),
            value("wifi", Value::Boolean(false)),
            value("power", Value::Number(dec("2200"))),
        ],
        ..product(sku)
    }
}

pub(crate) fn codes(p: &Product) -> Vec<&str> {
    p.values.iter().map(|v| v.attribute_code.as_str()).collect()
}

pub(crate) fn assert_invalid(err: &StoreError, expected_field: &str) {
    match err {
        StoreError::InvalidArgument { field, .. } => assert_eq!(field, expected_field, "{err:?}"),
        other => panic!("expected InvalidArgument on {expected_field}, got {other:?}"),
    }
}

pub async fn crud_round_trip_with_values(store: DynStore) -> anyhow::Result<()> {
    let c = catalog(&store).await?;
    let created = store.create_product(full_product("K-1", &c)).await?;
    assert_eq!(
        codes(&created.value),
        ["color", "note", "power", "tags", "weight", "wifi"]
    );
    let weight = created
        .value
        .values
        .iter()
        .find(|v| v.attribute_code.as_str() == "weight");
    let expected = Value::Measure {
        amount: dec("1.5"),
        unit: Some("kg".into()),
    };
    assert_eq!(
        weight.map(|v| &v.value),
        Some(&expected),
        "unit defaults to the attribute's"
    );
    assert_eq!(created.refs.get("family_code"), "appliances");
    assert_eq!(created.refs.get("category_code"), "kettles");
    assert_eq!(created.value.price, Money::parse("2990.5")?);

    let by_id = store.get_product(&Lookup::Id(created.meta.id)).await?;
    assert_eq!(by_id, created);
    let by_sku = store.get_product(&Lookup::Key("K-1".into())).await?;
    assert_eq!(by_sku, created);

    // an update replaces the whole value set
    let mut changed = created.value.clone();
    changed.name = "Чайник новый".into();
    changed.values = vec![
        value("color", Value::Options(vec![code("blue")])),
        value(
            "weight",
            Value::Measure {
                amount: dec("1500"),
                unit: Some("g".into()),
            },
        ),
    ];
    changed.category_id = None;
    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    let updated = store.update_product(target, changed).await?;
    assert!(updated.meta.change_seq > created.meta.change_seq);
    assert_eq!(updated.meta.created_at, created.meta.created_at);
    let read = store.get_product(&Lookup::Id(created.meta.id)).await?;
    assert_eq!(read, updated);
    assert_eq!(codes(&read.value), ["color", "weight"]);
    assert_eq!(
        read.value.values[0].value,
        Value::Options(vec![code("blue")])
    );
    assert_eq!(
        read.value.values[1].value,
        Value::Measure {
            amount: dec("1500"),
            unit: Some("g".into())
        }
    );
    assert_eq!(read.refs.get("category_code"), "");

    // a stale change_seq conflicts, an unknown id is not found
    let err = store
        .update_product(target, read.value.clone())
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let missing = Target {
        id: carpetti_util::new_id(),
        expected_seq: None,
    };
    let err = store
        .update_product(missing, read.value)
        .await
        .expect_err("missing");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    Ok(())
}

pub async fn invalid_input_writes_nothing(store: DynStore) -> anyhow::Result<()> {
    let c = catalog(&store).await?;
    let before = store.current_seq().await?;
    let with_values = |values: Vec<AttributeValue>| Product {
        values,
        ..full_product("BAD", &c)
    };
    let cases: Vec<(Product, &str, Option<&str>)> = vec![
        (
            with_values(vec![value("nope", Value::Boolean(true))]),
            "values[0].attribute_code",
            Some("unknown attribute nope"),
        ),
        (
            with_values(vec![
                value("wifi", Value::Boolean(true)),
                value("color", Value::Number(dec("1"))),
            ]),
            "values[1]",
            Some("attribute color is an option attribute, got a number"),
        ),
        (
            with_values(vec![value("color", Value::Options(vec![code("green")]))]),
            "values[0]",
            Some("green"),
        ),
        (
            with_values(vec![value(
                "color",
                Value::Options(vec![code("red"), code("blue")]),
            )]),
            "values[0]",
            None,
        ),
        (
            with_values(vec![value("tags", Value::Options(Vec::new()))]),
            "values[0]",
            None,
        ),
        (
            with_values(vec![
                value("note", Value::Text("a".into())),
                value("note", Value::Text("b".into())),
            ]),
            "values[1]",
            None,
        ),
        (
            with_values(vec![value("power", Value::Text("x".into()))]),
            "values[0]",
            None,
        ),
        (
            Product {
                family_id: Some(carpetti_util::new_id()),
                ..product("BAD")
            },
            "family_id",
            Some("unknown family"),
        ),
        (
            Product {
                category_id: Some(carpetti_util::new_id()),
                ..product("BAD")
            },
            "category_id",
            None,
        ),
    ];
    for (bad, field, reason) in cases {
        let err = store.create_product(bad).await.expect_err(field);
        assert_invalid(&err, field);
        if let (Some(reason), StoreError::InvalidArgument { reason: got, .. }) = (reason, &err) {
            assert!(got.contains(reason), "{got:?} should mention {reason:?}");
        }
    }
    // nothing half-written, no sequence number used
    assert!(
        store
            .list_products(&ListFilter::new())
            .await?
            .items
            .is_empty()
    );
    assert_eq!(store.current_seq().await?, before);

    // a failed update leaves the stored product and its values alone
    let good = store.create_product(full_product("GOOD", &c)).await?;
    let bad = Product {
        values: vec![value("nope", Value::Boolean(true))],
        ..good.value.clone()
    };
    let target = Target {
        id: good.meta.id,
        expected_seq: None,
    };
    let err = store
        .update_product(target, bad)
        .await
        .expect_err("unknown attribute");
    assert_invalid(&err, "values[0].attribute_code");
    assert_eq!(store.get_product(&Lookup::Id(good.meta.id)).await?, good);

    let err = store
        .create_product(product("GOOD"))
        .await
        .expect_err("duplicate sku");
    assert!(
        matches!(
            err,
            StoreError::AlreadyExists {
                entity: "product",
                ..
            }
        ),
        "{err:?}"
    );
    Ok(())
}
