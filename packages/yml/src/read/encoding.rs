//! Which encoding a feed is in, and turning it into UTF-8 while streaming. The byte-order mark
//! decides first, then the XML declaration's `encoding=`; UTF-8 is the default. Anything else
//! (windows-1251 above all; UTF-16; any WHATWG label) is transcoded with `encoding_rs`, chunk by
//! chunk, so the parser only ever sees UTF-8 and positions count decoded characters.

use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::{FeedError, Position};

/// How far into the input the XML declaration is looked for.
const SNIFF_BYTES: usize = 1024;
const CHUNK_BYTES: usize = 64 * 1024;

/// The input, opened: UTF-8 bytes for the parser, the encoding it was in, and a counter of the
/// raw bytes taken from the source (for progress).
pub(crate) struct Opened {
    pub(crate) reader: Box<dyn BufRead + Send>,
    pub(crate) encoding: &'static Encoding,
    pub(crate) raw_bytes: Arc<AtomicU64>,
}

pub(crate) fn open(input: impl Read + Send + 'static) -> Result<Opened, FeedError> {
    let raw_bytes = Arc::new(AtomicU64::new(0));
    let mut source = Counted {
        inner: input,
        counter: Arc::clone(&raw_bytes),
    };
    let prefix = read_prefix(&mut source).map_err(|source| FeedError::Io {
        position: Position { line: 1, column: 1 },
        source,
    })?;
    let encoding = sniff(&prefix)?;
    let chained = Cursor::new(prefix).chain(source);
    let reader: Box<dyn BufRead + Send> = if encoding == UTF_8 {
        Box::new(BufReader::with_capacity(8 * 1024, chained))
    } else {
        Box::new(Transcoder::new(chained, encoding))
    };
    Ok(Opened {
        reader,
        encoding,
        raw_bytes,
    })
}

/// Reads the first bytes (up to the end of the XML declaration, at most [`SNIFF_BYTES`]).
fn read_prefix(source: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut prefix = vec![0; SNIFF_BYTES];
    let mut len = 0;
    while len < SNIFF_BYTES && !prefix[..len].contains(&b'>') {
        match source.read(&mut prefix[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    prefix.truncate(len);
    Ok(prefix)
}

/// The encoding of a feed starting with `prefix`.
fn sniff(prefix: &[u8]) -> Result<&'static Encoding, FeedError> {
    if let Some((encoding, _)) = Encoding::for_bom(prefix) {
        return Ok(encoding);
    }
    // UTF-16 without a byte-order mark still shows "<?" as "<\0?\0" or "\0<\0?".
    if prefix.starts_with(b"<\0?\0") {
        return Ok(UTF_16LE);
    }
    if prefix.starts_with(b"\0<\0?") {
        return Ok(UTF_16BE);
    }
    let Some(label) = declared_encoding(prefix) else {
        return Ok(UTF_8);
    };
    match Encoding::for_label_no_replacement(label.trim_ascii()) {
        // The declaration was readable as ASCII, so the bytes are not UTF-16 whatever it says.
        Some(encoding) if encoding == UTF_16LE || encoding == UTF_16BE => Ok(UTF_8),
        Some(encoding) => Ok(encoding),
        None => Err(FeedError::Encoding {
            position: Position { line: 1, column: 1 },
            message: format!(
                "the XML declaration names an unknown encoding {:?}",
                String::from_utf8_lossy(label)
            ),
        }),
    }
}

/// The `encoding="…"` value of an XML declaration at the start of `prefix`.
fn declared_encoding(prefix: &[u8]) -> Option<&[u8]> {
    let start = prefix.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = prefix[start..].strip_prefix(b"<?xml")?;
    let decl = &decl[..memchr::memmem::find(decl, b"?>")?];
    let at = memchr::memmem::find(decl, b"encoding")?;
    let rest = decl[at + b"encoding".len()..].trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = &rest[1..];
    Some(&value[..memchr::memchr(quote, value)?])
}

/// Counts the raw bytes read from the source.
struct Counted<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A non-UTF-8 source decoded to UTF-8 chunk by chunk.
struct Transcoder<R> {
    inner: R,
    decoder: Decoder,
    raw: Box<[u8]>,
    raw_pos: usize,
    raw_len: usize,
    raw_eof: bool,
    out: Box<[u8]>,
    out_pos: usize,
    out_len: usize,
    done: bool,
}

impl<R: Read> Transcoder<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        Self {
            inner,
            // The byte-order mark (when there is one) is not text.
            decoder: encoding.new_decoder_with_bom_removal(),
            raw: vec![0; CHUNK_BYTES].into_boxed_slice(),
            raw_pos: 0,
            raw_len: 0,
            raw_eof: false,
            // A single-byte encoding takes at most 3 UTF-8 bytes a byte.
            out: vec![0; CHUNK_BYTES * 3].into_boxed_slice(),
            out_pos: 0,
            out_len: 0,
            done: false,
        }
    }
}

impl<R: Read> BufRead for Transcoder<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.out_pos == self.out_len && !self.done {
            if self.raw_pos == self.raw_len && !self.raw_eof {
                let n = loop {
                    match self.inner.read(&mut self.raw) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                };
                self.raw_pos = 0;
                self.raw_len = n;
                self.raw_eof = n == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_pos..self.raw_len],
                &mut self.out,
                self.raw_eof,
            );
            self.raw_pos += read;
            self.out_pos = 0;
            self.out_len = written;
            if self.raw_eof && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
        Ok(&self.out[self.out_pos..self.out_len])
    }

    fn consume(&mut self, amount: usize) {
        self.out_pos = (self.out_pos + amount).min(self.out_len);
    }
}

impl<R: Read> Read for Transcoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_bom_declaration_and_default() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>").expect("test input"),
            UTF_8
        );
        assert_eq!(sniff(b"\xFF\xFE<\0?\0").expect("test input"), UTF_16LE);
        let decl = b"<?xml version=\"1.0\" encoding='Windows-1251' ?><yml_catalog>";
        assert_eq!(sniff(decl).expect("test input").name(), "windows-1251");
        assert_eq!(
            sniff(b"<?xml version=\"1.0\" encoding=\"utf-16\"?>").expect("test input"),
            UTF_8
        );
        assert_eq!(sniff(b"<yml_catalog>").expect("test input"), UTF_8);
        assert!(sniff(b"<?xml version=\"1.0\" encoding=\"klingon\"?>").is_err());
    }

    #[test]
    fn transcodes_windows_1251_across_chunks() {
        let text: Vec<u8> = std::iter::repeat_n(0xEF_u8, CHUNK_BYTES * 2 + 7).collect();
        let mut out = String::new();
        Transcoder::new(&text[..], encoding_rs::WINDOWS_1251)
            .read_to_string(&mut out)
            .expect("test input");
        assert_eq!(out.chars().count(), CHUNK_BYTES * 2 + 7);
        assert!(out.chars().all(|c| c == 'п'));
    }
}
