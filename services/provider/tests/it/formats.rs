//! Supplier formats end to end: fixture files in testdata/feeds (CSV in windows-1251, a CSV with
//! broken rows, JSON array / path / NDJSON) and XLSX workbooks generated here, each read through
//! `format::open` and compared offer by offer.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use carpetti_provider::format::{self, Format, FormatError, MAX_XLSX_BYTES, OfferStream};
use carpetti_provider::{ColumnMapping, SupplierSettings};
use carpetti_yml::{Item, Offer, OfferError, Param, Position};
use rust_decimal::Decimal;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/feeds")
        .join(name)
}

fn dec(text: &str) -> Option<Decimal> {
    Some(Decimal::from_str(text).expect("decimal"))
}

fn at(line: u64, column: u64) -> Position {
    Position { line, column }
}

fn param(name: &str, unit: Option<&str>, value: &str) -> Param {
    Param {
        name: name.into(),
        unit: unit.map(Into::into),
        value: value.into(),
    }
}

fn rejection(id: Option<&str>, position: Position, reason: &str) -> OfferError {
    OfferError {
        offer_id: id.map(Into::into),
        position,
        reason: reason.into(),
    }
}

/// Every item of a stream: offers and rejections, in order.
fn read_all(mut stream: Box<dyn OfferStream>) -> (Vec<Offer>, Vec<OfferError>) {
    let (mut offers, mut rejected) = (Vec::new(), Vec::new());
    while let Some(item) = stream.next_item().expect("the feed reads to the end") {
        match item {
            Item::Offer(offer) => offers.push(offer),
            Item::Rejected(error) => rejected.push(error),
        }
    }
    (offers, rejected)
}

fn open(path: &Path, format: Format, settings: &SupplierSettings) -> Box<dyn OfferStream> {
    format::open(path, format, settings).expect("the feed opens")
}

#[test]
fn csv_in_windows_1251_with_semicolons_and_decimal_commas() {
    let mut columns = ColumnMapping {
        id: Some("Артикул".into()),
        name: Some("наименование".into()), // matched case-insensitively
        vendor: Some("Производитель".into()),
        price: Some("Цена".into()),
        old_price: Some("Старая цена".into()),
        stock: Some("Остаток".into()),
        category: Some("Категория".into()),
        barcode: Some("Штрихкод".into()),
        picture: Some("Фото".into()),
        ..ColumnMapping::default()
    };
    columns.params.insert("Мощность".into(), String::new());
    columns.params.insert("Цвет".into(), String::new());
    let settings = SupplierSettings {
        columns,
        ..SupplierSettings::default()
    };
    let path = fixture("cp1251-semicolon.csv");
    assert_eq!(Format::detect(None, &path).expect("sniffed"), Format::Csv);
    let (offers, rejected) = read_all(open(&path, Format::Csv, &settings));

    let expected = vec![
        Offer {
            id: "A-100".into(),
            position: at(2, 0),
            name: Some("Чайник электрический «Ладога»".into()),
            vendor: Some("Ладога".into()),
            price: dec("1234.50"),
            old_price: dec("1499.00"),
            stock: Some(12),
            category_id: Some("Кухня/Чайники".into()),
            barcodes: vec!["4601234567893".into()],
            pictures: vec![
                "https://img.example.ru/a100-1.jpg".into(),
                "https://img.example.ru/a100-2.jpg".into(),
            ],
            params: vec![
                param("Мощность", Some("Вт"), "2200"),
                param("Цвет", None, "белый"),
            ],
            ..Offer::default()
        },
        Offer {
            id: "A-101".into(),
            position: at(3, 0),
            name: Some("Утюг паровой".into()),
            vendor: Some("Ладога".into()),
            price: dec("2999.9"),
            stock: Some(0),
            category_id: Some("Дом/Утюги".into()),
            barcodes: vec!["4601234567886".into(), "4601234567879".into()],
            pictures: vec!["https://img.example.ru/a101.jpg".into()],
            params: vec![
                param("Мощность", Some("Вт"), "1800"),
                param("Цвет", None, "синий"),
            ],
            ..Offer::default()
        },
        Offer {
            id: "A-102".into(),
            position: at(4, 0),
            name: Some("Фен \"Вихрь\"; дорожный".into()),
            vendor: Some("Вихрь".into()),
            price: dec("899"),
            stock: Some(5),
            category_id: Some("Красота/Фены".into()),
            params: vec![param("Мощность", Some("Вт"), "2000")],
            ..Offer::default()
        },
    ];
    assert_eq!(offers, expected);
    // The blank row 5 is skipped; row 6 has a stock that is no number.
    assert_eq!(
        rejected,
        vec![rejection(
            Some("A-103"),
            at(6, 0),
            "bad stock \"много\": not a whole number"
        )]
    );
}

#[test]
fn csv_rows_with_a_bad_price_no_id_or_missing_fields_are_rejected_and_the_rest_read() {
    let path = fixture("ragged-bad-price.csv");
    let (offers, rejected) = read_all(open(&path, Format::Csv, &SupplierSettings::default()));
    let expected = vec![
        Offer {
            id: "1001".into(),
            position: at(2, 0),
            name: Some("Hammer".into()),
            price: dec("350.00"),
            currency_id: Some("RUB".into()),
            stock: Some(4),
            available: Some(true),
            vendor_code: Some("H-1".into()),
            ..Offer::default()
        },
        Offer {
            id: "1004".into(),
            position: at(6, 0),
            name: Some("Screwdriver, flat".into()),
            price: dec("120.5"),
            currency_id: Some("RUB".into()),
            stock: Some(10),
            available: Some(false),
            vendor_code: Some("SD-4".into()),
            ..Offer::default()
        },
    ];
    assert_eq!(offers, expected);
    assert_eq!(
        rejected,
        vec![
            rejection(Some("1002"), at(3, 0), "bad price \"12abc\": not a number"),
            rejection(Some("1003"), at(4, 0), "the row has 3 fields, the header 7"),
            rejection(None, at(5, 0), "no offer id"),
        ]
    );
}

#[test]
fn csv_without_an_id_column_is_refused_with_the_header_named() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("no-id.csv");
    std::fs::write(&path, "sku|title\n1|x\n").expect("write");
    let err = format::open(&path, Format::Csv, &SupplierSettings::default())
        .err()
        .expect("no id column");
    let text = err.to_string();
    assert!(matches!(err, FormatError::Invalid(_)), "{text}");
    assert!(
        text.contains("no offer id column") && text.contains("\"sku\""),
        "{text}"
    );

    // The same file with the delimiter and id column configured reads.
    let settings = SupplierSettings {
        delimiter: Some('|'),
        columns: ColumnMapping {
            id: Some("SKU".into()),
            name: Some("title".into()),
            ..ColumnMapping::default()
        },
        ..SupplierSettings::default()
    };
    let (offers, rejected) = read_all(open(&path, Format::Csv, &settings));
    assert!(rejected.is_empty());
    assert_eq!(offers.len(), 1);
    assert_eq!(
        (offers[0].id.as_str(), offers[0].name.as_deref()),
        ("1", Some("x"))
    );
}

#[test]
fn csv_in_utf16_with_a_bom_is_transcoded() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("excel-unicode.txt");
    let text = "id\tname\tprice\n7\tКресло\t4 500,00\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&path, bytes).expect("write");
    let (offers, rejected) = read_all(open(&path, Format::Csv, &SupplierSettings::default()));
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(
        offers,
        vec![Offer {
            id: "7".into(),
            position: at(2, 0),
            name: Some("Кресло".into()),
            price: dec("4500.00"),
            ..Offer::default()
        }]
    );
}

/// A workbook with a decoy first sheet and the price list on "Прайс".
fn write_workbook(path: &Path) {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let decoy = book.add_worksheet();
    decoy.set_name("Инструкция").expect("name");
    decoy
        .write_string(0, 0, "Заполните лист Прайс")
        .expect("cell");
    let sheet = book.add_worksheet();
    sheet.set_name("Прайс").expect("name");
    // A title row two rows down, one column in: the header is the first non-empty row.
    let header = [
        "ID",
        "Name",
        "Price",
        "Stock",
        "Barcode",
        "Вес (кг)",
        "Available",
    ];
    for (col, title) in header.iter().enumerate() {
        sheet
            .write_string(2, 1 + col as u16, *title)
            .expect("header cell");
    }
    // Row 4: numbers as Excel stores them (floats).
    sheet.write_number(3, 1, 12345.0).expect("id");
    sheet.write_string(3, 2, "Дрель ударная").expect("name");
    sheet.write_number(3, 3, 1234.5).expect("price");
    sheet.write_number(3, 4, 3.0).expect("stock");
    sheet.write_number(3, 5, 4601234567893.0).expect("barcode");
    sheet
        .write_number(3, 6, 2.675 * 100.0 / 100.0)
        .expect("weight");
    sheet.write_boolean(3, 7, true).expect("available");
    // Row 5: text everywhere, a decimal comma.
    sheet.write_string(4, 1, "X-2").expect("id");
    sheet.write_string(4, 2, "Шуруповёрт").expect("name");
    sheet.write_string(4, 3, "7 999,99").expect("price");
    sheet.write_string(4, 7, "нет").expect("available");
    // Row 6 empty; row 7: a price that is not a number.
    sheet.write_number(6, 1, 777.0).expect("id");
    sheet.write_string(6, 3, "по запросу").expect("price");
    book.save(path).expect("save");
}

#[test]
fn xlsx_generated_here_reads_floats_as_people_typed_them() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("price.xlsx");
    write_workbook(&path);
    let mut columns = ColumnMapping::default();
    columns.params.insert("Вес".into(), String::new());
    let settings = SupplierSettings {
        sheet: Some("Прайс".into()),
        columns,
        ..SupplierSettings::default()
    };
    assert_eq!(Format::detect(None, &path).expect("sniffed"), Format::Xlsx);
    let stream = open(&path, Format::Xlsx, &settings);
    let (offers, rejected) = read_all(stream);
    assert_eq!(
        offers,
        vec![
            Offer {
                id: "12345".into(),
                position: at(4, 0),
                name: Some("Дрель ударная".into()),
                price: dec("1234.5"),
                stock: Some(3),
                barcodes: vec!["4601234567893".into()],
                available: Some(true),
                params: vec![param("Вес", Some("кг"), "2.675")],
                ..Offer::default()
            },
            Offer {
                id: "X-2".into(),
                position: at(5, 0),
                name: Some("Шуруповёрт".into()),
                price: dec("7999.99"),
                available: Some(false),
                ..Offer::default()
            },
        ]
    );
    assert_eq!(
        rejected,
        vec![rejection(
            Some("777"),
            at(7, 0),
            "bad price \"по запросу\": not a number"
        )]
    );

    // Without a sheet setting the first sheet is read: it has no id column.
    let err = format::open(&path, Format::Xlsx, &SupplierSettings::default())
        .err()
        .expect("first sheet has no ids");
    assert!(err.to_string().contains("Инструкция"), "{err}");
    let err = format::open(
        &path,
        Format::Xlsx,
        &SupplierSettings {
            sheet: Some("Нет такого".into()),
            ..SupplierSettings::default()
        },
    )
    .err()
    .expect("missing sheet");
    assert!(
        err.to_string().contains("Прайс"),
        "names the sheets there are: {err}"
    );
}

#[test]
fn xlsx_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("huge.xlsx");
    // A sparse file: the size is what matters, no disk is used.
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(MAX_XLSX_BYTES + 1).expect("set_len");
    let err = format::open(&path, Format::Xlsx, &SupplierSettings::default())
        .err()
        .expect("too large");
    assert!(
        matches!(
            err,
            FormatError::TooLarge { size, limit, .. }
                if size == MAX_XLSX_BYTES + 1 && limit == MAX_XLSX_BYTES
        ),
        "{err}"
    );
}

#[test]
fn json_root_array_streams_objects_with_nested_params() {
    let path = fixture("offers-array.json");
    assert_eq!(Format::detect(None, &path).expect("sniffed"), Format::Json);
    let (offers, rejected) = read_all(open(&path, Format::Json, &SupplierSettings::default()));
    assert_eq!(
        offers,
        vec![
            Offer {
                id: "501".into(),
                position: at(2, 3),
                name: Some("Лампа настольная".into()),
                price: dec("1990.00"),
                old_price: dec("2490"),
                currency_id: Some("RUR".into()),
                stock: Some(7),
                available: Some(true),
                barcodes: vec!["4600000000015".into()],
                pictures: vec![
                    "https://img.example.ru/501-1.jpg".into(),
                    "https://img.example.ru/501-2.jpg".into(),
                ],
                params: vec![
                    param("Мощность", Some("Вт"), "40"),
                    param("Цвет", None, "чёрный"),
                ],
                ..Offer::default()
            },
            Offer {
                id: "502".into(),
                position: at(17, 3),
                name: Some("Торшер".into()),
                price: dec("5400.5"),
                params: vec![
                    param("Высота", Some("см"), "160"),
                    param("Цвет", None, "белый"),
                    param("Цвет", None, "серый"),
                ],
                ..Offer::default()
            },
        ]
    );
    assert_eq!(
        rejected,
        vec![
            rejection(Some("503"), at(18, 3), "bad price \"дорого\": not a number"),
            rejection(
                None,
                at(19, 3),
                "an offer must be a JSON object, not a string"
            ),
        ]
    );
}

#[test]
fn json_offers_at_a_path_with_mapped_keys() {
    let mut columns = ColumnMapping {
        id: Some("sku".into()),
        name: Some("title".into()),
        price: Some("cost".into()),
        stock: Some("qty".into()),
        category: Some("group".into()),
        ..ColumnMapping::default()
    };
    columns.params.insert("Сечение (мм²)".into(), String::new());
    let settings = SupplierSettings {
        json_offers_path: Some("data.items".into()),
        columns,
        ..SupplierSettings::default()
    };
    let (offers, rejected) = read_all(open(&fixture("offers-path.json"), Format::Json, &settings));
    assert!(rejected.is_empty(), "{rejected:?}");
    let cable = |id: &str, line, name: &str, price, stock, section: &str| Offer {
        id: id.into(),
        position: at(line, 7),
        name: Some(name.into()),
        price: dec(price),
        stock: Some(stock),
        category_id: Some("Кабель/Силовой".into()),
        params: vec![param("Сечение", Some("мм²"), section)],
        ..Offer::default()
    };
    assert_eq!(
        offers,
        vec![
            cable("K-1", 6, "Кабель ВВГ 3x2.5", "95.9", 120, "2,5"),
            cable("K-2", 7, "Кабель NYM 3x1.5", "78.40", 0, "1,5"),
        ]
    );

    // A path that is not there, and a root object without a path, are clear feed errors.
    let missing = SupplierSettings {
        json_offers_path: Some("data.offers".into()),
        ..SupplierSettings::default()
    };
    let mut stream = open(&fixture("offers-path.json"), Format::Json, &missing);
    let err = stream.next_item().expect_err("no such key");
    assert!(err.to_string().contains("\"offers\""), "{err}");
    let err = format::open(
        &fixture("offers-path.json"),
        Format::Json,
        &SupplierSettings::default(),
    )
    .err()
    .expect("object root");
    assert!(err.to_string().contains("json_offers_path"), "{err}");
}

#[test]
fn ndjson_reads_one_offer_a_line_and_survives_a_broken_line() {
    let (offers, rejected) = read_all(open(
        &fixture("offers.ndjson"),
        Format::Json,
        &SupplierSettings::default(),
    ));
    assert_eq!(
        offers,
        vec![
            Offer {
                id: "N-1".into(),
                position: at(1, 1),
                name: Some("Перчатки".into()),
                price: dec("150"),
                stock: Some(40),
                ..Offer::default()
            },
            Offer {
                id: "N-2".into(),
                position: at(3, 1),
                name: Some("Каска".into()),
                price: dec("1200"),
                available: Some(true),
                ..Offer::default()
            },
            Offer {
                id: "N-4".into(),
                position: at(5, 1),
                name: Some("Очки".into()),
                price: dec("320.75"),
                barcodes: vec!["4601234567893".into(), "4601234567886".into()],
                ..Offer::default()
            },
        ]
    );
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].position.line, 4);
    assert!(
        rejected[0].reason.starts_with("invalid JSON"),
        "{:?}",
        rejected[0]
    );
}

#[test]
fn truncated_json_array_ends_the_feed_with_its_position() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("cut.json");
    std::fs::write(&path, "[\n {\"id\": 1, \"price\": 10},\n {\"id\": 2, \"pri").expect("write");
    let mut stream = open(&path, Format::Json, &SupplierSettings::default());
    assert!(matches!(stream.next_item(), Ok(Some(Item::Offer(o))) if o.id == "1"));
    match stream.next_item() {
        Err(FormatError::Json { line, .. }) => assert_eq!(line, 3),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    assert!(
        matches!(stream.next_item(), Ok(None)),
        "the stream stays ended"
    );
}

#[test]
fn yml_and_xml_go_through_the_yml_reader() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("feed.xml");
    std::fs::write(
        &path,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<yml_catalog date="2026-01-01 10:00"><shop><name>Магазин</name>
<offers><offer id="y1" available="true"><name>Ведро</name><price>250</price></offer></offers>
</shop></yml_catalog>"#,
    )
    .expect("write");
    assert_eq!(
        Format::detect(Some("feed.xml"), &path).expect("by name"),
        Format::Xml
    );
    assert_eq!(Format::sniff(&path).expect("sniff"), Some(Format::Yml));
    let mut stream = open(&path, Format::Xml, &SupplierSettings::default());
    let Some(Item::Offer(offer)) = stream.next_item().expect("reads") else {
        panic!("an offer");
    };
    assert_eq!((offer.id.as_str(), offer.price), ("y1", dec("250")));
    assert_eq!(stream.shop().name.as_deref(), Some("Магазин"));

    let other = dir.path().join("other.xml");
    std::fs::write(&other, "<catalog><item id=\"1\"/></catalog>").expect("write");
    let err = format::open(&other, Format::Xml, &SupplierSettings::default())
        .and_then(|mut s| s.next_item().map(|_| ()))
        .expect_err("not a YML catalog");
    assert!(matches!(err, FormatError::Feed(_)), "{err}");
}
