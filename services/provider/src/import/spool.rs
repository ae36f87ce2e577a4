//! The run's spool: what the scan found to write (new or changed items, item reports), kept in
//! temporary files until the whole feed has been read. Only a feed read to its end is written
//! to persist, so a truncated or broken feed changes nothing; memory stays flat whatever the feed
//! size. Records are length-delimited protobuf.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use carpetti_proto::catalog::v1 as cat;
use prost::Message;

use super::ImportError;

/// A new or changed item with the line it came from.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SpooledItem {
    #[prost(uint64, tag = "1")]
    pub line: u64,
    #[prost(message, optional, tag = "2")]
    pub item: Option<cat::SupplierItem>,
    /// Whether persist had no such offer when the run started.
    #[prost(bool, tag = "3")]
    pub new: bool,
}

/// Appends records to one spool file.
pub struct SpoolWriter {
    path: PathBuf,
    out: BufWriter<File>,
    records: u64,
    buffer: Vec<u8>,
}

impl SpoolWriter {
    pub fn create(path: PathBuf) -> Result<Self, ImportError> {
        let file = File::create(&path).map_err(ImportError::spool(&path))?;
        Ok(Self {
            out: BufWriter::with_capacity(1 << 20, file),
            path,
            records: 0,
            buffer: Vec::with_capacity(4096),
        })
    }

    pub fn push<M: Message>(&mut self, record: &M) -> Result<(), ImportError> {
        self.buffer.clear();
        record
            .encode_length_delimited(&mut self.buffer)
            .map_err(|err| ImportError::Spool(format!("encoding a record: {err}")))?;
        self.out
            .write_all(&self.buffer)
            .map_err(ImportError::spool(&self.path))?;
        self.records += 1;
        Ok(())
    }

    /// Flushes; the file and its record count.
    pub fn finish(mut self) -> Result<(PathBuf, u64), ImportError> {
        self.out.flush().map_err(ImportError::spool(&self.path))?;
        Ok((self.path, self.records))
    }
}

/// Reads a spool file back, record by record.
pub struct SpoolReader<M> {
    path: PathBuf,
    input: BufReader<File>,
    buffer: Vec<u8>,
    _record: std::marker::PhantomData<M>,
}

impl<M: Message + Default> SpoolReader<M> {
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(ImportError::spool(path))?;
        Ok(Self {
            path: path.to_owned(),
            input: BufReader::with_capacity(1 << 20, file),
            buffer: Vec::new(),
            _record: std::marker::PhantomData,
        })
    }

    /// The next record; `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<M>, ImportError> {
        let Some(len) = self.read_len()? else {
            return Ok(None);
        };
        self.buffer.resize(len, 0);
        self.input
            .read_exact(&mut self.buffer)
            .map_err(ImportError::spool(&self.path))?;
        M::decode(self.buffer.as_slice())
            .map(Some)
            .map_err(|err| ImportError::Spool(format!("{}: {err}", self.path.display())))
    }

    /// The varint length prefix, or `None` at a clean end of file.
    fn read_len(&mut self) -> Result<Option<usize>, ImportError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let mut byte = [0u8; 1];
            match self.input.read(&mut byte) {
                Ok(0) if shift == 0 => return Ok(None),
                Ok(0) => return Err(ImportError::Spool("a spool record is cut short".into())),
                Ok(_) => {}
                Err(err) => return Err(ImportError::spool(&self.path)(err)),
            }
            value |= u64::from(byte[0] & 0x7f) << shift;
            if byte[0] & 0x80 == 0 {
                return usize::try_from(value)
                    .map(Some)
                    .map_err(|_| ImportError::Spool("a spool record is too large".into()));
            }
        }
        Err(ImportError::Spool(
            "a spool length prefix is malformed".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = SpoolWriter::create(dir.path().join("items")).expect("create");
        for line in 1..=1000u64 {
            let item = cat::SupplierItem {
                offer_id: format!("o{line}"),
                ..Default::default()
            };
            let record = SpooledItem {
                line,
                item: Some(item),
                new: line % 2 == 0,
            };
            writer.push(&record).expect("push");
        }
        let (path, records) = writer.finish().expect("finish");
        assert_eq!(records, 1000);
        let mut reader = SpoolReader::<SpooledItem>::open(&path).expect("open");
        let mut line = 0;
        while let Some(record) = reader.next_record().expect("read") {
            line += 1;
            assert_eq!(record.line, line);
            assert_eq!(record.item.expect("item").offer_id, format!("o{line}"));
        }
        assert_eq!(line, 1000);
    }
}
