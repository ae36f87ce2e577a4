//! Integration tests of the generated code and the embedded descriptor set.

use carpetti_proto::FILE_DESCRIPTOR_SET;
use carpetti_proto::catalog::v1::{
    AttributeValue, Dimensions, EntityMeta, Measure, OptionCodes, Product, ProductStatus, Vat,
    attribute_value::Value,
};
use prost::Message;
use prost_types::FileDescriptorSet;

const SERVICES: [&str; 13] = [
    "carpetti.persist.v1.SupplierService",
    "carpetti.persist.v1.ProductService",
    "carpetti.persist.v1.StructureService",
    "carpetti.persist.v1.LinkService",
    "carpetti.persist.v1.ChannelService",
    "carpetti.persist.v1.OrderService",
    "carpetti.persist.v1.CrmService",
    "carpetti.persist.v1.AccessService",
    "carpetti.persist.v1.FileService",
    "carpetti.persist.v1.ImportService",
    "carpetti.persist.v1.ProcessReportService",
    "carpetti.persist.v1.ChangeService",
    "carpetti.provider.v1.ProviderService",
];

#[test]
fn descriptor_set_has_every_service() {
    let fds = FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("descriptor set decodes");
    let services: Vec<String> = fds
        .file
        .iter()
        .flat_map(|file| {
            file.service
                .iter()
                .map(move |svc| format!("{}.{}", file.package(), svc.name()))
        })
        .collect();
    for expected in SERVICES {
        assert!(
            services.iter().any(|s| s == expected),
            "{expected} missing from {services:?}"
        );
    }
    assert_eq!(
        services.len(),
        SERVICES.len(),
        "unexpected services: {services:?}"
    );
    assert!(
        fds.file
            .iter()
            .any(|f| f.name() == "google/protobuf/timestamp.proto"),
        "imports are included"
    );
}

#[test]
fn product_round_trips() {
    let product = Product {
        meta: Some(EntityMeta {
            id: "0190f1e2-7a3b-7c4d-8e5f-001122334455".into(),
            change_seq: 42,
            created_at: Some(prost_types::Timestamp {
                seconds: 1_700_000_000,
                nanos: 0,
            }),
            updated_at: None,
        }),
        sku: "DRILL-1".into(),
        name: "Дрель ударная".into(),
        vendor: Some("Acme".into()),
        barcodes: vec!["4601234567890".into()],
        dimensions: Some(Dimensions {
            length_mm: Some(300),
            width_mm: Some(80),
            height_mm: None,
        }),
        weight_g: Some(1_850),
        price: "1234.50".into(),
        currency: "RUB".into(),
        stock: 7,
        vat: Vat::Vat20.into(),
        status: ProductStatus::Active.into(),
        family_id: Some("0190f1e2-0000-7000-8000-000000000001".into()),
        values: vec![
            AttributeValue {
                attribute_code: "power".into(),
                value: Some(Value::Measure(Measure {
                    amount: "750".into(),
                    unit: "W".into(),
                })),
            },
            AttributeValue {
                attribute_code: "color".into(),
                value: Some(Value::Options(OptionCodes {
                    codes: vec!["green".into()],
                })),
            },
            AttributeValue {
                attribute_code: "cordless".into(),
                value: Some(Value::Boolean(false)),
            },
        ],
        ..Default::default()
    };
    let bytes = product.encode_to_vec();
    let decoded = Product::decode(bytes.as_slice()).expect("product decodes");
    assert_eq!(decoded, product);
    assert_eq!(decoded.vat(), Vat::Vat20);
    assert_eq!(decoded.status(), ProductStatus::Active);
}
