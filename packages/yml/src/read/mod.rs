//! The streaming, tolerant YML reader: a pull parser (quick-xml, one reused event buffer) under a
//! small state machine that yields one [`Item`] per `<offer>` — the record, or a rejection with the
//! offer id, line, column and reason — and keeps the `<shop>` header on the side.
//!
//! Safety: no DTD is processed and no entity is expanded except the five predefined ones and
//! numeric character references (a DOCTYPE naming `shops.dtd` is skipped, never fetched; an
//! undefined entity such as `&xxe;` stays in the text literally). Limits on nesting depth, on
//! one text node / tag, and on one offer make a hostile file fail fast with bounded memory.

mod document;
mod encoding;
mod header;
mod input;
mod offer;
mod stack;
mod text;

use std::io::{BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::Event;

use crate::{FeedError, Offer, OfferError, Position, Shop};
use document::{Document, Step};
use input::{RefillError, Window};

/// How much of a hostile file the reader accepts before it gives up with a [`FeedError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Elements nested at most this deep (default 64).
    pub max_depth: usize,
    /// One text node, CDATA section, tag, comment or DOCTYPE at most this many bytes; also one
    /// element's whole text (default 4 MiB).
    pub max_text_bytes: usize,
    /// One `<offer>` at most this many bytes (default 16 MiB).
    pub max_offer_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_text_bytes: 4 << 20,
            max_offer_bytes: 16 << 20,
        }
    }
}

/// What the reader yields for one `<offer>`.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "boxing would cost an allocation per offer"
)]
pub enum Item {
    Offer(Offer),
    Rejected(OfferError),
}

/// Reads a YML feed offer by offer. See the module documentation.
pub struct YmlReader<R> {
    window: Window<R>,
    document: Document,
    /// Raw bytes taken from the source (set when the reader opened the source itself).
    raw_bytes: Option<Arc<AtomicU64>>,
}

impl YmlReader<Box<dyn BufRead + Send>> {
    /// Sniffs the encoding (BOM, then the XML declaration's `encoding=`; UTF-8 default;
    /// windows-1251 and other encodings transcoded to UTF-8 while streaming) and starts reading.
    pub fn from_read(input: impl Read + Send + 'static, limits: Limits) -> Result<Self, FeedError> {
        let opened = encoding::open(input)?;
        let mut reader = Self::new(opened.reader, limits);
        reader.raw_bytes = Some(opened.raw_bytes);
        reader.document.encoding = opened.encoding.name();
        Ok(reader)
    }
}

/// How one run of the parser over the window ended.
enum Outcome {
    /// An event reached the end of the window: read more, parse again from its start.
    Refill(usize),
    /// An item is ready (in the document) after `usize` bytes.
    Ready(usize),
    /// Go on after `usize` bytes (with a fresh parser: the last one stopped on an error).
    Resume(usize),
    Fail(FeedError),
}

impl<R: BufRead> YmlReader<R> {
    /// Reads UTF-8 input as is (no encoding sniffing; [`YmlReader::from_read`] does that).
    pub fn new(input: R, limits: Limits) -> Self {
        Self {
            window: Window::new(input, limits.max_text_bytes),
            document: Document::new(limits),
            raw_bytes: None,
        }
    }

    /// The next offer (or rejected offer); `None` at the end of the catalog.
    pub fn next_item(&mut self) -> Result<Option<Item>, FeedError> {
        loop {
            if self.document.finished() {
                return Ok(None);
            }
            match self.parse() {
                Outcome::Ready(end) => {
                    self.window.advance(end);
                    return Ok(self.document.ready.take());
                }
                Outcome::Resume(end) => self.window.advance(end),
                Outcome::Refill(start) => {
                    self.window.advance(start);
                    if let Err(error) = self.window.refill() {
                        self.document.fail();
                        let position = self.window.here(0, 0).position();
                        return Err(match error {
                            RefillError::Io(source) => FeedError::Io { position, source },
                            RefillError::TooLarge => FeedError::TooLarge {
                                position,
                                what: "one text node, CDATA section, tag, comment or DOCTYPE",
                                limit: self.document.limits().max_text_bytes,
                            },
                        });
                    }
                }
                Outcome::Fail(error) => {
                    self.document.fail();
                    return Err(error);
                }
            }
        }
    }

    /// Runs a fresh parser over the unparsed part of the window until something happens.
    fn parse(&mut self) -> Outcome {
        let (rest, eof) = self.window.rest();
        // quick-xml skips a byte-order mark at the start without counting it: skip it here.
        if rest.starts_with(b"\xEF\xBB\xBF") {
            return Outcome::Resume(3);
        }
        let mut xml = quick_xml::Reader::from_reader(rest);
        configure(xml.config_mut());
        let mut skipping_whitespace = false;
        loop {
            // Whitespace between elements whose text nobody collects is skipped inside quick-xml
            // (no event at all: half the events of an indented feed); collected text is exact.
            if skipping_whitespace == self.document.collecting() {
                skipping_whitespace = !skipping_whitespace;
                xml.config_mut().trim_text_start = skipping_whitespace;
            }
            let mut start = xml.buffer_position() as usize;
            let event = xml.read_event();
            let end = xml.buffer_position() as usize;
            if skipping_whitespace {
                // The event starts after the whitespace quick-xml skipped.
                let skipped = rest[start..end]
                    .iter()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
                start += skipped.count();
            }
            if !eof && cut_by_window_end(&event, start, end, rest.len()) {
                return Outcome::Refill(start);
            }
            let here = self.window.here(start, end);
            let step = match event {
                Ok(event) => self.document.on_event(event, &here),
                Err(error) => self.document.on_error(error, &here),
            };
            match step {
                Ok(Step::Continue) if self.document.finished() => return Outcome::Resume(end),
                Ok(Step::Continue) => {}
                Ok(Step::Ready) => return Outcome::Ready(end),
                // Never stand still (quick-xml may stop on an error before consuming anything).
                Ok(Step::Rebuild) => return Outcome::Resume(end.max(start + 1)),
                Err(error) => return Outcome::Fail(error),
            }
        }
    }

    /// The header read so far (categories and currencies usually precede the offers).
    pub fn shop(&self) -> &Shop {
        &self.document.shop
    }

    /// The complete header, after the last item.
    pub fn into_shop(self) -> Shop {
        self.document.shop
    }

    /// Where the reader is in the (decoded) input.
    pub fn position(&self) -> Position {
        self.window.here(0, 0).position()
    }

    /// Bytes taken from the input so far: raw bytes of the source when the reader opened it with
    /// [`YmlReader::from_read`] (they run up to a window ahead of [`Self::position`]), otherwise
    /// UTF-8 bytes parsed.
    pub fn bytes_read(&self) -> u64 {
        match &self.raw_bytes {
            Some(counter) => counter.load(Ordering::Relaxed),
            None => self.window.offset(),
        }
    }
}

impl<R: BufRead> Iterator for YmlReader<R> {
    type Item = Result<Item, FeedError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

/// Whether an event may be incomplete because the window ends (it is then parsed again after a
/// refill): it reaches the end, or quick-xml reports markup unclosed at the end of its input (an
/// unterminated `<` does not even advance its position), or `<!` too close to the end to tell a
/// comment from CDATA or a DOCTYPE.
fn cut_by_window_end(
    event: &quick_xml::Result<Event<'_>>,
    start: usize,
    end: usize,
    len: usize,
) -> bool {
    end >= len
        || match event {
            Err(XmlError::Syntax(SyntaxError::InvalidBangMarkup)) => start + 3 > len,
            Err(XmlError::Syntax(_)) => true,
            _ => false,
        }
}

fn configure(config: &mut quick_xml::reader::Config) {
    // The document keeps its own element stack: it recovers from a mismatch inside an offer.
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    // "Tom & Jerry" is a common supplier mistake: the lone '&' stays text.
    config.allow_dangling_amp = true;
    config.check_comments = false;
    config.expand_empty_elements = false;
    config.trim_text(false);
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn read_all<R: BufRead>(mut reader: YmlReader<R>) -> (Vec<Item>, Option<String>, Shop) {
        let mut items = Vec::new();
        let error = loop {
            match reader.next_item() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break None,
                Err(error) => break Some(error.to_string()),
            }
        };
        (items, error, reader.into_shop())
    }

    /// Inputs whose events land on every kind of window boundary: the real feeds and a synthetic
    /// one with CDATA, references, comments, a DOCTYPE, a BOM, invalid bytes and broken offers.
    fn inputs() -> Vec<Vec<u8>> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/feeds/real");
        let mut inputs: Vec<Vec<u8>> = [
            "ecwid-variants.xml",
            "malformed-supplier.xml",
            "ozon-price-stock.xml",
        ]
        .iter()
        .map(|name| std::fs::read(dir.join(name)).expect("test feed present"))
        .collect();
        let mut synthetic = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!DOCTYPE yml_catalog [<!ENTITY x \"y\">]>\n\
            <yml_catalog date=\"2026\"><shop><name>Shop &amp; Co</name><!-- comment > with > --><offers>\n"
            .to_vec();
        for n in 0..40 {
            synthetic.extend(
                format!(
                    "<offer id=\"{n}\"><name>Имя &#1076;&#x434; &lt;{n}&gt; &x; & </name>\
                     <description><![CDATA[<p>Описание ]] > {n}</p>]]></description><!---->\
                     <price>{n}.5</price><param name=\"a&quot;b\" unit=\"г\">{n}</param><?pi x?></offer>\n"
                )
                .as_bytes(),
            );
        }
        synthetic.extend(
            b"<offer id=\"bad\"><name>\xFF</name></offer><offer id=\"open\"><price>1</offer>\n",
        );
        synthetic
            .extend(b"<offer id=\"last\"><name>x</name></offer></offers></shop></yml_catalog>\n");
        inputs.push(synthetic);
        inputs
    }

    #[test]
    fn window_boundaries_change_nothing() {
        for input in inputs() {
            let expected = read_all(YmlReader::new(&input[..], Limits::default()));
            assert!(
                expected.0.len() > 40 && expected.1.is_none(),
                "{:?}",
                expected.1
            );
            for size in [
                1, 2, 3, 5, 7, 16, 31, 64, 97, 128, 200, 331, 512, 1000, 4096,
            ] {
                let mut reader = YmlReader::new(&input[..], Limits::default());
                reader.window =
                    Window::with_size(&input[..], Limits::default().max_text_bytes, size);
                assert_eq!(read_all(reader), expected, "window of {size} bytes");
            }
        }
    }
}
