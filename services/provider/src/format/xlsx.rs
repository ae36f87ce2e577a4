//! XLSX (and legacy XLS) supplier feeds through calamine: the configured or first sheet, its
//! first non-empty row the header, mapped like CSV. calamine reads a whole sheet into memory, so
//! files over [`MAX_XLSX_BYTES`] are refused up front. Numbers arrive as floats and are turned
//! into text carefully: whole numbers without ".0" (ids, stock), others at Excel's 15
//! significant digits (a price 1234.5 → "1234.5", never "1234.4999999").

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, Range, Reader};
use carpetti_yml::{Item, Position, Shop};
use rust_decimal::Decimal;

use super::fields::Columns;
use super::{FormatError, OfferStream};
use crate::settings::SupplierSettings;

/// The largest workbook read (a sheet is held in memory whole, several times the file size).
pub const MAX_XLSX_BYTES: u64 = 200 * 1024 * 1024;

pub(crate) struct XlsxStream {
    range: Range<Data>,
    columns: Columns,
    /// The next row index within `range` (0 is the header).
    next: usize,
    /// The sheet row number of `range`'s first row, 1-based.
    first_line: u64,
    file_bytes: u64,
    shop: Shop,
}

pub(crate) fn open(path: &Path, settings: &SupplierSettings) -> Result<XlsxStream, FormatError> {
    let file_bytes = std::fs::metadata(path)
        .map_err(|e| FormatError::io("reading the workbook", e))?
        .len();
    if file_bytes > MAX_XLSX_BYTES {
        return Err(FormatError::TooLarge {
            what: "XLSX workbook",
            size: file_bytes,
            limit: MAX_XLSX_BYTES,
        });
    }
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| FormatError::io("reading the workbook", e))?;
    let file =
        BufReader::new(File::open(path).map_err(|e| FormatError::io("opening the workbook", e))?);
    let mut workbook: calamine::Sheets<_> = if magic == [0xD0, 0xCF, 0x11, 0xE0] {
        calamine::Sheets::Xls(calamine::open_workbook_from_rs(file).map_err(calamine::Error::Xls)?)
    } else {
        calamine::Sheets::Xlsx(
            calamine::open_workbook_from_rs(file).map_err(calamine::Error::Xlsx)?,
        )
    };
    let names = workbook.sheet_names();
    let sheet = match settings.sheet.as_deref() {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
            })
            .ok_or_else(|| {
                FormatError::Invalid(format!(
                    "XLSX: no sheet {wanted:?}; the workbook has {names:?}"
                ))
            })?,
        None => names
            .first()
            .ok_or_else(|| FormatError::Invalid("XLSX: the workbook has no sheets".into()))?,
    }
    .clone();
    let range = workbook.worksheet_range(&sheet)?;
    let Some((first_row, _)) = range.start() else {
        return Err(FormatError::Invalid(format!(
            "XLSX: sheet {sheet:?} is empty"
        )));
    };
    let header: Vec<String> = range
        .rows()
        .next()
        .map(|row| row.iter().map(cell_text).collect())
        .unwrap_or_default();
    let columns = Columns::from_header(&header, &settings.columns)
        .map_err(|e| FormatError::Invalid(format!("XLSX sheet {sheet:?}: {e}")))?;
    Ok(XlsxStream {
        range,
        columns,
        next: 1,
        first_line: u64::from(first_row) + 1,
        file_bytes,
        shop: Shop::default(),
    })
}

impl OfferStream for XlsxStream {
    fn next_item(&mut self) -> Result<Option<Item>, FormatError> {
        while self.next < self.range.height() {
            let index = self.next;
            self.next += 1;
            // Rows::nth walks from the start; cells by position are O(1).
            let cells: Vec<String> = (0..self.range.width())
                .map(|col| {
                    self.range
                        .get((index, col))
                        .map(cell_text)
                        .unwrap_or_default()
                })
                .collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let at = Position {
                line: self.first_line + index as u64,
                column: 0,
            };
            return Ok(Some(self.columns.offer(&cells, at)));
        }
        Ok(None)
    }

    fn shop(&self) -> &Shop {
        &self.shop
    }

    /// The workbook is read at open; progress is the share of rows done.
    fn bytes_read(&self) -> u64 {
        let rows = self.range.height().max(1) as u64;
        self.file_bytes * (self.next as u64).min(rows) / rows
    }
}

/// A cell as the text a CSV would have carried.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

/// A float as a person typed it: integers without ".0", others rounded to Excel's 15
/// significant digits (which removes binary noise), never in exponent form.
pub(crate) fn float_text(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        return format!("{}", value as i64);
    }
    match Decimal::from_str_exact(&value.to_string())
        .ok()
        .and_then(|d| d.round_sf(15))
    {
        Some(d) => d.normalize().to_string(),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_become_the_numbers_people_typed() {
        assert_eq!(float_text(12345.0), "12345");
        assert_eq!(float_text(1234.5), "1234.5");
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(
            float_text(2.675 * 100.0),
            "267.5",
            "267.49999999999997 in binary"
        );
        assert_eq!(float_text(0.1 * 3.0), "0.3");
        assert_eq!(float_text(-3.0), "-3");
        assert_eq!(float_text(4_600_000_000_000_000.0), "4600000000000000");
    }
}
