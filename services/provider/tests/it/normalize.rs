//! The normalizer through its public API: a full offer into a supplier item, rejections, notes
//! kept with the item, header notes, and the real supplier feeds of `../shared/testdata/feeds`.

use std::collections::HashSet;
use std::path::PathBuf;

use carpetti_provider::SupplierSettings;
use carpetti_provider::normalize::{Normalizer, Rejection};
use carpetti_yml::{Category, Currency, Dimensions, Item, Limits, Offer, Param, Shop, YmlReader};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn param(name: &str, unit: Option<&str>, value: &str) -> Param {
    Param {
        name: name.to_owned(),
        unit: unit.map(str::to_owned),
        value: value.to_owned(),
    }
}

fn shop() -> Shop {
    Shop {
        url: Some("https://shop.example.ru".to_owned()),
        currencies: vec![
            Currency {
                id: "RUR".to_owned(),
                rate: Some(Decimal::ONE),
                rate_source: None,
            },
            Currency {
                id: "USD".to_owned(),
                rate: Some(dec("90")),
                rate_source: None,
            },
        ],
        categories: vec![
            Category {
                id: "1".to_owned(),
                parent_id: None,
                name: "Бытовая техника".to_owned(),
            },
            Category {
                id: "2".to_owned(),
                parent_id: Some("1".to_owned()),
                name: "Чайники".to_owned(),
            },
        ],
        ..Shop::default()
    }
}

fn offer() -> Offer {
    Offer {
        id: " SKU-1 ".to_owned(),
        available: None,
        group_id: Some(" G1 ".to_owned()),
        name: Some(" Чайник\n Bosch  TWK ".to_owned()),
        vendor: Some("\nBosch".to_owned()),
        vendor_code: Some("TWK-1".to_owned()),
        url: Some(" https://shop.example.ru/p/1 ".to_owned()),
        price: Some(dec("10.005")),
        old_price: Some(dec("12")),
        currency_id: Some("usd".to_owned()),
        category_id: Some("2".to_owned()),
        pictures: vec![
            "https://cdn.example.ru/1.jpg".to_owned(),
            "/img/2.jpg".to_owned(),
            "HTTPS://CDN.EXAMPLE.RU/1.jpg".to_owned(),
        ],
        description: Some("<p>Кипятит\r\n быстро</p>\u{7}".to_owned()),
        barcodes: vec!["4006381333931".to_owned()],
        params: vec![
            param("Мощность", Some("кВт"), "2.2"),
            param("Цвет", None, "Белый"),
            param("Цвет", None, "Серый"),
            param("Кратность", None, "6 шт"),
        ],
        weight_kg: Some(dec("1.25")),
        dimensions: Some(Dimensions {
            length_cm: dec("20"),
            width_cm: dec("15.5"),
            height_cm: dec("25"),
        }),
        stock: Some(7),
        ..Offer::default()
    }
}

fn settings() -> SupplierSettings {
    SupplierSettings {
        pack_param: Some("кратность".to_owned()),
        ..SupplierSettings::default()
    }
}

fn rejection(offer: &Offer) -> Rejection {
    Normalizer::new(&settings(), &shop())
        .normalize(offer)
        .expect_err("rejected")
}

#[test]
fn a_full_offer_becomes_a_supplier_item() {
    let normalizer = Normalizer::new(&settings(), &shop());
    assert!(
        normalizer.header_notes().is_empty(),
        "{:?}",
        normalizer.header_notes()
    );
    let out = normalizer.normalize(&offer()).expect("normalized");
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    let item = out.item;
    assert_eq!(item.supplier_id, "");
    assert_eq!(item.offer_id, "SKU-1");
    assert_eq!(item.name, "Чайник Bosch TWK");
    assert_eq!(item.vendor.as_deref(), Some("Bosch"));
    assert_eq!(item.vendor_code.as_deref(), Some("TWK-1"));
    assert_eq!(item.group_id.as_deref(), Some("G1"));
    assert_eq!(item.url.as_deref(), Some("https://shop.example.ru/p/1"));
    // 10.005 × 90 = 900.45; 12 × 90 = 1080.
    assert_eq!(
        (item.price.as_str(), item.old_price.as_deref()),
        ("900.45", Some("1080"))
    );
    assert_eq!(item.currency, "RUB");
    assert_eq!(
        item.category_name.as_deref(),
        Some("Бытовая техника/Чайники")
    );
    assert_eq!(
        item.pictures,
        [
            "https://cdn.example.ru/1.jpg",
            "https://shop.example.ru/img/2.jpg"
        ]
    );
    assert_eq!(
        item.description.as_deref(),
        Some("<p>Кипятит\r\n быстро</p>")
    );
    assert_eq!(item.barcodes, ["4006381333931"]);
    let params: Vec<_> = item
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str(), p.unit.as_deref()))
        .collect();
    assert_eq!(
        params,
        [
            ("Мощность", "2200", Some("Вт")),
            ("Цвет", "Белый", None),
            ("Цвет", "Серый", None),
            ("Кратность", "6 шт", None),
        ]
    );
    assert_eq!(item.pack_quantity, 6);
    assert_eq!(item.weight_g, Some(1250));
    let d = item.dimensions.expect("dimensions");
    assert_eq!(
        (d.length_mm, d.width_mm, d.height_mm),
        (Some(200), Some(155), Some(250))
    );
    assert_eq!(item.stock, Some(7));
    assert!(item.available);
}

#[test]
fn offers_that_cannot_be_imported_are_rejected() {
    let nameless = Offer {
        name: None,
        ..offer()
    };
    assert_eq!(rejection(&nameless).field, "name");
    let vendor_model = Offer {
        name: None,
        model: Some("TWK 3A".to_owned()),
        type_prefix: Some("Чайник".to_owned()),
        ..offer()
    };
    let item = Normalizer::new(&settings(), &shop())
        .normalize(&vendor_model)
        .expect("vendor.model")
        .item;
    assert_eq!(item.name, "Чайник Bosch TWK 3A");

    let free = Offer {
        price: Some(Decimal::ZERO),
        ..offer()
    };
    assert_eq!(
        rejection(&free),
        Rejection {
            field: "price",
            reason: "price is 0".to_owned()
        }
    );
    let negative = Offer {
        price: Some(dec("-1")),
        ..offer()
    };
    assert_eq!(rejection(&negative).field, "price");
    let priceless = Offer {
        price: None,
        old_price: None,
        ..offer()
    };
    assert_eq!(
        rejection(&priceless),
        Rejection {
            field: "price",
            reason: "missing".to_owned()
        }
    );
    let tenge = Offer {
        currency_id: Some("KZT".to_owned()),
        ..offer()
    };
    assert_eq!(
        rejection(&tenge),
        Rejection {
            field: "currency",
            reason: "unknown currency KZT: no rate in the feed or the settings".to_owned()
        }
    );
    let idless = Offer {
        id: "  ".to_owned(),
        ..offer()
    };
    assert_eq!(rejection(&idless).field, "offer_id");
}

#[test]
fn problems_are_noted_and_the_item_kept() {
    let sloppy = Offer {
        price: None,
        old_price: Some(dec("50")),
        currency_id: Some(" RUR ".to_owned()),
        stock: Some(-4),
        category_id: Some("77".to_owned()),
        barcodes: vec!["4601234567891".to_owned(), "4006381333931".to_owned()],
        pictures: vec![
            "ftp://x.ru/1.jpg".to_owned(),
            "//cdn.example.ru/2.jpg".to_owned(),
        ],
        weight_kg: Some(dec("-1")),
        params: vec![param("Кратность", None, "много")],
        ..offer()
    };
    let out = Normalizer::new(&settings(), &shop())
        .normalize(&sloppy)
        .expect("kept");
    let item = &out.item;
    assert_eq!(
        (item.price.as_str(), item.old_price.as_deref()),
        ("50", None)
    );
    assert_eq!(item.stock, Some(0));
    assert_eq!(item.category_name.as_deref(), Some("77"));
    assert_eq!(item.barcodes, ["4006381333931"]);
    assert_eq!(item.pictures, ["https://cdn.example.ru/2.jpg"]);
    assert_eq!(item.weight_g, None);
    assert_eq!(item.pack_quantity, 1);
    let mut fields: Vec<&str> = out.notes.iter().map(|n| n.field).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "barcodes",
            "category_name",
            "pack_quantity",
            "pictures",
            "price",
            "stock",
            "weight_g"
        ]
    );
    let barcode = out
        .notes
        .iter()
        .find(|n| n.field == "barcodes")
        .expect("barcode note");
    assert_eq!(barcode.message, "barcode 4601234567891: bad check digit");
}

#[test]
fn one_normalizer_serves_many_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    let normalizer = Normalizer::new(&settings(), &shop());
    shared(&normalizer);
    let offers: Vec<Offer> = (0..4)
        .map(|i| Offer {
            id: format!("SKU-{i}"),
            ..offer()
        })
        .collect();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = offers
            .iter()
            .map(|offer| scope.spawn(|| normalizer.normalize(offer).map(|out| out.item.offer_id)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread").expect("normalized"))
            .collect()
    });
    assert_eq!(ids, ["SKU-0", "SKU-1", "SKU-2", "SKU-3"]);
}

#[test]
fn settings_rates_and_header_problems() {
    let settings = SupplierSettings {
        currency_rates: [("KZT".to_owned(), dec("0.2")), ("EUR".to_owned(), dec("0"))].into(),
        picture_base_url: Some("ftp://files.example.ru".to_owned()),
        ..SupplierSettings::default()
    };
    let normalizer = Normalizer::new(&settings, &shop());
    let fields: Vec<&str> = normalizer.header_notes().iter().map(|n| n.field).collect();
    assert_eq!(fields, ["currency", "pictures"]);
    let tenge = Offer {
        currency_id: Some("kzt".to_owned()),
        price: Some(dec("1000")),
        old_price: None,
        ..offer()
    };
    let item = normalizer.normalize(&tenge).expect("converted").item;
    assert_eq!(item.price, "200");
    // The invalid settings base falls back to the shop url.
    assert_eq!(item.pictures[1], "https://shop.example.ru/img/2.jpg");
}

fn feed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/feeds/real")
        .join(name)
}

/// Normalizes every offer of a real feed: (items, rejections).
fn normalize_feed(
    name: &str,
) -> (
    Vec<carpetti_proto::catalog::v1::SupplierItem>,
    Vec<Rejection>,
) {
    let file = std::fs::File::open(feed(name)).expect("test feed");
    let mut reader = YmlReader::from_read(file, Limits::default()).expect("feed opens");
    let mut offers = Vec::new();
    while let Some(item) = reader.next_item().expect("feed reads") {
        if let Item::Offer(offer) = item {
            offers.push(offer);
        }
    }
    let normalizer = Normalizer::new(&SupplierSettings::default(), reader.shop());
    let (mut items, mut rejections) = (Vec::new(), Vec::new());
    for offer in &offers {
        match normalizer.normalize(offer) {
            Ok(out) => items.push(out.item),
            Err(rejection) => rejections.push(rejection),
        }
    }
    assert!(!offers.is_empty(), "{name}: no offers read");
    (items, rejections)
}

#[test]
fn a_feed_without_prices_is_rejected_offer_by_offer() {
    let (items, rejections) = normalize_feed("malformed-supplier.xml");
    assert!(items.is_empty());
    assert!(
        rejections
            .iter()
            .all(|r| r.field == "price" && r.reason == "missing"),
        "{rejections:?}"
    );
}

#[test]
fn a_shop_platform_export_normalizes_whole() {
    let (items, rejections) = normalize_feed("ecwid-variants.xml");
    assert!(rejections.is_empty(), "{rejections:?}");
    for item in &items {
        let unique: HashSet<&String> = item.pictures.iter().collect();
        assert_eq!(unique.len(), item.pictures.len(), "{}", item.offer_id);
        assert!(
            item.pictures.iter().all(|p| p.starts_with("https://")),
            "{:?}",
            item.pictures
        );
        assert!(
            item.category_name.as_deref().is_some_and(|c| !c.is_empty()),
            "{}",
            item.offer_id
        );
    }
    let sizes = items
        .iter()
        .flat_map(|i| &i.params)
        .filter(|p| p.unit.as_deref() == Some("RU"))
        .count();
    assert!(sizes > 0, "the RU sizes are kept as sent");
    assert!(
        items.iter().any(|i| i.group_id.is_some()),
        "variants keep their group id"
    );
}
