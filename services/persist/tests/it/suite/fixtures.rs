//! Builders of valid entities; tests change the field they are about.

use carpetti_persist::model::supplier::{FeedFormat, Param, Supplier, SupplierItem};
use carpetti_util::{Code, Currency, Money, OfferId};
use uuid::Uuid;

pub fn supplier(code: &str) -> Supplier {
    Supplier {
        code: Code::parse(code).expect("valid code"),
        name: format!("Поставщик {code}"),
        feed_url: Some(format!("https://{code}.example/feed.yml")),
        feed_format: FeedFormat::Yml,
        schedule: Some("0 */4 * * *".to_owned()),
        active: true,
        settings: serde_json::json!({"encoding": "utf-8"}),
    }
}

pub fn item(supplier_id: Uuid, offer: &str) -> SupplierItem {
    SupplierItem {
        supplier_id,
        offer_id: OfferId::parse(offer).expect("valid offer id"),
        name: format!("Чайник электрический {offer}"),
        vendor: Some("Bosch".to_owned()),
        vendor_code: Some(format!("TWK-{offer}")),
        barcodes: vec!["4006381333931".to_owned()],
        description: Some("Объём 1,7 л".to_owned()),
        category_name: Some("Бытовая техника/Кухня".to_owned()),
        url: None,
        pictures: vec![format!("https://img.example/{offer}.jpg")],
        price: Money::parse("2990.00").expect("price"),
        old_price: Some(Money::parse("3490").expect("old price")),
        currency: Currency::rub(),
        stock: Some(12),
        available: true,
        pack_quantity: 1,
        group_id: None,
        params: vec![Param {
            name: "Цвет".to_owned(),
            value: "белый".to_owned(),
            unit: None,
        }],
        weight_g: Some(1200),
        length_mm: Some(220),
        width_mm: Some(160),
        height_mm: Some(250),
        last_import_run_id: None,
    }
}
