//! The reader on every real feed in ../shared/testdata/feeds: exact counts of offers and
//! rejections, worked out by reading the files (the reasoning is above each test), and spot checks
//! of fields and positions. Also the helpers `read_quirks` and `hostile` share.

use std::io::Read;
use std::path::PathBuf;

use carpetti_yml::{FeedError, Item, Limits, Offer, OfferError, Position, Shop, YmlReader};
use rust_decimal::Decimal;

/// Everything one read produced.
pub(crate) struct Outcome {
    pub(crate) offers: Vec<Offer>,
    pub(crate) rejected: Vec<OfferError>,
    /// What ended the stream early, if anything.
    pub(crate) error: Option<FeedError>,
    pub(crate) shop: Shop,
}

pub(crate) fn read_input(input: impl Read + Send + 'static, limits: Limits) -> Outcome {
    let mut out = Outcome {
        offers: Vec::new(),
        rejected: Vec::new(),
        error: None,
        shop: Shop::default(),
    };
    let mut reader = match YmlReader::from_read(input, limits) {
        Ok(reader) => reader,
        Err(error) => {
            out.error = Some(error);
            return out;
        }
    };
    loop {
        match reader.next_item() {
            Ok(Some(Item::Offer(offer))) => out.offers.push(offer),
            Ok(Some(Item::Rejected(error))) => out.rejected.push(error),
            Ok(None) => break,
            Err(error) => {
                out.error = Some(error);
                break;
            }
        }
    }
    // After the end (or an error) the reader yields nothing more.
    assert!(matches!(reader.next_item(), Ok(None)));
    out.shop = reader.into_shop();
    out
}

pub(crate) fn read_bytes(bytes: impl Into<Vec<u8>>) -> Outcome {
    read_input(std::io::Cursor::new(bytes.into()), Limits::default())
}

/// A feed with `offers` (raw XML) inside the usual envelope.
pub(crate) fn feed_with(offers: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<yml_catalog date=\"2026-03-15 12:00\">\n\
         <shop><name>S</name><company>C</company><url>https://s.example</url>\n\
         <offers>\n{offers}\n</offers></shop></yml_catalog>\n"
    )
}

fn feed_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/feeds/real")
        .join(name)
}

fn read_feed(name: &str) -> Outcome {
    let file = std::fs::File::open(feed_path(name)).expect("test feed present");
    let read = read_input(file, Limits::default());
    assert!(read.error.is_none(), "{name}: {:?}", read.error);
    read
}

pub(crate) fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal literal")
}

fn offer<'a>(read: &'a Outcome, id: &str) -> &'a Offer {
    read.offers
        .iter()
        .find(|o| o.id == id)
        .expect("offer present")
}

// ecwid-variants.xml: 77 offers, each with an id, a "8600.00"-style price and a "0.200" weight;
// well-formed; DOCTYPE shops.dtd. Nothing to reject.
#[test]
fn ecwid_variants_feed() {
    let read = read_feed("ecwid-variants.xml");
    assert_eq!((read.offers.len(), read.rejected.len()), (77, 0));
    let shop = &read.shop;
    assert_eq!(shop.date.as_deref(), Some("2021-11-05 09:16"));
    assert_eq!(shop.platform.as_deref(), Some("Ecwid"));
    assert_eq!(shop.email.as_deref(), Some("info@ecwid.com"));
    assert_eq!(shop.categories.len(), 4);
    assert_eq!(shop.categories[0].id, "999999999999999999");
    assert_eq!(
        (shop.currencies[0].id.as_str(), shop.currencies[0].rate),
        ("RUB", None)
    );

    let first = &read.offers[0];
    assert_eq!(
        first.position,
        Position {
            line: 22,
            column: 1
        }
    );
    assert_eq!(
        (first.id.as_str(), first.available),
        ("413376464", Some(true))
    );
    assert_eq!(first.group_id.as_deref(), Some("413376464"));
    assert_eq!(
        (first.price, first.weight_kg),
        (Some(dec("8600.00")), Some(dec("0.200")))
    );
    assert_eq!(first.pictures.len(), 7);
    assert_eq!(first.vendor.as_deref(), Some("КарСаМаН"));
    let description = first.description.as_deref().unwrap_or_default();
    assert!(
        description.ends_with("вырез для пальца.") && description.contains("Ткань - \nэкокожа")
    );

    // A variant: its own id, the parent's group_id, a size param with unit "RU".
    let variant = offer(&read, "413376464C229995501");
    assert_eq!(variant.group_id.as_deref(), Some("413376464"));
    let size = &variant.params[0];
    assert_eq!(
        (
            size.name.as_str(),
            size.unit.as_deref(),
            size.value.as_str()
        ),
        ("Размер", Some("RU"), "52")
    );
    // Totals counted with Python's ElementTree: 129 pictures, 132 params (66 with unit "RU"),
    // 11 groups.
    let params = read.offers.iter().flat_map(|o| &o.params);
    assert_eq!(params.clone().count(), 132);
    assert_eq!(
        params.filter(|p| p.unit.as_deref() == Some("RU")).count(),
        66
    );
    assert_eq!(
        read.offers.iter().map(|o| o.pictures.len()).sum::<usize>(),
        129
    );
    let mut groups: Vec<_> = read
        .offers
        .iter()
        .filter_map(|o| o.group_id.as_deref())
        .collect();
    groups.dedup();
    assert_eq!(groups.len(), 11);
}

// malformed-supplier.xml: 72 offers, all with ids (63 of them repeats: not the reader's business),
// none with a price, <title> instead of <name>, several URLs in one <picture> separated by " | ",
// Cyrillic elements (<Снятые_запчасти>) to skip. Well-formed XML, so nothing to reject.
#[test]
fn malformed_supplier_feed() {
    let read = read_feed("malformed-supplier.xml");
    assert_eq!((read.offers.len(), read.rejected.len()), (72, 0));
    let mut ids: Vec<_> = read.offers.iter().map(|o| o.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 9);
    assert!(
        read.offers
            .iter()
            .all(|o| o.price.is_none() && o.name.is_some())
    );
    let first = &read.offers[0];
    assert_eq!(
        first.name.as_deref(),
        Some("716211 КПП 4-ст. механическая б/у Mercedes W201 (190)")
    );
    assert_eq!(first.category_id.as_deref(), Some("2"));
    assert_eq!(first.pictures.len(), 6);
    assert!(
        first
            .pictures
            .iter()
            .all(|p| p.starts_with("https://") && p.ends_with(".jpg"))
    );
    assert_eq!(
        read.offers.iter().map(|o| o.pictures.len()).sum::<usize>(),
        344
    );
    assert!(
        read.offers
            .iter()
            .all(|o| o.params.is_empty() && o.description.is_none())
    );
}

// ozon-price-stock.xml: 838 offers of id, price and one outlet (instock, warehouse_name); no date,
// currencies or categories at all. Instock sums to 2737 over the feed, 147 offers have stock.
#[test]
fn ozon_price_stock_feed() {
    let read = read_feed("ozon-price-stock.xml");
    assert_eq!((read.offers.len(), read.rejected.len()), (838, 0));
    assert_eq!(read.shop, Shop::default());
    let first = &read.offers[0];
    assert_eq!(first.position, Position { line: 6, column: 7 });
    assert_eq!(
        (first.id.as_str(), first.price),
        ("5675", Some(dec("124990")))
    );
    assert_eq!(
        first.outlets[0].warehouse_name.as_deref(),
        Some("LG Electronics PP_2")
    );
    assert!(
        read.offers
            .iter()
            .all(|o| o.outlets.len() == 1 && o.stock == Some(o.outlets[0].instock))
    );
    assert_eq!(
        read.offers.iter().filter_map(|o| o.stock).sum::<i64>(),
        2737
    );
    assert_eq!(
        read.offers.iter().filter(|o| o.stock > Some(0)).count(),
        147
    );
    let prices: Decimal = read.offers.iter().filter_map(|o| o.price).sum();
    assert_eq!(prices, Decimal::from(680_519_954));
}

/// Yandex's three official samples: 36 offers each, well-formed, nothing to reject; CDATA HTML
/// descriptions, params with units, barcodes; promos with malformed `<product>` elements and
/// offer-level delivery options and conditions are skipped.
fn yandex_official(name: &str, params: usize, with_unit: usize) -> Outcome {
    let read = read_feed(name);
    assert_eq!((read.offers.len(), read.rejected.len()), (36, 0), "{name}");
    assert_eq!(read.shop.categories.len(), 7);
    assert_eq!(read.shop.categories[1].parent_id.as_deref(), Some("1"));
    assert_eq!(read.shop.currencies[0].id, "RUR");
    assert_eq!(read.shop.currencies[0].rate, Some(Decimal::ONE));
    let all = read.offers.iter().flat_map(|o| &o.params);
    assert_eq!(all.clone().count(), params, "{name}");
    assert_eq!(
        all.filter(|p| p.unit.is_some()).count(),
        with_unit,
        "{name}"
    );
    assert_eq!(
        read.offers.iter().map(|o| o.pictures.len()).sum::<usize>(),
        136
    );
    assert!(
        read.offers
            .iter()
            .all(|o| o.barcodes.len() == 1 && o.price.is_some())
    );
    let first = &read.offers[0];
    let description = first.description.as_deref().unwrap_or_default();
    assert!(
        description.starts_with("<p>Лампочка Яндекс YNDX-00017"),
        "{description}"
    );
    assert!(description.ends_with("</p>") && !description.contains("CDATA"));
    let power = first
        .params
        .iter()
        .find(|p| p.name == "Мощность")
        .expect("power param");
    assert_eq!(
        (power.unit.as_deref(), power.value.as_str()),
        (Some("Вт"), "4.8")
    );
    assert_eq!(first.barcodes, ["4670028540756"]);
    read
}

#[test]
fn yandex_official_ekaterinburg_feed() {
    let read = yandex_official(
        "yandex-official-yandex_products_Ekaterinburg_feed.xml",
        298,
        122,
    );
    assert_eq!(read.shop.date.as_deref(), Some("2023-12-11T20:53:45+03:00"));
    assert_eq!(
        read.offers[0].name.as_deref(),
        Some("Умная лампочка Яндекса E14")
    );
}

#[test]
fn yandex_official_moscow_feed_with_delivery() {
    let read = yandex_official(
        "yandex-official-yandex_products_Moscow_feed_with_delivery.xml",
        295,
        118,
    );
    assert_eq!(read.offers[0].id, "110103000001");
    assert_eq!(
        read.offers[0].position,
        Position {
            line: 45,
            column: 13
        }
    );
}

#[test]
fn yandex_official_vendor_model_feed() {
    let read = yandex_official(
        "yandex-official-yandex_products_Saint_Petersburg_feed_vendor_type.xml",
        295,
        118,
    );
    let first = &read.offers[0];
    assert_eq!(first.kind.as_deref(), Some("vendor.model"));
    assert_eq!(
        (first.name.as_deref(), first.model.as_deref()),
        (None, Some("Яндекс E14"))
    );
    assert_eq!(
        first.display_name().as_deref(),
        Some("Умная лампочка Яндекс Яндекс E14")
    );
    assert!(
        read.offers
            .iter()
            .all(|o| o.name.is_none() && o.type_prefix.is_some())
    );
}

#[test]
fn the_header_is_there_while_offers_stream() {
    let file = std::fs::File::open(feed_path("ecwid-variants.xml")).expect("test feed present");
    let mut reader = YmlReader::from_read(file, Limits::default()).expect("opens");
    assert!(matches!(reader.next_item(), Ok(Some(Item::Offer(_)))));
    assert_eq!(reader.shop().categories.len(), 4);
    assert_eq!(
        reader.position(),
        Position {
            line: 44,
            column: 9
        }
    );
    assert!(reader.bytes_read() >= 88_469);
}
