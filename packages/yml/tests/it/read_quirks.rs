//! The supplier quirks issue 4 lists, each in its own test on a small synthetic feed: a DOCTYPE
//! never fetched, missing header parts, pipe-separated pictures, CDATA / escaped / raw HTML
//! descriptions, params with units and repeated names, group_id variants, title for name, stock
//! from count / quantity / outlets, stray whitespace, one-line files, orphan categories, unknown
//! (Cyrillic) elements, price formats, currencies, windows-1251.

use carpetti_yml::{Position, Shop};
use rust_decimal::Decimal;

use crate::read_feeds::{dec, feed_with, read_bytes};

#[test]
fn a_doctype_naming_shops_dtd_is_never_fetched() {
    // The DTD "lives" on a local listener: a fetch would show up as a connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("address").port();
    let xml = feed_with(r#"<offer id="1"><name>A</name></offer>"#).replacen(
        "<yml_catalog",
        &format!(
            "<!DOCTYPE yml_catalog SYSTEM \"http://127.0.0.1:{port}/shops.dtd\">\n<yml_catalog"
        ),
        1,
    );
    let read = read_bytes(xml);
    assert_eq!((read.offers.len(), read.rejected.len()), (1, 0));
    assert!(read.error.is_none());
    let accepted = listener.accept();
    assert!(
        matches!(accepted, Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "{accepted:?}"
    );
}

#[test]
fn missing_date_currencies_and_categories() {
    let read = read_bytes(
        "<yml_catalog><shop><offers><offer id=\"1\"><price>10</price><currencyId>RUR</currencyId>\
         <categoryId>7</categoryId></offer></offers></shop></yml_catalog>",
    );
    assert_eq!((read.offers.len(), read.rejected.len()), (1, 0));
    assert_eq!(read.shop, Shop::default());
    assert_eq!(read.offers[0].category_id.as_deref(), Some("7"));
}

#[test]
fn several_pictures_in_one_element_are_split_on_pipes() {
    let read = read_bytes(feed_with(
        "<offer id=\"1\"><picture> https://a.example/1.jpg | https://a.example/2.jpg || </picture>\
         <picture>https://a.example/3.jpg</picture><picture> </picture></offer>",
    ));
    assert_eq!(
        read.offers[0].pictures,
        [
            "https://a.example/1.jpg",
            "https://a.example/2.jpg",
            "https://a.example/3.jpg"
        ]
    );
}

#[test]
fn cdata_and_entity_escaped_html_descriptions() {
    let read = read_bytes(feed_with(
        "<offer id=\"cdata\"><description>\n  <![CDATA[<p>Мощный &amp; тихий</p>]]>\n</description></offer>\
         <offer id=\"escaped\"><description>&lt;p&gt;Мощный &amp;amp; тихий&lt;/p&gt;</description></offer>\
         <offer id=\"raw\"><description><p class=\"x\">Один<br>два</p><ul><li>три</li></ul></description></offer>\
         <offer id=\"plain\"><description>Строка 1\r\nСтрока 2</description></offer>",
    ));
    assert_eq!(read.rejected, []);
    let descriptions: Vec<_> = read
        .offers
        .iter()
        .map(|o| o.description.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(descriptions[0], "<p>Мощный &amp; тихий</p>");
    assert_eq!(descriptions[1], "<p>Мощный &amp; тихий</p>");
    // Unescaped HTML inside the element (invalid XML, common in feeds) is kept as HTML, even an
    // unclosed <br>.
    assert_eq!(
        descriptions[2],
        "<p class=\"x\">Один<br>два</p><ul><li>три</li></ul>"
    );
    assert_eq!(descriptions[3], "Строка 1\nСтрока 2");
}

#[test]
fn params_with_units_and_repeated_names() {
    let read = read_bytes(feed_with(
        "<offer id=\"1\"><param name=\"Цвет\">красный</param><param name=\"Цвет\">синий</param>\
         <param name=\"Мощность\" unit=\"Вт\"> 1 800 </param><param name=\"Размер\" unit=\"RU\">52</param>\
         <param name=\"Пустой\"/></offer>",
    ));
    let params: Vec<_> = read.offers[0]
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.unit.as_deref(), p.value.as_str()))
        .collect();
    assert_eq!(
        params,
        [
            ("Цвет", None, "красный"),
            ("Цвет", None, "синий"),
            ("Мощность", Some("Вт"), "1 800"),
            ("Размер", Some("RU"), "52"),
            ("Пустой", None, ""),
        ]
    );
}

#[test]
fn group_id_as_attribute_or_child() {
    let read = read_bytes(feed_with(
        "<offer id=\"a\" group_id=\"G1\"><name>A</name></offer>\
         <offer id=\"b\"><group_id> G2 </group_id></offer><offer id=\"c\"/>",
    ));
    let groups: Vec<_> = read.offers.iter().map(|o| o.group_id.as_deref()).collect();
    assert_eq!(groups, [Some("G1"), Some("G2"), None]);
}

#[test]
fn title_where_name_should_be() {
    let read = read_bytes(feed_with(
        "<offer id=\"a\"><title>Заголовок</title></offer>\
         <offer id=\"b\"><title>Заголовок</title><name>Имя</name></offer>",
    ));
    let names: Vec<_> = read.offers.iter().map(|o| o.name.as_deref()).collect();
    assert_eq!(names, [Some("Заголовок"), Some("Имя")]);
}

#[test]
fn stock_from_count_quantity_or_outlets() {
    let read = read_bytes(feed_with(
        "<offer id=\"count\"><count>5</count><quantity>9</quantity></offer>\
         <offer id=\"quantity\"><quantity> 7 </quantity></offer>\
         <offer id=\"outlets\"><outlets><outlet id=\"1\" instock=\"3\"/><outlet id=\"2\" instock=\"4\"></outlet>\
         </outlets></offer>\
         <offer id=\"stock\"><stock id=\"msk\">2</stock><stock id=\"spb\">1.00</stock></offer>\
         <offer id=\"none\"><price>1</price></offer>",
    ));
    assert_eq!(read.rejected, []);
    let stock: Vec<_> = read.offers.iter().map(|o| o.stock).collect();
    assert_eq!(stock, [Some(5), Some(7), Some(7), Some(3), None]);
    let outlets = &read.offers[2].outlets;
    assert_eq!(
        (outlets[1].id.as_deref(), outlets[1].instock),
        (Some("2"), 4)
    );
    assert_eq!(read.offers[3].outlets[0].id.as_deref(), Some("msk"));
}

#[test]
fn stray_whitespace_is_trimmed() {
    let read = read_bytes(feed_with(
        "<offer id=\" 42 \" available=\" true \">\n<vendor>\nCam</vendor>\
         <name>\u{a0} Чайник \t</name><price>\n 250.00 \n</price><url> https://a.example/x </url></offer>",
    ));
    let offer = &read.offers[0];
    assert_eq!((offer.id.as_str(), offer.available), ("42", Some(true)));
    assert_eq!(
        (offer.vendor.as_deref(), offer.name.as_deref()),
        (Some("Cam"), Some("Чайник"))
    );
    assert_eq!(offer.price, Some(dec("250.00")));
    assert_eq!(offer.url.as_deref(), Some("https://a.example/x"));
}

#[test]
fn a_one_line_file() {
    let offers: String = (0..500)
        .map(|n| format!("<offer id=\"{n}\"><name>Товар {n}</name></offer>"))
        .collect();
    let head = "<yml_catalog><shop><offers>";
    let read = read_bytes(format!("{head}{offers}</offers></shop></yml_catalog>"));
    assert_eq!((read.offers.len(), read.rejected.len()), (500, 0));
    // Columns count characters: "<offer id=\"0\"><name>Товар 0</name></offer>" is 42 of them.
    assert_eq!(
        read.offers[0].position,
        Position {
            line: 1,
            column: head.len() as u64 + 1
        }
    );
    assert_eq!(read.offers[1].position.column, head.len() as u64 + 1 + 42);
}

#[test]
fn categories_with_missing_parents_are_kept() {
    let read = read_bytes(
        "<yml_catalog><shop><categories><category id=\"1\">Корень</category>\
         <category id=\"2\" parentId=\"99\">Сирота</category><category parentId=\"1\">без id</category>\
         </categories><offers/></shop></yml_catalog>",
    );
    let categories: Vec<_> = read
        .shop
        .categories
        .iter()
        .map(|c| (c.id.as_str(), c.parent_id.as_deref(), c.name.as_str()))
        .collect();
    assert_eq!(
        categories,
        [("1", None, "Корень"), ("2", Some("99"), "Сирота")]
    );
    assert!(read.error.is_none());
}

#[test]
fn unknown_elements_are_skipped() {
    let read = read_bytes(feed_with(
        "<offer id=\"1\"><Снятые_запчасти><Артикул>5381</Артикул><name>не имя</name></Снятые_запчасти>\
         <delivery-options><option cost=\"300\" days=\"1\"/></delivery-options>\
         <condition type=\"preowned\"><quality>good</quality></condition><name>Имя</name></offer>",
    ));
    assert_eq!(read.offers[0].name.as_deref(), Some("Имя"));
    assert_eq!(read.rejected, []);
}

#[test]
fn prices_decimal_or_missing() {
    let read = read_bytes(feed_with(
        "<offer id=\"dot\"><price>250.00</price><oldprice>300</oldprice></offer>\
         <offer id=\"spaces\"><price>1 234,50</price></offer>\
         <offer id=\"missing\"><oldprice>300</oldprice></offer>\
         <offer id=\"empty\"><price/></offer>",
    ));
    let prices: Vec<_> = read
        .offers
        .iter()
        .map(|o| (o.id.as_str(), o.price, o.old_price))
        .collect();
    assert_eq!(
        prices,
        [
            ("dot", Some(dec("250.00")), Some(dec("300"))),
            ("missing", None, Some(dec("300"))),
            ("empty", None, None)
        ]
    );
    let rejected = &read.rejected[0];
    assert_eq!(rejected.offer_id.as_deref(), Some("spaces"));
    assert_eq!(
        rejected.reason,
        "price \"1 234,50\" is not a decimal number"
    );
}

#[test]
fn currencies_kzt_and_rate_variants() {
    let read = read_bytes(
        "<yml_catalog><shop><currencies><currency id=\"KZT\" rate=\"1\"/><currency id=\"RUR\" rate=\"CBRF\" plus=\"3\"/>\
         <currency id=\"USD\" rate=\"92.5\"/><currency id=\"EUR\"/></currencies><offers>\
         <offer id=\"1\"><price>45990</price><currencyId>KZT</currencyId></offer></offers></shop></yml_catalog>",
    );
    let currencies: Vec<_> = read
        .shop
        .currencies
        .iter()
        .map(|c| (c.id.as_str(), c.rate, c.rate_source.as_deref()))
        .collect();
    assert_eq!(
        currencies,
        [
            ("KZT", Some(Decimal::ONE), None),
            ("RUR", None, Some("CBRF")),
            ("USD", Some(dec("92.5")), None),
            ("EUR", None, None)
        ]
    );
    assert_eq!(read.offers[0].currency_id.as_deref(), Some("KZT"));
}

#[test]
fn weight_dimensions_and_flags() {
    let read = read_bytes(feed_with(
        "<offer id=\"1\" available=\"false\" type=\"vendor.model\"><weight>0.200</weight>\
         <dimensions>10.5/20/3</dimensions><barcode>4670028540756</barcode><barcode>46700285</barcode>\
         <sales_notes>Предоплата</sales_notes><country_of_origin>Китай</country_of_origin></offer>",
    ));
    let offer = &read.offers[0];
    assert_eq!(
        (offer.available, offer.kind.as_deref()),
        (Some(false), Some("vendor.model"))
    );
    assert_eq!(offer.weight_kg, Some(dec("0.200")));
    let dimensions = offer.dimensions.expect("dimensions");
    assert_eq!(
        (
            dimensions.length_cm,
            dimensions.width_cm,
            dimensions.height_cm
        ),
        (dec("10.5"), dec("20"), dec("3"))
    );
    assert_eq!(offer.barcodes, ["4670028540756", "46700285"]);
    assert_eq!(
        (
            offer.sales_notes.as_deref(),
            offer.country_of_origin.as_deref()
        ),
        (Some("Предоплата"), Some("Китай"))
    );
}

#[test]
fn a_windows_1251_feed_is_decoded() {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<yml_catalog><shop><name>Магазин</name><offers>\n\
         <offer id=\"1\"><name>Чайник «Зима»</name><param name=\"Цвет\">белый</param></offer>\n\
         </offers></shop></yml_catalog>",
    );
    assert!(!unmappable);
    let read = read_bytes(bytes.into_owned());
    assert_eq!(read.shop.name.as_deref(), Some("Магазин"));
    let offer = &read.offers[0];
    assert_eq!(offer.name.as_deref(), Some("Чайник «Зима»"));
    assert_eq!(offer.params[0].value, "белый");
    assert_eq!(offer.position, Position { line: 3, column: 1 });
}

#[test]
fn a_utf16_feed_with_a_byte_order_mark_is_decoded() {
    let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<yml_catalog><shop><offers>\
                <offer id=\"1\"><name>Чайник</name></offer></offers></shop></yml_catalog>";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let read = read_bytes(bytes);
    assert_eq!(read.offers[0].name.as_deref(), Some("Чайник"));
    assert_eq!(
        read.offers[0].position,
        Position {
            line: 2,
            column: 28
        }
    );
}

#[test]
fn an_unknown_declared_encoding_is_a_feed_error() {
    let read = read_bytes("<?xml version=\"1.0\" encoding=\"x-klingon\"?><yml_catalog/>");
    assert!(
        matches!(read.error, Some(carpetti_yml::FeedError::Encoding { ref message, .. }) if message.contains("x-klingon")),
        "{:?}",
        read.error
    );
}

#[test]
fn the_reader_moves_to_another_thread() {
    let input = std::io::Cursor::new(feed_with("<offer id=\"1\"/><offer id=\"2\"/>").into_bytes());
    let reader =
        carpetti_yml::YmlReader::from_read(input, carpetti_yml::Limits::default()).expect("opens");
    let count = std::thread::spawn(move || reader.filter(|item| item.is_ok()).count())
        .join()
        .expect("reader thread");
    assert_eq!(count, 2);
}
