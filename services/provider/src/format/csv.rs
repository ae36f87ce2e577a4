//! CSV supplier feeds, streamed record by record: the encoding detected (BOM; valid UTF-8; else
//! windows-1251; or `settings.encoding`), the delimiter detected from the header line among
//! `;` `,` tab `|` (or `settings.delimiter`), the header mapped by the column mapping. A row with
//! a bad value, no id or the wrong number of fields is a rejected item; the stream goes on.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use carpetti_yml::{Item, Position, Shop};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1251};

use super::fields::{Columns, rejected};
use super::text::{self, CountingReader, DecodeReader, Detected, LineEndings, ReadPosition};
use super::{FormatError, OfferStream};
use crate::settings::SupplierSettings;

/// Delimiters tried on the header line, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

pub(crate) struct CsvStream {
    reader: csv::Reader<Box<dyn Read + Send>>,
    columns: Columns,
    /// The encoding of the fields (UTF-8 once a non-ASCII-compatible input is transcoded).
    encoding: &'static Encoding,
    /// Whether the encoding was guessed (a UTF-8 guess may fall back to windows-1251 per row).
    guessed: bool,
    record: csv::ByteRecord,
    position: Arc<ReadPosition>,
    shop: Shop,
}

pub(crate) fn open(path: &Path, settings: &SupplierSettings) -> Result<CsvStream, FormatError> {
    let sample = text::read_sample(path).map_err(|e| FormatError::io("reading the CSV file", e))?;
    let detected = text::detect(&sample, settings.encoding.as_deref())
        .map_err(|e| FormatError::Invalid(format!("CSV: {e}")))?;
    let delimiter = match settings.delimiter {
        Some(c) if c.is_ascii() => c as u8,
        Some(c) => {
            return Err(FormatError::Invalid(format!(
                "CSV: the delimiter must be one ASCII character, not {c:?}"
            )));
        }
        None => detect_delimiter(&header_line(&sample, &detected)),
    };

    let position = Arc::new(ReadPosition::default());
    let mut file = BufReader::with_capacity(
        1 << 16,
        CountingReader::new(
            File::open(path).map_err(|e| FormatError::io("opening the CSV file", e))?,
            position.clone(),
        ),
    );
    let mut bom = vec![0; detected.bom_len];
    file.read_exact(&mut bom)
        .map_err(|e| FormatError::io("reading the CSV file", e))?;
    let (input, encoding): (Box<dyn Read + Send>, _) = if detected.ascii_compatible() {
        (Box::new(LineEndings::new(file)), detected.encoding)
    } else {
        let utf8 = DecodeReader::new(file, detected.encoding);
        (Box::new(LineEndings::new(utf8)), UTF_8)
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);

    let mut record = csv::ByteRecord::new();
    let header = loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(FormatError::csv)?;
        if !more {
            return Err(FormatError::Invalid(
                "CSV: the file has no header row".into(),
            ));
        }
        if record.iter().any(|f| !f.trim_ascii().is_empty()) {
            break decode_record(&record, encoding, !detected.certain)
                .ok_or_else(|| FormatError::Invalid("CSV: the header is not valid text".into()))?;
        }
    };
    let columns = Columns::from_header(&header, &settings.columns)
        .map_err(|e| FormatError::Invalid(format!("CSV: {e}")))?;
    Ok(CsvStream {
        reader,
        columns,
        encoding,
        guessed: !detected.certain,
        record,
        position,
        shop: Shop::default(),
    })
}

impl CsvStream {
    /// The line the record just read starts on. The reader's own record position points before
    /// any blank lines it skipped, so count back from where the record ended instead: with
    /// [`LineEndings`] every record ends with exactly one `\n`.
    fn record_line(&self) -> u64 {
        let end = self.reader.position().line();
        let inside: usize = self
            .record
            .iter()
            .map(|f| f.iter().filter(|b| **b == b'\n').count())
            .sum();
        end.saturating_sub(1 + inside as u64).max(1)
    }
}

impl OfferStream for CsvStream {
    fn next_item(&mut self) -> Result<Option<Item>, FormatError> {
        loop {
            let more = match self.reader.read_byte_record(&mut self.record) {
                Ok(more) => more,
                // Only broken input (not text) lands here with the flexible reader.
                Err(e) => return Err(FormatError::csv(e)),
            };
            if !more {
                return Ok(None);
            }
            if self.record.iter().all(|f| f.trim_ascii().is_empty()) {
                continue; // a blank row (";;;;") is no offer
            }
            let at = Position {
                line: self.record_line(),
                column: 0,
            };
            let Some(cells) = decode_record(&self.record, self.encoding, self.guessed) else {
                return Ok(Some(rejected(
                    None,
                    at,
                    format!("the row is not valid {} text", self.encoding.name()),
                )));
            };
            let expected = self.columns.len();
            let extra_filled = cells.iter().skip(expected).any(|c| !c.trim().is_empty());
            if cells.len() < expected || extra_filled {
                let id = self.columns.offer(&cells, at);
                let offer_id = match id {
                    Item::Offer(o) => Some(o.id),
                    Item::Rejected(r) => r.offer_id,
                };
                return Ok(Some(rejected(
                    offer_id,
                    at,
                    format!("the row has {} fields, the header {expected}", cells.len()),
                )));
            }
            return Ok(Some(self.columns.offer(&cells, at)));
        }
    }

    fn shop(&self) -> &Shop {
        &self.shop
    }

    fn bytes_read(&self) -> u64 {
        self.position.bytes()
    }
}

/// The fields of a record as text. A guessed UTF-8 falls back to windows-1251 for a row that is
/// not UTF-8; a known encoding decodes as is (UTF-8 that is not valid → `None`).
fn decode_record(
    record: &csv::ByteRecord,
    encoding: &'static Encoding,
    guessed: bool,
) -> Option<Vec<String>> {
    if encoding == UTF_8 {
        let utf8: Option<Vec<String>> = record
            .iter()
            .map(|f| std::str::from_utf8(f).ok().map(str::to_owned))
            .collect();
        return match utf8 {
            Some(fields) => Some(fields),
            None if guessed => decode_record(record, WINDOWS_1251, false),
            None => None,
        };
    }
    Some(
        record
            .iter()
            .map(|f| encoding.decode_without_bom_handling(f).0.into_owned())
            .collect(),
    )
}

/// The first non-blank line of the sample, decoded.
fn header_line(sample: &[u8], detected: &Detected) -> String {
    let body = &sample[detected.bom_len.min(sample.len())..];
    let (decoded, _) = detected.encoding.decode_without_bom_handling(body);
    decoded
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// The candidate that occurs most often outside quotes in the header line (`,` when none).
fn detect_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
            counts[i] += 1;
        }
    }
    let best = (0..DELIMITERS.len())
        .rev()
        .max_by_key(|&i| counts[i])
        .unwrap_or(1);
    if counts[best] == 0 {
        b','
    } else {
        DELIMITERS[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_their_own_line_through_crlf_blank_lines_and_multi_line_fields() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("lines.csv");
        let text = "id,description\r\n1,\"two\r\nlines\"\r\n\r\n\r\n2,plain\r\n3,last";
        std::fs::write(&path, text).expect("write");
        let mut stream = open(&path, &SupplierSettings::default()).expect("open");
        let mut seen = Vec::new();
        while let Some(item) = stream.next_item().expect("read") {
            let Item::Offer(offer) = item else {
                panic!("an offer: {item:?}");
            };
            seen.push((offer.id, offer.position.line, offer.description));
        }
        assert_eq!(
            seen,
            vec![
                ("1".into(), 2, Some("two\nlines".into())),
                ("2".into(), 6, Some("plain".into())),
                ("3".into(), 7, Some("last".into())),
            ]
        );
        assert_eq!(stream.bytes_read(), text.len() as u64);
    }

    #[test]
    fn delimiter_from_the_header_line() {
        assert_eq!(detect_delimiter("id;name;\"price, RUB\""), b';');
        assert_eq!(detect_delimiter("id,name,\"a;b;c;d\""), b',');
        assert_eq!(detect_delimiter("id\tname\tprice"), b'\t');
        assert_eq!(detect_delimiter("id|name"), b'|');
        assert_eq!(detect_delimiter("id;name,price"), b';', "a tie goes to ;");
        assert_eq!(detect_delimiter("id"), b',');
    }
}
