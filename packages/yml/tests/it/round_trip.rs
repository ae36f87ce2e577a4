//! Round trip: what our writer writes, our reader reads back to the same records (positions
//! aside), for generated offers, hostile texts and the real test feeds; and an independent parser,
//! Python's lxml (scripts/yml-check.py), parses every feed we write. python3 with lxml must be
//! installed: without them these tests fail, they do not skip.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use carpetti_yml::sample::{SAMPLE_CATEGORIES, sample_offer, sample_shop};
use carpetti_yml::{
    Flavor, Item, Limits, Offer, OfferError, Outlet, Param, Position, Shop, WriteError, YmlReader,
    YmlWriter,
};

const FLAVORS: [Flavor; 3] = [
    Flavor::YandexMarket,
    Flavor::Megamarket,
    Flavor::OzonPriceStock,
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real feeds kept as test data (testdata/feeds/real, copied from ../shared/testdata/feeds).
fn feed(name: &str) -> PathBuf {
    repo_root().join("testdata/feeds/real").join(name)
}

/// Writes `offers` to `path`; returns the ids the writer refused.
fn write_feed(
    path: &Path,
    flavor: Flavor,
    shop: &Shop,
    offers: &[Offer],
    warehouse: Option<&str>,
) -> Vec<String> {
    let file = File::create(path).expect("create the feed file");
    let mut writer = YmlWriter::new(file, flavor, shop).expect("header");
    if let Some(warehouse) = warehouse {
        writer = writer.with_default_warehouse(warehouse);
    }
    let mut refused = Vec::new();
    for offer in offers {
        match writer.write_offer(offer) {
            Ok(()) => {}
            Err(WriteError::InvalidOffer { offer_id, .. }) => refused.push(offer_id),
            Err(error) => panic!("writing {path:?}: {error}"),
        }
    }
    assert_eq!(
        writer.offers_written(),
        (offers.len() - refused.len()) as u64
    );
    writer.finish().expect("finish");
    refused
}

/// Everything the reader makes of `path`: the shop, the offers (positions zeroed) and the
/// rejections.
fn read_feed(path: &Path) -> (Shop, Vec<Offer>, Vec<OfferError>) {
    let file = File::open(path).expect("open the feed");
    let mut reader = YmlReader::from_read(file, Limits::default()).expect("a YML feed");
    let (mut offers, mut rejected) = (Vec::new(), Vec::new());
    while let Some(item) = reader
        .next_item()
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
    {
        match item {
            Item::Offer(offer) => offers.push(Offer {
                position: Position::default(),
                ..offer
            }),
            Item::Rejected(error) => rejected.push(error),
        }
    }
    (reader.into_shop(), offers, rejected)
}

/// `scripts/yml-check.py FILE` (lxml) must accept the file and count `offers` offers.
fn lxml_check(path: &Path, offers: usize) {
    let script = repo_root().join("scripts/yml-check.py");
    let child = Command::new("python3")
        .arg(&script)
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be installed for the lxml check (with `pip install lxml`)");
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    let output = result
        .recv_timeout(Duration::from_secs(300))
        .expect("yml-check.py did not finish within 300 s")
        .expect("yml-check.py ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "yml-check.py {path:?} failed: {stderr}{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with(&format!(": {offers} offers")),
        "{stdout}"
    );
}

/// What the reader gives back for `offer` once written in `flavor`: what the flavor carries,
/// with the writer's documented choices applied.
fn expected(flavor: Flavor, offer: &Offer, warehouse: Option<&str>) -> Offer {
    let mut outlets: Vec<Outlet> = offer
        .outlets
        .iter()
        .map(|o| Outlet {
            id: (flavor == Flavor::Megamarket)
                .then(|| o.id.clone())
                .flatten(),
            warehouse_name: (flavor == Flavor::OzonPriceStock)
                .then(|| o.warehouse_name.clone())
                .flatten(),
            instock: o.instock.max(0),
        })
        .collect();
    if let (true, Some(stock), Some(warehouse)) = (outlets.is_empty(), offer.stock, warehouse) {
        outlets.push(Outlet {
            id: (flavor == Flavor::Megamarket).then(|| warehouse.to_owned()),
            warehouse_name: (flavor == Flavor::OzonPriceStock).then(|| warehouse.to_owned()),
            instock: stock.max(0),
        });
    }
    let outlet_sum = (!outlets.is_empty()).then(|| outlets.iter().map(|o| o.instock).sum());
    match flavor {
        Flavor::OzonPriceStock => Offer {
            id: offer.id.clone(),
            price: offer.price,
            old_price: offer.old_price,
            stock: outlet_sum,
            outlets,
            ..Offer::default()
        },
        Flavor::YandexMarket | Flavor::Megamarket => {
            let mut expected = Offer {
                position: Position::default(),
                ..offer.clone()
            };
            if expected.kind.is_none() && expected.name.is_none() && expected.model.is_some() {
                expected.kind = Some("vendor.model".to_owned());
            }
            expected.pictures = offer
                .pictures
                .iter()
                .map(|p| p.replace('|', "%7C"))
                .collect();
            expected.stock = offer.stock.map(|s| s.max(0));
            if flavor == Flavor::YandexMarket {
                expected.outlets.clear();
            } else {
                expected.stock = expected.stock.or(outlet_sum);
                expected.outlets = outlets;
            }
            expected
        }
    }
}

/// The header as read back: Ozon's feed carries only the date; a missing date becomes now.
fn assert_shop(flavor: Flavor, written: &Shop, read: &Shop) {
    assert!(read.date.is_some(), "a date is always written");
    let date = written.date.clone().or_else(|| read.date.clone());
    let expected = match flavor {
        Flavor::OzonPriceStock => Shop {
            date,
            ..Shop::default()
        },
        _ => Shop {
            date,
            ..written.clone()
        },
    };
    assert_eq!(read, &expected, "{flavor:?} header");
}

/// Writes `offers` in `flavor`, checks the file with lxml, reads it back and compares.
fn round_trip(flavor: Flavor, shop: &Shop, offers: &[Offer], warehouse: Option<&str>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("feed.xml");
    let refused = write_feed(&path, flavor, shop, offers, warehouse);
    assert_eq!(refused, Vec::<String>::new(), "{flavor:?}: refused offers");
    lxml_check(&path, offers.len());
    let (read_shop, read, rejected) = read_feed(&path);
    assert_eq!(
        rejected,
        Vec::new(),
        "{flavor:?}: the reader rejected what we wrote"
    );
    assert_shop(flavor, shop, &read_shop);
    assert_eq!(read.len(), offers.len(), "{flavor:?}");
    for (offer, back) in offers.iter().zip(&read) {
        assert_eq!(
            back,
            &expected(flavor, offer, warehouse),
            "{flavor:?}, offer {}",
            offer.id
        );
    }
}

#[test]
fn sample_offers_round_trip_in_every_flavor() {
    let shop = sample_shop(SAMPLE_CATEGORIES);
    let offers: Vec<Offer> = (0..3000)
        .map(|n| {
            let mut offer = sample_offer(n);
            if n % 7 == 3 {
                offer.outlets.clear();
            }
            offer
        })
        .collect();
    for flavor in FLAVORS {
        round_trip(flavor, &shop, &offers, Some("WH-1"));
    }
    // Without a default warehouse: offers without outlets get none.
    round_trip(Flavor::Megamarket, &shop, &offers[..100], None);
}

#[test]
fn hostile_texts_round_trip_sanitized() {
    let nasty = "x\u{1}\u{b}\u{1f}\u{fffe}y";
    let offer = Offer {
        id: "id \"'<&>\t1".to_owned(),
        group_id: Some("g&amp;1".to_owned()),
        name: Some(format!("A & B <c> \"d\" 'e' &amp; {nasty} Ёж 漢字 🙂")),
        vendor: Some("line\nbreak\rcarriage\ttab".to_owned()),
        url: Some("https://x.example/?a=1&b=<2>".to_owned()),
        description: Some(format!(
            "<p>a]]>b</p><![CDATA[ nested ]]> ]]]]> {nasty}\r\nend"
        )),
        pictures: vec!["https://x.example/a|b.jpg".to_owned()],
        params: vec![Param {
            name: "name \"q\"\t&".to_owned(),
            unit: Some("<unit>".to_owned()),
            value: format!("v{nasty}"),
        }],
        ..Offer::default()
    };
    // Forbidden characters dropped, line breaks as LF.
    let sanitized = |s: &str| {
        s.replace(['\u{1}', '\u{b}', '\u{1f}', '\u{fffe}'], "")
            .replace("\r\n", "\n")
            .replace('\r', "\n")
    };
    let clean = Offer {
        name: offer.name.as_deref().map(sanitized),
        vendor: offer.vendor.as_deref().map(sanitized),
        description: offer.description.as_deref().map(sanitized),
        params: vec![Param {
            value: "vxy".to_owned(),
            ..offer.params[0].clone()
        }],
        ..offer.clone()
    };
    let mut shop = sample_shop(3);
    shop.name = Some(format!("Shop & {nasty}"));
    shop.categories[1].name = "<b>&</b>".to_owned();
    for flavor in [Flavor::YandexMarket, Flavor::Megamarket] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("feed.xml");
        write_feed(&path, flavor, &shop, std::slice::from_ref(&offer), None);
        lxml_check(&path, 1);
        let (read_shop, read, rejected) = read_feed(&path);
        assert_eq!(rejected, Vec::new());
        assert_eq!(read, vec![expected(flavor, &clean, None)], "{flavor:?}");
        assert_eq!(read_shop.name.as_deref(), Some("Shop & xy"));
        assert_eq!(read_shop.categories[1].name, "<b>&</b>");
    }
}

/// Reads a real feed, writes what was read in `flavor`, and checks it reads back the same.
fn real_feed_round_trip(name: &str, flavor: Flavor) -> (usize, Vec<String>) {
    let (shop, offers, _) = read_feed(&feed(name));
    assert!(!offers.is_empty(), "{name}: no offers read");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("feed.xml");
    let refused = write_feed(&path, flavor, &shop, &offers, None);
    let kept: Vec<Offer> = offers
        .into_iter()
        .filter(|o| !refused.contains(&o.id))
        .collect();
    lxml_check(&path, kept.len());
    let (read_shop, read, rejected) = read_feed(&path);
    assert_eq!(
        rejected,
        Vec::new(),
        "{name}: the reader rejected what we wrote"
    );
    assert_shop(flavor, &shop, &read_shop);
    let wanted: Vec<Offer> = kept.iter().map(|o| expected(flavor, o, None)).collect();
    assert_eq!(read.len(), wanted.len(), "{name}");
    for (back, want) in read.iter().zip(&wanted) {
        assert_eq!(back, want, "{name}: offer {}", want.id);
    }
    (kept.len(), refused)
}

#[test]
fn yandex_feeds_round_trip() {
    for city in [
        "Ekaterinburg_feed",
        "Moscow_feed_with_delivery",
        "Saint_Petersburg_feed_vendor_type",
    ] {
        let name = format!("yandex-official-yandex_products_{city}.xml");
        for flavor in [Flavor::YandexMarket, Flavor::Megamarket] {
            let (written, refused) = real_feed_round_trip(&name, flavor);
            assert_eq!((written, refused), (36, Vec::new()), "{name} {flavor:?}");
        }
    }
}

#[test]
fn other_test_feeds_round_trip() {
    let (written, refused) = real_feed_round_trip("ecwid-variants.xml", Flavor::YandexMarket);
    assert_eq!((written, refused), (77, Vec::new()));
    let (written, refused) = real_feed_round_trip("ozon-price-stock.xml", Flavor::OzonPriceStock);
    assert_eq!((written, refused), (838, Vec::new()));
    // Offers the reader keeps but Yandex Market cannot name are refused, the rest round-trip.
    let (_, offers, _) = read_feed(&feed("malformed-supplier.xml"));
    let unnamed: Vec<String> = offers
        .iter()
        .filter(|o| o.name.is_none() && o.model.is_none())
        .map(|o| o.id.clone())
        .collect();
    let (written, refused) = real_feed_round_trip("malformed-supplier.xml", Flavor::YandexMarket);
    assert_eq!(refused, unnamed);
    assert_eq!(written + refused.len(), offers.len());
}
