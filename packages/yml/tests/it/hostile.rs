//! Hostile and broken input, each in its own test: every one ends quickly with a clear error —
//! per offer (the stream goes on) or per feed — and with bounded memory (where the input is
//! large, a generator that counts what the reader pulled shows it never took more than the
//! limit's worth).

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use carpetti_yml::{FeedError, Limits, Position};

use crate::read_feeds::{Outcome, feed_with, read_bytes, read_input};

/// A feed made on the fly: `head`, then `filler` repeated up to `size` bytes, then `tail`. Never
/// held whole; `pulled` counts the bytes the reader took.
struct Generator {
    parts: [Vec<u8>; 3],
    part: usize,
    offset: usize,
    filler_left: u64,
    pulled: Arc<AtomicU64>,
}

impl Generator {
    fn new(head: &str, filler: &str, size: u64, tail: &str) -> (Self, Arc<AtomicU64>) {
        let pulled = Arc::new(AtomicU64::new(0));
        let generator = Self {
            parts: [head.into(), filler.repeat(4096).into_bytes(), tail.into()],
            part: 0,
            offset: 0,
            filler_left: size,
            pulled: Arc::clone(&pulled),
        };
        (generator, pulled)
    }
}

impl Read for Generator {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.part < 3 {
            let part = &self.parts[self.part];
            let mut available = &part[self.offset..];
            if self.part == 1 {
                if self.filler_left == 0 {
                    (self.part, self.offset) = (2, 0);
                    continue;
                }
                let left = usize::try_from(self.filler_left).unwrap_or(usize::MAX);
                available = &available[..available.len().min(left)];
            }
            if available.is_empty() {
                (self.part, self.offset) = (self.part + 1, 0);
                continue;
            }
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            self.offset += n;
            if self.part == 1 {
                self.filler_left -= n as u64;
                self.offset %= part.len();
            }
            self.pulled.fetch_add(n as u64, Ordering::Relaxed);
            return Ok(n);
        }
        Ok(0)
    }
}

fn quickly(started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn billion_laughs_expands_nothing() {
    let mut dtd = String::from("<!DOCTYPE yml_catalog [\n<!ENTITY lol \"lol\">\n");
    for level in 1..=9 {
        let previous = if level == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", level - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{level} \"{}\">\n",
            format!("&{previous};").repeat(10)
        ));
    }
    dtd.push_str("]>\n");
    let xml = feed_with(
        "<offer id=\"1\"><name>&lol9;</name><description>a &lol; b</description></offer>",
    )
    .replacen("<yml_catalog", &format!("{dtd}<yml_catalog"), 1);
    let started = Instant::now();
    let read = read_bytes(xml);
    quickly(started);
    // Undefined entities (for the reader every entity but the five predefined ones) stay literal.
    let offer = &read.offers[0];
    assert_eq!(offer.name.as_deref(), Some("&lol9;"));
    assert_eq!(offer.description.as_deref(), Some("a &lol; b"));
}

#[test]
fn an_external_entity_is_never_resolved() {
    let xml = feed_with(
        "<offer id=\"1\" group_id=\"&xxe;\"><name>&xxe;</name><vendor>&xxe2;</vendor></offer>",
    )
    .replacen(
        "<yml_catalog",
        "<!DOCTYPE yml_catalog [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\
         <!ENTITY xxe2 SYSTEM \"http://127.0.0.1:9/secret\">]>\n<yml_catalog",
        1,
    );
    let read = read_bytes(xml);
    let offer = &read.offers[0];
    assert_eq!(offer.name.as_deref(), Some("&xxe;"));
    assert_eq!(offer.group_id.as_deref(), Some("&xxe;"));
    assert_eq!(offer.vendor.as_deref(), Some("&xxe2;"));
}

#[test]
fn a_100_mb_text_node_fails_fast_with_bounded_memory() {
    let head = "<yml_catalog><shop><offers><offer id=\"1\"><name>A</name></offer>\n<offer id=\"2\"><description>";
    let (generator, pulled) = Generator::new(
        head,
        "абвгд ",
        100 << 20,
        "</description></offer></offers></shop></yml_catalog>",
    );
    let started = Instant::now();
    let read = read_input(generator, Limits::default());
    quickly(started);
    assert_eq!(read.offers.len(), 1);
    match read.error {
        Some(FeedError::TooLarge {
            position, limit, ..
        }) => {
            assert_eq!(limit, 4 << 20);
            // The offending text starts right after <description>.
            assert_eq!(
                position,
                Position {
                    line: 2,
                    column: 28
                }
            );
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // Everything the reader ever held came from these bytes: about the limit, not 100 MB.
    assert!(
        pulled.load(Ordering::Relaxed) < 8 << 20,
        "pulled {}",
        pulled.load(Ordering::Relaxed)
    );
}

#[test]
fn an_offer_larger_than_the_limit_ends_the_feed() {
    let head = "<yml_catalog><shop><offers><offer id=\"big\">";
    let (generator, pulled) = Generator::new(
        head,
        "<param name=\"x\">y</param>",
        100 << 20,
        "</offer></offers></shop></yml_catalog>",
    );
    let limits = Limits {
        max_offer_bytes: 1 << 20,
        ..Limits::default()
    };
    let started = Instant::now();
    let read = read_input(generator, limits);
    quickly(started);
    assert!(
        matches!(read.error, Some(FeedError::TooLarge { limit, what: "an offer", .. }) if limit == 1 << 20)
    );
    assert!(pulled.load(Ordering::Relaxed) < 2 << 20);
}

#[test]
fn invalid_bytes_in_a_windows_1251_feed() {
    // windows-1251 maps every byte to a character (0x98 too, as WHATWG defines it), so what cannot
    // be in a feed are the control characters XML forbids: NUL, 0x01, 0x1A (SUB) here.
    let (mut bytes, _, _) = encoding_rs::WINDOWS_1251.encode(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<yml_catalog><shop><offers>\n\
         <offer id=\"1\"><name>Чайник</name></offer>\n<offer id=\"2\"><name>Ч@йник</name></offer>\n\
         <offer id=\"3\" group_id=\"#\"><name>Утюг</name></offer>\n<offer id=\"4\"><name>Фен</name></offer>\n\
         </offers></shop></yml_catalog>",
    );
    let bytes = bytes.to_mut();
    let at = |bytes: &[u8], c: u8| bytes.iter().position(|&b| b == c).expect("marker");
    let i = at(bytes, b'@');
    bytes[i] = 0x00;
    let i = at(bytes, b'#');
    bytes[i] = 0x1A;
    let read = read_bytes(bytes.clone());
    let ids: Vec<_> = read.offers.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["1", "4"]);
    assert_eq!(read.offers[0].name.as_deref(), Some("Чайник"));
    let reasons: Vec<_> = read
        .rejected
        .iter()
        .map(|r| (r.offer_id.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (Some("2"), "<name> contains the forbidden character '\\0'"),
            (
                Some("3"),
                "attribute group_id of <offer> contains the forbidden character '\\u{1a}'"
            ),
        ]
    );
    assert_eq!(read.rejected[0].position, Position { line: 4, column: 1 });
}

#[test]
fn invalid_bytes_in_a_utf8_feed() {
    let xml = feed_with(
        "<offer id=\"1\"><name>ok</name></offer>\n<offer id=\"2\"><name>bad \u{1} \u{2}</name></offer>\n\
         <offer id=\"3\"><vendor>x</vendor></offer>\n<offer id=\"4\"><name>ok</name></offer>",
    );
    let mut bytes = xml.into_bytes();
    // Offer 2: invalid UTF-8 in its text; offer 3: a truncated two-byte sequence in a tag.
    let i = bytes
        .windows(3)
        .position(|w| w == b"\x01 \x02")
        .expect("marker");
    bytes[i..i + 3].copy_from_slice(b"\xFF\xFE\xFD");
    let i = bytes
        .windows(6)
        .position(|w| w == b"vendor")
        .expect("marker");
    bytes[i + 1] = 0xD0;
    let read = read_bytes(bytes);
    let ids: Vec<_> = read.offers.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["1", "4"]);
    let rejected: Vec<_> = read
        .rejected
        .iter()
        .map(|r| r.offer_id.as_deref())
        .collect();
    assert_eq!(rejected, [Some("2"), Some("3")]);
    assert!(
        read.rejected[0]
            .reason
            .starts_with("bytes that are not valid UTF-8"),
        "{}",
        read.rejected[0].reason
    );
    assert!(
        read.rejected[0].reason.contains("line 6, column 21"),
        "{}",
        read.rejected[0].reason
    );

    // Outside an offer the same ends the feed.
    let read =
        read_bytes(b"<yml_catalog><shop><name>\xFF</name><offers/></shop></yml_catalog>".to_vec());
    assert!(
        matches!(read.error, Some(FeedError::Encoding { .. })),
        "{:?}",
        read.error
    );
}

#[test]
fn a_truncated_file_ends_after_the_complete_offers() {
    let full = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/feeds/real/ozon-price-stock.xml"),
    )
    .expect("test feed present");
    // Cut inside the 101st offer's price, then inside the 101st offer's start tag.
    let offer_starts: Vec<_> = full
        .windows(7)
        .enumerate()
        .filter(|(_, w)| w == b"<offer ")
        .map(|(i, _)| i)
        .collect();
    for cut in [offer_starts[100] + 30, offer_starts[100] + 3] {
        let read = read_input(
            std::io::Cursor::new(full[..cut].to_vec()),
            Limits::default(),
        );
        assert_eq!((read.offers.len(), read.rejected.len()), (100, 0));
        match &read.error {
            Some(error @ FeedError::Truncated { .. }) => {
                assert!(error.to_string().contains("truncated"))
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
    }
}

#[test]
fn price_zero_and_negative_read_fine() {
    let read = read_bytes(feed_with(
        "<offer id=\"zero\"><price>0</price></offer><offer id=\"negative\"><price>-10.50</price>\
         <count>-3</count></offer>",
    ));
    let prices: Vec<_> = read.offers.iter().map(|o| (o.price, o.stock)).collect();
    assert_eq!(
        prices,
        [
            (Some(0.into()), None),
            (Some(rust_decimal::Decimal::new(-1050, 2)), Some(-3))
        ]
    );
    assert_eq!(read.rejected, []);
}

#[test]
fn a_10000_deep_nesting_fails_fast() {
    let deep = "<a>".repeat(10_000);
    for xml in [
        feed_with(&format!(
            "<offer id=\"1\"><name>A</name></offer><offer id=\"2\">{deep}"
        )),
        format!("<yml_catalog><shop>{deep}"),
    ] {
        let started = Instant::now();
        let read = read_bytes(xml);
        quickly(started);
        match read.error {
            Some(FeedError::TooDeep { limit, .. }) => assert_eq!(limit, 64),
            other => panic!("expected TooDeep, got {other:?}"),
        }
    }
}

#[test]
fn a_malformed_offer_is_rejected_and_the_stream_goes_on() {
    let read = read_bytes(feed_with(
        "<offer id=\"1\"><name>ok</name></offer>\
         <offer><name>no id</name></offer>\
         <offer id=\"3\"><price>10</offer>\
         <offer id=\"4\"><name>x</nme><weight>heavy</weight></offer>\
         <offer id=\"5\" available=\"maybe\"><dimensions>1/2</dimensions><count>many</count></offer>\
         <offer id=\"6\"><name>Tom & Jerry</name></offer>",
    ));
    let ids: Vec<_> = read.offers.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["1", "6"]);
    assert_eq!(read.offers[1].name.as_deref(), Some("Tom & Jerry"));
    let reasons: Vec<_> = read
        .rejected
        .iter()
        .map(|r| (r.offer_id.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (None, "the offer has no id attribute"),
            (Some("3"), "<price> is not closed before </offer>"),
            // <weight> sits inside the unclosed <name>: not a field of the offer.
            (
                Some("4"),
                "end tag </nme> matches no open element; <name> is not closed before </offer>"
            ),
            (
                Some("5"),
                "available \"maybe\" is neither true nor false; dimensions \"1/2\" are not \"length/width/height\"; count \"many\" is not a whole number"
            ),
        ]
    );
    let shown = read.rejected[1].to_string();
    assert!(
        shown.starts_with("offer \"3\" at line 5, column 71: <price>"),
        "{shown}"
    );
}

#[test]
fn not_a_yml_feed() {
    for (input, found) in [
        (
            "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
            "the root element is <html>",
        ),
        ("", "no root element"),
        ("just text", "no root element"),
    ] {
        let read = read_bytes(input);
        match read.error {
            Some(FeedError::NotYmlCatalog { found: ref f, .. }) => assert_eq!(f, found),
            ref other => panic!("{input:?}: expected NotYmlCatalog, got {other:?}"),
        }
    }
}

/// Errors name where they happened and, for limits, the limit.
#[test]
fn feed_errors_name_the_position_and_the_limit() {
    let read: Outcome = read_bytes(format!("<yml_catalog>\n<shop>{}", "<a>".repeat(100)));
    let message = read.error.map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        message,
        "elements nested deeper than the limit of 64 at line 2, column 193"
    );
}
