//! Supplier feed formats: each turns a complete local file into a stream of
//! [`carpetti_yml::Item`]s — an [`carpetti_yml::Offer`] or a per-offer rejection — behind one
//! [`OfferStream`] trait, so normalization sees one shape whatever the supplier sends.
//!
//! - YML / XML: package_yml's streaming reader ([`yml`]).
//! - CSV: encoding and delimiter detection, the column mapping ([`csv`]).
//! - XLSX / XLS: calamine, the first or configured sheet ([`xlsx`]).
//! - JSON: an array (at the root or a path) streamed element by element, or NDJSON ([`json`]).

mod csv;
mod fields;
mod json;
mod json_offer;
mod text;
mod xlsx;
mod yml;

use std::io;
use std::path::Path;
use std::str::FromStr;

use carpetti_proto::catalog::v1::FeedFormat;
use carpetti_yml::{Item, Shop};

use crate::settings::SupplierSettings;

pub use xlsx::MAX_XLSX_BYTES;

/// A feed read as a stream of offers, the same for every format.
pub trait OfferStream: Send {
    /// The next offer or rejected record; `Ok(None)` at the end. An `Err` ends the stream (the
    /// feed as a whole is broken); a bad record is an `Item::Rejected` and the stream goes on.
    fn next_item(&mut self) -> Result<Option<Item>, FormatError>;
    /// The YML `<shop>` header (as far as read); empty for the other formats.
    fn shop(&self) -> &Shop;
    /// Bytes of the file consumed so far (for progress).
    fn bytes_read(&self) -> u64;
}

/// A supplier feed format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Yml,
    Xml,
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yml => "yml",
            Format::Xml => "xml",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
        }
    }

    /// From the proto enum's number; `None` for unspecified or unknown values.
    pub fn from_proto(value: i32) -> Option<Self> {
        FeedFormat::try_from(value)
            .ok()
            .and_then(|f| Self::try_from(f).ok())
    }

    /// From a file name's extension (`.gz` looked through): `catalog.csv.gz` → CSV.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.trim().to_ascii_lowercase();
        let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
        let (_, ext) = lower.rsplit_once('.')?;
        match ext {
            "yml" => Some(Format::Yml),
            "xml" => Some(Format::Xml),
            "csv" | "tsv" => Some(Format::Csv),
            "xlsx" | "xlsm" | "xls" => Some(Format::Xlsx),
            "json" | "ndjson" | "jsonl" => Some(Format::Json),
            _ => None,
        }
    }

    /// From the first bytes of a (decompressed) file; `None` when they say nothing clear.
    pub fn sniff(path: &Path) -> io::Result<Option<Self>> {
        let sample = text::read_sample(path)?;
        if sample.starts_with(b"PK\x03\x04") || sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Ok(Some(Format::Xlsx));
        }
        let Ok(detected) = text::detect(&sample, None) else {
            return Ok(None);
        };
        let (head, _) = detected
            .encoding
            .decode_without_bom_handling(&sample[detected.bom_len.min(sample.len())..]);
        if head.contains('\0') {
            return Ok(None);
        }
        Ok(match head.trim_start().chars().next() {
            Some('<') if head.contains("<yml_catalog") => Some(Format::Yml),
            Some('<') => Some(Format::Xml),
            Some('[' | '{') => Some(Format::Json),
            Some(_) => Some(Format::Csv),
            None => None,
        })
    }

    /// The format of a feed file: its name's extension, else its content.
    pub fn detect(file_name: Option<&str>, path: &Path) -> Result<Self, FormatError> {
        if let Some(format) = file_name.and_then(Self::from_file_name) {
            return Ok(format);
        }
        Self::sniff(path)
            .map_err(|e| FormatError::io("reading the feed", e))?
            .ok_or_else(|| {
                FormatError::Invalid(
                    "cannot tell the feed's format from its name or content; name it \
                     (yml, xml, csv, xlsx, json)"
                        .into(),
                )
            })
    }
}

impl FromStr for Format {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yml" => Ok(Format::Yml),
            "xml" => Ok(Format::Xml),
            "csv" | "tsv" => Ok(Format::Csv),
            "xlsx" | "xls" => Ok(Format::Xlsx),
            "json" | "ndjson" | "jsonl" => Ok(Format::Json),
            other => Err(FormatError::Invalid(format!(
                "unknown feed format {other:?} (yml, xml, csv, xlsx, json)"
            ))),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<FeedFormat> for Format {
    type Error = FormatError;

    fn try_from(value: FeedFormat) -> Result<Self, Self::Error> {
        match value {
            FeedFormat::Yml => Ok(Format::Yml),
            FeedFormat::Xml => Ok(Format::Xml),
            FeedFormat::Csv => Ok(Format::Csv),
            FeedFormat::Xlsx => Ok(Format::Xlsx),
            FeedFormat::Json => Ok(Format::Json),
            FeedFormat::Unspecified => Err(FormatError::Invalid("feed format not set".into())),
        }
    }
}

impl From<Format> for FeedFormat {
    fn from(value: Format) -> Self {
        match value {
            Format::Yml => FeedFormat::Yml,
            Format::Xml => FeedFormat::Xml,
            Format::Csv => FeedFormat::Csv,
            Format::Xlsx => FeedFormat::Xlsx,
            Format::Json => FeedFormat::Json,
        }
    }
}

/// Opens a complete local feed file as a stream of offers.
pub fn open(
    path: &Path,
    format: Format,
    settings: &SupplierSettings,
) -> Result<Box<dyn OfferStream>, FormatError> {
    Ok(match format {
        Format::Yml | Format::Xml => Box::new(yml::open(path)?),
        Format::Csv => Box::new(csv::open(path, settings)?),
        Format::Xlsx => Box::new(xlsx::open(path, settings)?),
        Format::Json => json::open(path, settings)?,
    })
}

/// Why a feed cannot be read at all (a bad record is an `Item::Rejected` instead).
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error(transparent)]
    Feed(#[from] carpetti_yml::FeedError),
    #[error("CSV{}: {error}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Csv {
        line: Option<u64>,
        #[source]
        error: ::csv::Error,
    },
    #[error("XLSX: {0}")]
    Xlsx(#[from] calamine::Error),
    /// Broken JSON (`reason` names the line and column too).
    #[error("JSON: {reason}")]
    Json {
        line: u64,
        column: u64,
        reason: String,
    },
    #[error("{what} of {size} bytes is over the limit of {limit} bytes")]
    TooLarge {
        what: &'static str,
        size: u64,
        limit: u64,
    },
    #[error("{context}: {error}")]
    Io {
        context: &'static str,
        #[source]
        error: io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl FormatError {
    pub(crate) fn io(context: &'static str, error: io::Error) -> Self {
        FormatError::Io { context, error }
    }

    pub(crate) fn csv(error: ::csv::Error) -> Self {
        let line = error.position().map(::csv::Position::line);
        FormatError::Csv { line, error }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names_and_proto() {
        assert_eq!(Format::from_file_name("a.CSV.gz"), Some(Format::Csv));
        assert_eq!(Format::from_file_name("price.xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::from_file_name("feed.yml"), Some(Format::Yml));
        assert_eq!(Format::from_file_name("export"), None);
        assert_eq!(
            Format::from_proto(FeedFormat::Json as i32),
            Some(Format::Json)
        );
        assert_eq!(Format::from_proto(0), None);
        assert_eq!("XLSX".parse::<Format>().ok(), Some(Format::Xlsx));
        assert_eq!(FeedFormat::from(Format::Csv), FeedFormat::Csv);
    }

    #[test]
    fn formats_sniffed_from_content() {
        let dir = tempfile::tempdir().expect("dir");
        let cases: [(&[u8], Option<Format>); 6] = [
            (
                b"\xEF\xBB\xBF<?xml version=\"1.0\"?><yml_catalog>",
                Some(Format::Yml),
            ),
            (b"<?xml version=\"1.0\"?><catalog/>", Some(Format::Xml)),
            (b"  [{\"id\": 1}]", Some(Format::Json)),
            (b"PK\x03\x04rest", Some(Format::Xlsx)),
            (b"id;name\n1;x\n", Some(Format::Csv)),
            (b"", None),
        ];
        for (i, (bytes, expected)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("f{i}"));
            std::fs::write(&path, bytes).expect("write");
            assert_eq!(Format::sniff(&path).expect("sniff"), expected, "case {i}");
        }
        assert!(Format::detect(None, &dir.path().join("f5")).is_err());
    }
}
