//! Unit tests of the proto → domain parsing of products: bad input names the proto field.

use super::*;

fn valid() -> pb::Product {
    pb::Product {
        sku: "SKU-1".into(),
        name: "Чайник".into(),
        price: "2990.50".into(),
        stock: 3,
        vat: pb::Vat::Vat22.into(),
        status: pb::ProductStatus::Active.into(),
        barcodes: vec!["4006381333931".into()],
        values: vec![pb::AttributeValue {
            attribute_code: "power".into(),
            value: Some(PbValue::Measure(pb::Measure {
                amount: "2200".into(),
                unit: String::new(),
            })),
        }],
        ..Default::default()
    }
}

fn field_of(p: pb::Product) -> String {
    match product_from_pb(p) {
        Err(StoreError::InvalidArgument { field, .. }) => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn valid_product_parses_with_defaults() {
    let product = product_from_pb(valid()).expect("valid");
    assert_eq!(product.currency, Currency::rub());
    assert_eq!(product.vat, Vat::TwentyTwo);
    assert_eq!(
        product.values[0].value,
        Value::Measure {
            amount: Decimal::from(2200),
            unit: None
        }
    );
}

#[test]
fn bad_fields_are_named() {
    assert_eq!(
        field_of(pb::Product {
            sku: "  ".into(),
            ..valid()
        }),
        "sku"
    );
    assert_eq!(
        field_of(pb::Product {
            name: String::new(),
            ..valid()
        }),
        "name"
    );
    assert_eq!(
        field_of(pb::Product {
            price: "-1".into(),
            ..valid()
        }),
        "price"
    );
    assert_eq!(
        field_of(pb::Product {
            old_price: Some("-5".into()),
            ..valid()
        }),
        "old_price"
    );
    assert_eq!(
        field_of(pb::Product {
            stock: -1,
            ..valid()
        }),
        "stock"
    );
    assert_eq!(field_of(pb::Product { vat: 0, ..valid() }), "vat");
    assert_eq!(
        field_of(pb::Product {
            status: 0,
            ..valid()
        }),
        "status"
    );
    assert_eq!(
        field_of(pb::Product {
            weight_g: Some(-1),
            ..valid()
        }),
        "weight_g"
    );
    assert_eq!(
        field_of(pb::Product {
            family_id: Some("x".into()),
            ..valid()
        }),
        "family_id"
    );
    let bad_dims = pb::Dimensions {
        width_mm: Some(-3),
        ..Default::default()
    };
    assert_eq!(
        field_of(pb::Product {
            dimensions: Some(bad_dims),
            ..valid()
        }),
        "dimensions.width_mm"
    );
    let barcodes = vec!["4006381333931".into(), "4006381333932".into()];
    assert_eq!(
        field_of(pb::Product {
            barcodes,
            ..valid()
        }),
        "barcodes[1]"
    );
}

#[test]
fn bad_values_are_named() {
    let with = |value: pb::AttributeValue| pb::Product {
        values: vec![valid().values[0].clone(), value],
        ..valid()
    };
    let no_member = pb::AttributeValue {
        attribute_code: "color".into(),
        value: None,
    };
    assert_eq!(field_of(with(no_member)), "values[1]");
    let no_code = pb::AttributeValue {
        attribute_code: String::new(),
        value: Some(PbValue::Boolean(true)),
    };
    assert_eq!(field_of(with(no_code)), "values[1].attribute_code");
    let number = pb::AttributeValue {
        attribute_code: "w".into(),
        value: Some(PbValue::Number("abc".into())),
    };
    assert_eq!(field_of(with(number)), "values[1].number");
    let measure = pb::AttributeValue {
        attribute_code: "w".into(),
        value: Some(PbValue::Measure(pb::Measure {
            amount: String::new(),
            unit: "kg".into(),
        })),
    };
    assert_eq!(field_of(with(measure)), "values[1].measure.amount");
    let options = pb::AttributeValue {
        attribute_code: "color".into(),
        value: Some(PbValue::Options(pb::OptionCodes {
            codes: vec!["red".into(), " ".into()],
        })),
    };
    assert_eq!(field_of(with(options)), "values[1].options.codes[1]");
}

#[test]
fn round_trip_keeps_content() {
    let product = product_from_pb(valid()).expect("valid");
    let record = Record {
        meta: crate::model::Meta {
            id: carpetti_util::new_id(),
            change_seq: 1,
            created_at: carpetti_util::now(),
            updated_at: carpetti_util::now(),
        },
        value: product.clone(),
        refs: Default::default(),
    };
    let wire = product_to_pb(record);
    assert_eq!(wire.content_hash, product.content_hash().to_string());
    assert_eq!(product_from_pb(wire).expect("round trip"), product);
}
