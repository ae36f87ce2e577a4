//! Text plumbing shared by the text formats (CSV, JSON): encoding detection (BOM; else valid
//! UTF-8; else windows-1251; or the supplier's configured encoding), a streaming transcoder to
//! UTF-8, CSV line ends made uniform, and a reader that counts the bytes it hands out.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_8, WINDOWS_1251};

/// How much of a file encoding (and delimiter / format) detection looks at.
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;

/// The encoding of a text file and the BOM bytes to skip.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Detected {
    pub encoding: &'static Encoding,
    pub bom_len: usize,
    /// Chosen by the supplier's settings or a BOM (not guessed): invalid input is then an error
    /// rather than a reason to fall back to windows-1251.
    pub certain: bool,
}

impl Detected {
    /// Whether the bytes after the BOM are ASCII-compatible (the CSV parser may split them
    /// before decoding); UTF-16 is not and is transcoded first.
    pub fn ascii_compatible(&self) -> bool {
        self.encoding.is_ascii_compatible()
    }
}

/// Detects the encoding from the first bytes of a file: a BOM wins, then `configured`
/// (a WHATWG label: "utf-8", "windows-1251", "cp1251"…), then valid UTF-8, else windows-1251.
pub(crate) fn detect(sample: &[u8], configured: Option<&str>) -> Result<Detected, String> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(sample) {
        return Ok(Detected {
            encoding,
            bom_len,
            certain: true,
        });
    }
    if let Some(label) = configured.map(str::trim).filter(|l| !l.is_empty()) {
        let encoding = Encoding::for_label(label.as_bytes())
            .ok_or_else(|| format!("unknown encoding {label:?} in the supplier's settings"))?;
        return Ok(Detected {
            encoding,
            bom_len: 0,
            certain: true,
        });
    }
    let encoding = if is_utf8_prefix(sample) {
        UTF_8
    } else {
        WINDOWS_1251
    };
    Ok(Detected {
        encoding,
        bom_len: 0,
        certain: false,
    })
}

/// Valid UTF-8, allowing a sequence cut at the end of the sample.
pub(crate) fn is_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// Reads up to [`SAMPLE_BYTES`] from the start of a file.
pub(crate) fn read_sample(path: &std::path::Path) -> io::Result<Vec<u8>> {
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    std::fs::File::open(path)?
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)?;
    Ok(sample)
}

/// Transcodes a byte stream in any encoding to UTF-8 as it is read (malformed input becomes
/// U+FFFD). The BOM, if any, must already be skipped.
pub(crate) struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    out: Vec<u8>,
    out_pos: usize,
}

impl<R: Read> DecodeReader<R> {
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        Self {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 1 << 16].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            done: false,
            out: Vec::with_capacity(3 << 16),
            out_pos: 0,
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
                self.eof = self.end == 0;
            }
            self.out.clear();
            self.out.resize(self.out.capacity().max(64), 0);
            self.out_pos = 0;
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.out,
                self.eof,
            );
            self.start += read;
            self.out.truncate(written);
            if self.eof && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
    }
}

/// Turns `\r\n` and lone `\r` into `\n` and ends the text with a `\n`, so a CSV parser's line
/// count is exact: every record ends with one `\n`, blank lines included. Works on
/// ASCII-compatible bytes (UTF-8 after a [`DecodeReader`]).
pub(crate) struct LineEndings<R> {
    inner: R,
    buf: Box<[u8]>,
    after_cr: bool,
    last: Option<u8>,
    eof: bool,
}

impl<R: Read> LineEndings<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 1 << 16].into_boxed_slice(),
            after_cr: false,
            last: None,
            eof: false,
        }
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.eof || out.is_empty() {
                return Ok(0);
            }
            let want = out.len().min(self.buf.len());
            let n = self.inner.read(&mut self.buf[..want])?;
            if n == 0 {
                self.eof = true;
                // A final record without a line end gets one.
                if self.last.is_some_and(|b| b != b'\n') {
                    out[0] = b'\n';
                    self.last = Some(b'\n');
                    return Ok(1);
                }
                return Ok(0);
            }
            let mut written = 0;
            for &b in &self.buf[..n] {
                let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
                let b = match b {
                    b'\n' if after_cr => continue, // the \n of a \r\n: already written
                    b'\r' => b'\n',
                    other => other,
                };
                out[written] = b;
                written += 1;
            }
            if written > 0 {
                self.last = Some(out[written - 1]);
                return Ok(written);
            }
        }
    }
}

/// How many bytes a [`CountingReader`] has handed out (shared with whoever reports progress).
#[derive(Debug, Default)]
pub(crate) struct ReadPosition {
    bytes: AtomicU64,
}

impl ReadPosition {
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// Counts the bytes that pass through it into a shared [`ReadPosition`].
pub(crate) struct CountingReader<R> {
    inner: R,
    position: Arc<ReadPosition>,
}

impl<R> CountingReader<R> {
    pub fn new(inner: R, position: Arc<ReadPosition>) -> Self {
        Self { inner, position }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_prefers_bom_then_settings_then_utf8() {
        let d = detect(b"\xEF\xBB\xBFid;name", Some("windows-1251")).expect("bom");
        assert_eq!((d.encoding, d.bom_len), (UTF_8, 3));
        let d = detect(b"\xFF\xFEi\0d\0", None).expect("utf-16");
        assert_eq!(d.encoding, encoding_rs::UTF_16LE);
        assert!(!d.ascii_compatible());
        assert_eq!(
            detect("цена".as_bytes(), None).expect("utf8").encoding,
            UTF_8
        );
        assert_eq!(
            detect(b"\xf6\xe5\xed\xe0", None).expect("1251").encoding,
            WINDOWS_1251
        );
        // A multi-byte character cut by the end of the sample is still UTF-8.
        assert_eq!(
            detect(&"ц".as_bytes()[..1], None).expect("cut").encoding,
            UTF_8
        );
        assert!(detect(b"x", Some("klingon")).is_err());
    }

    #[test]
    fn transcodes_in_small_reads() {
        let text = "Цена;Мощность, Вт\n".repeat(5000);
        let (bytes, _, _) = WINDOWS_1251.encode(&text);
        // 7-byte reads split two-byte characters between calls; the bytes still add up.
        let mut reader = DecodeReader::new(&bytes[..], WINDOWS_1251);
        let mut all = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = reader.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        assert_eq!(
            String::from_utf8(all).expect("utf8"),
            "Цена;Мощность, Вт\n".repeat(5000)
        );
    }

    #[test]
    fn line_endings_become_one_newline_and_the_text_ends_with_one() {
        let cases: [(&[u8], &[u8]); 5] = [
            (b"a;b\r\n1;2\r\n", b"a;b\n1;2\n"),
            (b"a\rb\r\rc", b"a\nb\n\nc\n"),
            (b"x\n", b"x\n"),
            (b"", b""),
            (b"\"multi\r\nline\";1", b"\"multi\nline\";1\n"),
        ];
        for (input, expected) in cases {
            // 1-byte reads: a \r\n split between reads is still one line end.
            let mut reader = LineEndings::new(io::BufReader::with_capacity(1, input));
            let mut out = Vec::new();
            let mut byte = [0u8; 1];
            while reader.read(&mut byte).expect("read") == 1 {
                out.push(byte[0]);
            }
            assert_eq!(
                out,
                expected.to_vec(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
}
