//! The writer through its public API: each flavor's exact shape on a small example, escaping and
//! forbidden characters, refused offers, the default date, and streaming in bounded memory.

use std::io::{self, Write};

use carpetti_yml::sample::{SAMPLE_CATEGORIES, sample_offer, sample_shop};
use carpetti_yml::{
    Category, Currency, Dimensions, Flavor, Offer, Outlet, Param, Shop, WriteError, YmlWriter,
};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal literal")
}

fn shop() -> Shop {
    Shop {
        date: Some("2026-03-15T12:01:00+03:00".to_owned()),
        name: Some("Магазин".to_owned()),
        company: Some("ООО \"Ромашка\" & Co".to_owned()),
        url: Some("https://shop.example.ru".to_owned()),
        platform: None,
        email: Some("a@shop.example.ru".to_owned()),
        currencies: vec![
            Currency {
                id: "RUB".to_owned(),
                rate: Some(dec("1.00")),
                rate_source: None,
            },
            Currency {
                id: "USD".to_owned(),
                rate: None,
                rate_source: Some("CBRF".to_owned()),
            },
        ],
        categories: vec![
            Category {
                id: "1".to_owned(),
                parent_id: None,
                name: "Всё".to_owned(),
            },
            Category {
                id: "2".to_owned(),
                parent_id: Some("1".to_owned()),
                name: "Чайники <новые>".to_owned(),
            },
        ],
    }
}

fn offer() -> Offer {
    Offer {
        id: "A-1".to_owned(),
        available: Some(true),
        group_id: Some("G1".to_owned()),
        name: Some("Чайник \"Ёж\" & <Ко>".to_owned()),
        vendor: Some("Bosch".to_owned()),
        vendor_code: Some("B'1".to_owned()),
        url: Some("https://shop.example.ru/p?a=1&b=2".to_owned()),
        price: Some(dec("1990.50")),
        old_price: Some(dec("2500.00")),
        currency_id: Some("RUB".to_owned()),
        category_id: Some("2".to_owned()),
        pictures: vec![
            "https://cdn.example.ru/1.jpg".to_owned(),
            "https://x/a|b.jpg".to_owned(),
        ],
        description: Some("<p>Кипятит]]>быстро</p>".to_owned()),
        barcodes: vec!["4006381333931".to_owned()],
        params: vec![
            Param {
                name: "Мощность".to_owned(),
                unit: Some("Вт".to_owned()),
                value: "2200".to_owned(),
            },
            Param {
                name: "Цвет".to_owned(),
                unit: None,
                value: "белый".to_owned(),
            },
        ],
        weight_kg: Some(dec("1.250")),
        dimensions: Some(Dimensions {
            length_cm: dec("20.0"),
            width_cm: dec("15.5"),
            height_cm: dec("25"),
        }),
        stock: Some(7),
        outlets: vec![Outlet {
            id: Some("11".to_owned()),
            warehouse_name: Some("Склад 1".to_owned()),
            instock: 7,
        }],
        country_of_origin: Some("Китай".to_owned()),
        sales_notes: Some("Предоплата".to_owned()),
        ..Offer::default()
    }
}

fn write(flavor: Flavor, shop: &Shop, offers: &[Offer]) -> String {
    let mut writer = YmlWriter::new(Vec::new(), flavor, shop).expect("header");
    for offer in offers {
        writer.write_offer(offer).expect("offer");
    }
    String::from_utf8(writer.finish().expect("finish")).expect("UTF-8")
}

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<yml_catalog date="2026-03-15T12:01:00+03:00">
  <shop>
    <name>Магазин</name>
    <company>ООО &quot;Ромашка&quot; &amp; Co</company>
    <url>https://shop.example.ru</url>
    <email>a@shop.example.ru</email>
    <currencies>
      <currency id="RUB" rate="1"/>
      <currency id="USD" rate="CBRF"/>
    </currencies>
    <categories>
      <category id="1">Всё</category>
      <category id="2" parentId="1">Чайники &lt;новые&gt;</category>
    </categories>
    <offers>
"#;

const OFFER_BODY: &str = r#"<offer id="A-1" available="true" group_id="G1">
<url>https://shop.example.ru/p?a=1&amp;b=2</url>
<price>1990.5</price>
<oldprice>2500</oldprice>
<currencyId>RUB</currencyId>
<categoryId>2</categoryId>
<picture>https://cdn.example.ru/1.jpg</picture>
<picture>https://x/a%7Cb.jpg</picture>
<name>Чайник &quot;Ёж&quot; &amp; &lt;Ко&gt;</name>
<vendor>Bosch</vendor>
<vendorCode>B&apos;1</vendorCode>
<description><![CDATA[<p>Кипятит]]]]><![CDATA[>быстро</p>]]></description>
<sales_notes>Предоплата</sales_notes>
<country_of_origin>Китай</country_of_origin>
<barcode>4006381333931</barcode>
<param name="Мощность" unit="Вт">2200</param>
<param name="Цвет">белый</param>
<weight>1.25</weight>
<dimensions>20/15.5/25</dimensions>
<count>7</count>
"#;

const FOOTER: &str = "    </offers>\n  </shop>\n</yml_catalog>\n";

#[test]
fn yandex_market_shape() {
    let expected = format!("{HEADER}{OFFER_BODY}</offer>\n{FOOTER}");
    assert_eq!(write(Flavor::YandexMarket, &shop(), &[offer()]), expected);
}

#[test]
fn megamarket_shape_adds_outlets_by_warehouse_id() {
    let outlets = "<outlets>\n<outlet id=\"11\" instock=\"7\"/>\n</outlets>\n";
    let expected = format!("{HEADER}{OFFER_BODY}{outlets}</offer>\n{FOOTER}");
    assert_eq!(write(Flavor::Megamarket, &shop(), &[offer()]), expected);
}

#[test]
fn ozon_shape_has_only_prices_and_stock() {
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<yml_catalog date="2026-03-15T12:01:00+03:00">
  <shop>
    <offers>
<offer id="A-1">
<price>1990.5</price>
<oldprice>2500</oldprice>
<outlets>
<outlet instock="7" warehouse_name="Склад 1"/>
</outlets>
</offer>
    </offers>
  </shop>
</yml_catalog>
"#;
    assert_eq!(write(Flavor::OzonPriceStock, &shop(), &[offer()]), expected);
}

#[test]
fn vendor_model_type_is_inferred_and_empty_fields_left_out() {
    let offer = Offer {
        id: "VM".to_owned(),
        type_prefix: Some("Чайник".to_owned()),
        vendor: Some("Bosch".to_owned()),
        model: Some("TWK 1".to_owned()),
        url: Some(String::new()),
        barcodes: vec![String::new()],
        stock: Some(-3),
        ..Offer::default()
    };
    let xml = write(Flavor::YandexMarket, &Shop::default(), &[offer]);
    let body =
        &xml[xml.find("<offer ").expect("an offer")..xml.find("    </offers>").expect("end")];
    assert_eq!(
        body,
        "<offer id=\"VM\" type=\"vendor.model\">\n<typePrefix>Чайник</typePrefix>\n\
         <vendor>Bosch</vendor>\n<model>TWK 1</model>\n<count>0</count>\n</offer>\n"
    );
    // An empty shop writes no empty blocks.
    assert!(
        !xml.contains("<currencies>") && !xml.contains("<categories>") && !xml.contains("<name>")
    );
}

#[test]
fn forbidden_characters_are_never_written() {
    let mut nasty = offer();
    nasty.id = "id\u{1}\t\n\r".to_owned();
    nasty.name = Some("a\u{0}b\u{8}c\u{b}d\u{c}e\u{1f}f\u{fffe}g\u{ffff}".to_owned());
    nasty.description = Some("x\u{7}y\r\nz".to_owned());
    nasty.params[0].name = "p\u{2}q".to_owned();
    let mut shop = shop();
    shop.categories[0].name = "c\u{1b}d".to_owned();
    for flavor in [
        Flavor::YandexMarket,
        Flavor::Megamarket,
        Flavor::OzonPriceStock,
    ] {
        let xml = write(flavor, &shop, std::slice::from_ref(&nasty));
        let bad = xml.chars().find(|c| {
            matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
        });
        assert_eq!(bad, None, "{flavor:?}");
        // Whitespace in an attribute survives as character references, CR as LF.
        assert!(xml.contains("<offer id=\"id&#9;&#10;&#10;\""), "{flavor:?}");
    }
    let xml = write(Flavor::YandexMarket, &shop, &[nasty]);
    assert!(xml.contains("<name>abcdefg</name>"));
    assert!(xml.contains("<![CDATA[xy\nz]]>"));
    assert!(xml.contains("<param name=\"pq\""));
    assert!(xml.contains("<category id=\"1\">cd</category>"));
}

#[test]
fn refused_offers_write_nothing_and_the_stream_goes_on() {
    type Spoil = fn(&mut Offer);
    let cases: [(Flavor, Spoil, &str); 7] = [
        (Flavor::YandexMarket, |o| o.id = " ".to_owned(), "no id"),
        (
            Flavor::YandexMarket,
            |o| o.price = Some(dec("-1")),
            "price is negative",
        ),
        (
            Flavor::Megamarket,
            |o| o.old_price = Some(dec("-0.01")),
            "oldprice is negative",
        ),
        (
            Flavor::YandexMarket,
            |o| o.name = None,
            "neither a name nor a model",
        ),
        (
            Flavor::Megamarket,
            |o| o.outlets[0].id = None,
            "outlet has no id",
        ),
        (
            Flavor::OzonPriceStock,
            |o| o.outlets[0].warehouse_name = None,
            "no warehouse_name",
        ),
        (
            Flavor::OzonPriceStock,
            |o| {
                o.price = None;
                o.outlets.clear();
            },
            "neither a price nor stock",
        ),
    ];
    for (flavor, spoil, reason) in cases {
        let mut bad = offer();
        bad.id = format!("{}-bad", bad.id);
        spoil(&mut bad);
        let mut writer = YmlWriter::new(Vec::new(), flavor, &shop()).expect("header");
        writer.write_offer(&offer()).expect("a good offer");
        match writer.write_offer(&bad) {
            Err(WriteError::InvalidOffer {
                offer_id,
                reason: got,
            }) => {
                assert_eq!(offer_id, bad.id);
                assert!(got.contains(reason), "{flavor:?}: {got:?} lacks {reason:?}");
            }
            other => panic!("{flavor:?} {reason}: expected InvalidOffer, got {other:?}"),
        }
        writer
            .write_offer(&offer())
            .expect("a good offer after a bad one");
        assert_eq!(writer.offers_written(), 2);
        let xml = String::from_utf8(writer.finish().expect("finish")).expect("UTF-8");
        assert_eq!(
            xml,
            write(flavor, &shop(), &[offer(), offer()]),
            "{flavor:?} {reason}"
        );
    }
}

#[test]
fn default_warehouse_holds_stock_of_offers_without_outlets() {
    let mut plain = offer();
    plain.outlets.clear();
    let with_default = |flavor| {
        let mut writer = YmlWriter::new(Vec::new(), flavor, &shop())
            .expect("header")
            .with_default_warehouse("WH-9");
        writer.write_offer(&plain).expect("offer");
        String::from_utf8(writer.finish().expect("finish")).expect("UTF-8")
    };
    assert!(with_default(Flavor::Megamarket).contains("<outlet id=\"WH-9\" instock=\"7\"/>"));
    assert!(
        with_default(Flavor::OzonPriceStock)
            .contains("<outlet instock=\"7\" warehouse_name=\"WH-9\"/>")
    );
    // Without one, no warehouse is invented.
    assert!(!write(Flavor::Megamarket, &shop(), std::slice::from_ref(&plain)).contains("<outlet"));
    assert!(!write(Flavor::OzonPriceStock, &shop(), &[plain]).contains("<outlet"));
}

#[test]
fn missing_date_is_now_in_rfc3339() {
    let before = chrono::Utc::now() - chrono::Duration::seconds(2);
    let xml = write(Flavor::OzonPriceStock, &Shop::default(), &[]);
    let date = xml
        .split("<yml_catalog date=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a date attribute");
    let parsed = chrono::DateTime::parse_from_rfc3339(date).expect("RFC 3339");
    assert!(parsed >= before && parsed <= chrono::Utc::now(), "{date}");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<yml_catalog"));
}

/// A `Write` that keeps only counts: how much arrived and the largest single write.
#[derive(Default)]
struct Counting {
    bytes: usize,
    largest_write: usize,
    flushes: usize,
}

impl Write for Counting {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.bytes += data.len();
        self.largest_write = self.largest_write.max(data.len());
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

#[test]
fn streams_in_bounded_chunks() {
    let mut writer = YmlWriter::new(
        Counting::default(),
        Flavor::Megamarket,
        &sample_shop(SAMPLE_CATEGORIES),
    )
    .expect("header");
    for n in 0..20_000 {
        writer.write_offer(&sample_offer(n)).expect("offer");
    }
    assert_eq!(writer.offers_written(), 20_000);
    let out = writer.finish().expect("finish");
    // 20,000 offers of about a kilobyte went out in pieces no larger than the buffer plus one
    // offer: the writer holds nothing else.
    assert!(out.bytes > 20_000 * 1000, "{} bytes", out.bytes);
    assert!(
        out.largest_write < 64 * 1024 + 16 * 1024,
        "largest write {}",
        out.largest_write
    );
    assert_eq!(out.flushes, 1);
}

/// A `Write` that fails: the error comes back as `WriteError::Io`.
struct Broken;

impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("disk full"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn io_errors_surface() {
    let writer = YmlWriter::new(Broken, Flavor::YandexMarket, &shop()).expect("header is buffered");
    match writer.finish() {
        Err(WriteError::Io(error)) => assert_eq!(error.to_string(), "disk full"),
        other => panic!("expected an I/O error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_fragment_appended_gives_the_same_feed() {
    let offers: Vec<Offer> = (0..500).map(sample_offer).collect();
    let shop = sample_shop(SAMPLE_CATEGORIES);
    for flavor in [
        Flavor::YandexMarket,
        Flavor::Megamarket,
        Flavor::OzonPriceStock,
    ] {
        let mut fragment = YmlWriter::fragment(Vec::new(), flavor);
        for offer in &offers {
            fragment.write_offer(offer).expect("offer");
        }
        assert_eq!(fragment.offers_written(), 500);
        let bytes = fragment.finish_fragment().expect("fragment");
        assert!(!bytes.starts_with(b"<?xml") && !bytes.ends_with(b"</yml_catalog>\n"));
        let mut feed = YmlWriter::new(Vec::new(), flavor, &shop).expect("header");
        feed.append_fragment(&mut bytes.as_slice(), 500)
            .expect("append");
        assert_eq!(feed.offers_written(), 500);
        let assembled = feed.finish().expect("finish");
        assert_eq!(
            String::from_utf8(assembled).expect("UTF-8"),
            write(flavor, &shop, &offers)
        );
    }
}
