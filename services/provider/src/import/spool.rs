//! The run's spool files: length-delimited protobuf records (claims, stored hashes, items to
//! write, item reports, gone offers) kept in temporary files until the whole feed has been read
//! and compared. Only a feed read to its end is written to persist, so a truncated or broken feed
//! changes nothing; memory stays flat whatever the feed size.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use prost::Message;

use super::ImportError;

/// Appends records to one spool file.
pub struct SpoolWriter {
    path: PathBuf,
    out: BufWriter<File>,
    records: u64,
    buffer: Vec<u8>,
}

impl SpoolWriter {
    pub fn create(path: PathBuf) -> Result<Self, ImportError> {
        Self::with_buffer(path, 1 << 20)
    }

    /// A writer with a buffer of `capacity` bytes (many open at once take a small one).
    pub fn with_buffer(path: PathBuf, capacity: usize) -> Result<Self, ImportError> {
        let file = File::create(&path).map_err(ImportError::spool(&path))?;
        Ok(Self {
            out: BufWriter::with_capacity(capacity, file),
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

    /// Records pushed so far.
    pub fn records(&self) -> u64 {
        self.records
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
        let Some(len) = read_varint(&mut self.input, &self.path)? else {
            return Ok(None);
        };
        usize::try_from(len)
            .map(Some)
            .map_err(|_| ImportError::Spool("a spool record is too large".into()))
    }
}

/// Reads one varint from a spool file; `None` at a clean end of file (before its first byte).
pub fn read_varint(input: &mut impl Read, path: &Path) -> Result<Option<u64>, ImportError> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let mut byte = [0u8; 1];
        match input.read(&mut byte) {
            Ok(0) if shift == 0 => return Ok(None),
            Ok(0) => return Err(ImportError::Spool("a spool record is cut short".into())),
            Ok(_) => {}
            Err(err) => return Err(ImportError::spool(path)(err)),
        }
        value |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] & 0x80 == 0 {
            return Ok(Some(value));
        }
    }
    Err(ImportError::Spool("a spool varint is malformed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use carpetti_proto::catalog::v1 as cat;

    #[test]
    fn records_come_back_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = SpoolWriter::create(dir.path().join("items")).expect("create");
        for line in 1..=1000i64 {
            let record = cat::ImportItemReport {
                line: Some(line),
                offer_id: Some(format!("o{line}")),
                ..Default::default()
            };
            writer.push(&record).expect("push");
        }
        let (path, records) = writer.finish().expect("finish");
        assert_eq!(records, 1000);
        let mut reader = SpoolReader::<cat::ImportItemReport>::open(&path).expect("open");
        let mut line = 0;
        while let Some(record) = reader.next_record().expect("read") {
            line += 1;
            assert_eq!(record.line, Some(line));
            assert_eq!(record.offer_id, Some(format!("o{line}")));
        }
        assert_eq!(line, 1000);
    }
}
