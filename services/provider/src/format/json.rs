//! JSON supplier feeds: an array of offer objects at the root or at `settings.json_offers_path`
//! ("data.items"), streamed element by element (a serde `DeserializeSeed` walks to the array on
//! a reader thread and hands elements over a bounded channel in batches — a 500 MB document is
//! never one value in memory); or NDJSON, one offer object a line. Keys are matched like CSV
//! headers (the column mapping, case-insensitive); `params` may be `[{"name","value","unit"}]`
//! or `{"name": "value"}`.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use carpetti_yml::{Item, Position, Shop};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::fields::rejected;
use super::json_offer::JsonFields;
use super::text::{self, CountingReader, DecodeReader, ReadPosition};
use super::{FormatError, OfferStream};
use crate::settings::SupplierSettings;

/// The longest NDJSON line accepted.
const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;
/// Elements handed to the consumer at a time, and batches parsed ahead of it.
const BATCH: usize = 64;
const AHEAD: usize = 8;

pub(crate) fn open(
    path: &Path,
    settings: &SupplierSettings,
) -> Result<Box<dyn OfferStream>, FormatError> {
    let sample =
        text::read_sample(path).map_err(|e| FormatError::io("reading the JSON file", e))?;
    let detected = text::detect(&sample, settings.encoding.as_deref())
        .map_err(|e| FormatError::Invalid(format!("JSON: {e}")))?;
    let (head, _) = detected
        .encoding
        .decode_without_bom_handling(&sample[detected.bom_len.min(sample.len())..]);
    let raw = Arc::new(ReadPosition::default());
    let mut file = BufReader::with_capacity(
        1 << 16,
        CountingReader::new(
            File::open(path).map_err(|e| FormatError::io("opening the JSON file", e))?,
            raw.clone(),
        ),
    );
    let mut bom = vec![0; detected.bom_len];
    file.read_exact(&mut bom)
        .map_err(|e| FormatError::io("reading the JSON file", e))?;
    let input: Box<dyn Read + Send> = if detected.encoding == encoding_rs::UTF_8 {
        Box::new(file)
    } else {
        Box::new(DecodeReader::new(file, detected.encoding))
    };
    let fields = JsonFields::new(settings);

    let path_segments = settings
        .json_offers_path
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.split('.').map(str::to_owned).collect::<Vec<_>>());
    let first = head.trim_start().chars().next();
    let segments = match (path_segments, first) {
        (Some(segments), _) => segments,
        (None, Some('[')) => Vec::new(),
        (None, Some('{')) => {
            let first_line = head.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            if matches!(
                serde_json::from_str::<Value>(first_line),
                Ok(Value::Object(_))
            ) {
                return Ok(Box::new(NdjsonStream {
                    reader: BufReader::with_capacity(1 << 16, input),
                    line: 0,
                    buf: Vec::new(),
                    fields,
                    raw,
                    shop: Shop::default(),
                }));
            }
            return Err(FormatError::Invalid(
                "JSON: the root is an object; set json_offers_path to the offers array \
                 (e.g. \"data.items\")"
                    .into(),
            ));
        }
        (None, other) => {
            return Err(FormatError::Invalid(format!(
                "JSON: expected an array of offers or NDJSON, the file starts with {other:?}"
            )));
        }
    };

    let (tx, rx) = sync_channel(AHEAD);
    std::thread::Builder::new()
        .name("json-offers".into())
        .spawn(move || read_document(input, &segments, &tx))
        .map_err(|e| FormatError::io("starting the JSON reader", e))?;
    Ok(Box::new(JsonStream {
        rx,
        ready: Vec::new().into_iter(),
        fields,
        raw,
        done: false,
        shop: Shop::default(),
    }))
}

/// What the reader thread sends.
enum Msg {
    Elements(Vec<(Value, Position)>),
    End,
    Failed(FormatError),
}

/// Set when the consumer went away; the reader stops quietly.
const STOPPED: &str = "carpetti: the consumer stopped";

fn read_document(input: Box<dyn Read + Send>, path: &[String], tx: &SyncSender<Msg>) {
    let lines = LineTracker::default();
    let reader = TrackedReader {
        inner: input,
        lines: lines.clone(),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let batch = RefCell::new(Vec::with_capacity(BATCH));
    let walk = Walk {
        path,
        full: path.join("."),
        tx,
        lines: &lines,
        batch: &batch,
    };
    let outcome = walk.deserialize(&mut de).and_then(|()| de.end());
    // The elements read before the end (or a break) go first.
    let rest = batch.take();
    if !rest.is_empty() && tx.send(Msg::Elements(rest)).is_err() {
        return;
    }
    let msg = match outcome {
        Ok(()) => Msg::End,
        Err(e) if e.to_string().starts_with(STOPPED) => return,
        Err(e) => Msg::Failed(FormatError::Json {
            line: e.line() as u64,
            column: e.column() as u64,
            reason: e.to_string(),
        }),
    };
    let _ = tx.send(msg); // the consumer may be gone; nothing left to tell
}

/// Walks the document down `path` to the offers array and streams its elements.
struct Walk<'a> {
    path: &'a [String],
    full: String,
    tx: &'a SyncSender<Msg>,
    lines: &'a LineTracker,
    /// Elements not yet handed over.
    batch: &'a RefCell<Vec<(Value, Position)>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path.first() {
            None if self.full.is_empty() => f.write_str("an array of offers at the root"),
            None => write!(f, "an array of offers at {:?}", self.full),
            Some(key) => write!(
                f,
                "an object with the key {key:?} (offers path {:?})",
                self.full
            ),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.path.is_empty() {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let element = ElementSeed {
            lines: self.lines,
            batch: self.batch,
        };
        while seq.next_element_seed(&element)?.is_some() {
            if self.batch.borrow().len() >= BATCH {
                let full = self.batch.replace(Vec::with_capacity(BATCH));
                self.tx
                    .send(Msg::Elements(full))
                    .map_err(|_| de::Error::custom(STOPPED))?;
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((key, rest)) = self.path.split_first() else {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        };
        let mut found = false;
        while let Some(k) = map.next_key::<String>()? {
            if !found && k == *key {
                found = true;
                map.next_value_seed(Walk {
                    path: rest,
                    full: self.full.clone(),
                    tx: self.tx,
                    lines: self.lines,
                    batch: self.batch,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !found {
            return Err(de::Error::custom(format!(
                "no key {key:?} on the offers path {:?}",
                self.full
            )));
        }
        Ok(())
    }
}

/// One array element: parsed as a (small) value and sent with where it starts.
struct ElementSeed<'a> {
    lines: &'a LineTracker,
    batch: &'a RefCell<Vec<(Value, Position)>>,
}

impl<'de> DeserializeSeed<'de> for &ElementSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // serde_json has read the element's first byte by now: that is where it starts.
        let (line, column) = self.lines.position();
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        self.batch
            .borrow_mut()
            .push((value, Position { line, column }));
        Ok(())
    }
}

struct JsonStream {
    rx: Receiver<Msg>,
    ready: std::vec::IntoIter<(Value, Position)>,
    fields: JsonFields,
    raw: Arc<ReadPosition>,
    done: bool,
    shop: Shop,
}

impl OfferStream for JsonStream {
    fn next_item(&mut self) -> Result<Option<Item>, FormatError> {
        if let Some((value, at)) = self.ready.next() {
            return Ok(Some(self.fields.offer(&value, at)));
        }
        if self.done {
            return Ok(None);
        }
        match self.rx.recv() {
            Ok(Msg::Elements(batch)) => {
                self.ready = batch.into_iter();
                self.next_item()
            }
            Ok(Msg::End) => {
                self.done = true;
                Ok(None)
            }
            Ok(Msg::Failed(e)) => {
                self.done = true;
                Err(e)
            }
            Err(_) => {
                self.done = true;
                Err(FormatError::Invalid(
                    "JSON: the reader stopped unexpectedly".into(),
                ))
            }
        }
    }

    fn shop(&self) -> &Shop {
        &self.shop
    }

    fn bytes_read(&self) -> u64 {
        self.raw.bytes()
    }
}

struct NdjsonStream {
    reader: BufReader<Box<dyn Read + Send>>,
    line: u64,
    buf: Vec<u8>,
    fields: JsonFields,
    raw: Arc<ReadPosition>,
    shop: Shop,
}

impl OfferStream for NdjsonStream {
    fn next_item(&mut self) -> Result<Option<Item>, FormatError> {
        loop {
            self.buf.clear();
            let n = (&mut self.reader)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| FormatError::io("reading the NDJSON file", e))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if n as u64 > MAX_LINE_BYTES {
                return Err(FormatError::TooLarge {
                    what: "NDJSON line",
                    size: n as u64,
                    limit: MAX_LINE_BYTES,
                });
            }
            let text = self.buf.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let at = Position {
                line: self.line,
                column: 1,
            };
            return Ok(Some(match serde_json::from_slice::<Value>(text) {
                Ok(value) => self.fields.offer(&value, at),
                Err(e) => rejected(
                    None,
                    Position {
                        line: self.line,
                        column: e.column() as u64,
                    },
                    format!("invalid JSON: {e}"),
                ),
            }));
        }
    }

    fn shop(&self) -> &Shop {
        &self.shop
    }

    fn bytes_read(&self) -> u64 {
        self.raw.bytes()
    }
}

/// The line and column serde_json's reader has got to. serde_json reads one byte per call, so
/// the reader keeps a buffer of its own and lines are counted only when asked (once per
/// element) — no per-byte bookkeeping, no atomics: all of it lives on the reader thread.
#[derive(Clone, Default)]
struct LineTracker(Rc<RefCell<Tracked>>);

#[derive(Default)]
struct Tracked {
    buf: Vec<u8>,
    /// Next byte to hand out.
    pos: usize,
    /// Bytes before this in `buf` are counted into `line` / `column`.
    counted: usize,
    /// Newlines counted (the line is one more).
    newlines: u64,
    /// Characters since the last newline counted.
    column: u64,
}

impl Tracked {
    fn count_to(&mut self, end: usize) {
        for &b in &self.buf[self.counted..end] {
            if b == b'\n' {
                self.newlines += 1;
                self.column = 0;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        self.counted = end;
    }
}

impl LineTracker {
    /// (line, column) of the last byte handed out, 1-based.
    fn position(&self) -> (u64, u64) {
        let mut t = self.0.borrow_mut();
        let pos = t.pos;
        t.count_to(pos);
        (t.newlines + 1, t.column)
    }
}

struct TrackedReader {
    inner: Box<dyn Read + Send>,
    lines: LineTracker,
}

impl Read for TrackedReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut t = self.lines.0.borrow_mut();
        if t.pos == t.buf.len() {
            let end = t.buf.len();
            t.count_to(end);
            t.buf.resize(1 << 16, 0);
            let read = self.inner.read(&mut t.buf);
            t.buf.truncate(*read.as_ref().unwrap_or(&0));
            (t.pos, t.counted) = (0, 0);
            read?;
        }
        let n = out.len().min(t.buf.len() - t.pos);
        out[..n].copy_from_slice(&t.buf[t.pos..t.pos + n]);
        t.pos += n;
        Ok(n)
    }
}
