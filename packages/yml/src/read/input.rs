//! The bytes under the XML parser: a window over the (UTF-8) input that quick-xml's slice reader
//! parses in place — no copy per event. An event cut by the window's end is parsed again after a
//! refill, which keeps the unparsed tail and grows the window only for an event longer than it,
//! up to the limit: one text node, tag, comment or DOCTYPE can never take more memory than that.
//! Lines and columns are counted lazily, once per byte, only up to where a position is asked.

use std::cell::Cell;
use std::io::{self, Read};

use crate::Position;

const INITIAL_WINDOW: usize = 256 * 1024;
/// Room for the markup around a text at the limit (`<![CDATA[`, the tag of a long attribute…).
const MARKUP_SLACK: usize = 64 * 1024;

/// Lines are counted up to `buf[cursor]`: `line` (1-based) and `column` (characters after the
/// last newline, 0-based).
#[derive(Debug, Clone, Copy)]
struct Counter {
    cursor: usize,
    line: u64,
    column: u64,
}

pub(crate) struct Window<R> {
    source: R,
    buf: Vec<u8>,
    /// Bytes `buf[..len]` hold input; the parser is at `buf[pos]`; `buf[0]` is at offset `base`.
    len: usize,
    pos: usize,
    base: u64,
    eof: bool,
    max_window: usize,
    counter: Cell<Counter>,
    /// Absolute offset of the last control character XML forbids read so far: text before it
    /// needs no per-field check.
    last_control: Option<u64>,
}

/// Why a refill failed.
pub(crate) enum RefillError {
    /// One event does not fit in the largest window.
    TooLarge,
    Io(io::Error),
}

impl<R: Read> Window<R> {
    pub(crate) fn new(source: R, max_text_bytes: usize) -> Self {
        Self::with_size(source, max_text_bytes, INITIAL_WINDOW)
    }

    /// A window of `initial` bytes to start with (tests use tiny ones to cut events everywhere).
    pub(crate) fn with_size(source: R, max_text_bytes: usize, initial: usize) -> Self {
        let max_window = max_text_bytes.saturating_add(MARKUP_SLACK);
        Self {
            source,
            buf: vec![0; initial.clamp(1, max_window)],
            len: 0,
            pos: 0,
            base: 0,
            eof: false,
            max_window,
            counter: Cell::new(Counter {
                cursor: 0,
                line: 1,
                column: 0,
            }),
            last_control: None,
        }
    }

    /// The input not parsed yet (in the window), and whether the input ends with it.
    pub(crate) fn rest(&self) -> (&[u8], bool) {
        (&self.buf[self.pos..self.len], self.eof)
    }

    /// The parser has consumed `n` more bytes.
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.len);
    }

    /// A view for positions of events in [`Self::rest`]: `mark` and `end` are relative to it.
    pub(crate) fn here(&self, mark: usize, end: usize) -> Here<'_> {
        Here {
            last_control: self.last_control,
            buf: &self.buf[..self.len],
            base: self.base,
            counter: &self.counter,
            mark: self.pos + mark,
            end: self.pos + end,
        }
    }

    /// Bytes parsed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// More input after what is left unparsed (which is kept).
    pub(crate) fn refill(&mut self) -> Result<(), RefillError> {
        // Count the lines of the bytes about to go, then move the unparsed tail to the front.
        let mut counter = self.counter.get();
        advance(&self.buf, &mut counter, self.pos);
        counter.cursor -= self.pos.min(counter.cursor);
        self.counter.set(counter);
        self.buf.copy_within(self.pos..self.len, 0);
        self.len -= self.pos;
        self.base += self.pos as u64;
        self.pos = 0;
        if self.len == self.buf.len() {
            if self.buf.len() >= self.max_window {
                return Err(RefillError::TooLarge);
            }
            let grown = self.buf.len().saturating_mul(2).min(self.max_window);
            self.buf.resize(grown, 0);
        }
        let read_from = self.len;
        while self.len < self.buf.len() {
            match self.source.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(RefillError::Io(e)),
            }
        }
        if let Some(i) = last_control(&self.buf[read_from..self.len]) {
            self.last_control = Some(self.base + (read_from + i) as u64);
        }
        Ok(())
    }
}

/// Positions around one event: where it starts (`mark`) and where the parser is after it (`end`),
/// both indexes into the window.
pub(crate) struct Here<'a> {
    last_control: Option<u64>,
    buf: &'a [u8],
    base: u64,
    counter: &'a Cell<Counter>,
    mark: usize,
    end: usize,
}

impl Here<'_> {
    /// Absolute offset of the event's start.
    pub(crate) fn mark_offset(&self) -> u64 {
        self.base + self.mark as u64
    }

    /// Absolute offset after the event.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.end as u64
    }

    /// Whether the input from `offset` on (as far as it was read) is free of the control
    /// characters XML forbids: then the text taken from it needs no check.
    pub(crate) fn clean_since(&self, offset: u64) -> bool {
        self.last_control.is_none_or(|at| at < offset)
    }

    /// Where the event starts.
    pub(crate) fn mark_position(&self) -> Position {
        self.position_at(self.mark)
    }

    /// Where the parser is after the event.
    pub(crate) fn position(&self) -> Position {
        self.position_at(self.end)
    }

    /// Positions are asked in input order; an earlier one than the last gets the last one.
    fn position_at(&self, index: usize) -> Position {
        let mut counter = self.counter.get();
        advance(self.buf, &mut counter, index);
        self.counter.set(counter);
        Position {
            line: counter.line,
            column: counter.column + 1,
        }
    }
}

fn advance(buf: &[u8], counter: &mut Counter, to: usize) {
    let to = to.min(buf.len());
    if to <= counter.cursor {
        return;
    }
    let bytes = &buf[counter.cursor..to];
    match memchr::memrchr(b'\n', bytes) {
        Some(last) => {
            counter.line += memchr::memchr_iter(b'\n', &bytes[..=last]).count() as u64;
            counter.column = count_chars(&bytes[last + 1..]);
        }
        None => counter.column += count_chars(bytes),
    }
    counter.cursor = to;
}

/// The index of the last control character XML forbids (C0 but tab, LF, CR) in `bytes`.
fn last_control(bytes: &[u8]) -> Option<usize> {
    let bad = |b: u8| {
        u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n') & u8::from(b != b'\r')
    };
    // Whole 64-byte chunks first (the fold vectorizes), then the one that has it.
    const CHUNK: usize = 64;
    let chunk = bytes
        .chunks(CHUNK)
        .rposition(|c| c.iter().fold(0, |seen, &b| seen | bad(b)) != 0)?;
    let start = chunk * CHUNK;
    let within = bytes[start..]
        .iter()
        .take(CHUNK)
        .rposition(|&b| bad(b) != 0)?;
    Some(start + within)
}

/// UTF-8 characters in `bytes`: every byte that is not a continuation byte.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_control_character_is_found() {
        let mut bytes = vec![b'a'; 1000];
        assert_eq!(last_control(&bytes), None);
        bytes[5] = 0x01;
        bytes[700] = b'\n';
        assert_eq!(last_control(&bytes), Some(5));
        bytes[130] = 0x1F;
        assert_eq!(last_control(&bytes), Some(130));
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\nпривет\n\nxyz".as_bytes();
        let mut window = Window::new(text, 1 << 20);
        assert!(window.refill().is_ok());
        let mark = 3;
        let here = window.here(mark, mark + "привет".len() + 2);
        assert_eq!(here.mark_position(), Position { line: 2, column: 1 });
        assert_eq!(here.position(), Position { line: 4, column: 1 });
        window.advance(text.len() - 1);
        assert_eq!(
            window.here(0, 0).position(),
            Position { line: 4, column: 3 }
        );
    }

    #[test]
    fn counting_survives_refills_and_the_tail_is_kept() {
        let mut text = vec![b'\n'; 10];
        text.extend(std::iter::repeat_n(b'x', INITIAL_WINDOW * 2));
        let mut window = Window::new(&text[..], 1 << 20);
        assert!(window.refill().is_ok());
        window.advance(12);
        assert_eq!(
            window.here(0, 0).position(),
            Position {
                line: 11,
                column: 3
            }
        );
        assert!(window.refill().is_ok());
        assert_eq!(window.offset(), 12);
        assert_eq!(window.rest().0.len(), INITIAL_WINDOW);
        window.advance(INITIAL_WINDOW);
        assert!(window.refill().is_ok());
        let end = window.rest().0.len();
        assert!(window.rest().1);
        let here = window.here(0, end);
        assert_eq!(
            here.mark_position(),
            Position {
                line: 11,
                column: INITIAL_WINDOW as u64 + 3
            }
        );
        assert_eq!(
            here.position(),
            Position {
                line: 11,
                column: INITIAL_WINDOW as u64 * 2 + 1
            }
        );
    }

    #[test]
    fn one_event_past_the_limit_fails_the_refill() {
        let text = vec![b'x'; INITIAL_WINDOW * 8];
        let mut window = Window::new(&text[..], INITIAL_WINDOW);
        let mut outcome = Ok(());
        // Nothing is consumed: the window grows until it reaches its largest size.
        for _ in 0..4 {
            outcome = window.refill();
            if outcome.is_err() {
                break;
            }
        }
        assert!(matches!(outcome, Err(RefillError::TooLarge)));
        assert!(window.buf.len() <= INITIAL_WINDOW + MARKUP_SLACK);
    }
}
