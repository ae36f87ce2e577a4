//! The scan's payload files: each worker appends the encoded items it kept, in feed order, each
//! framed as `seq, line, length` varints and the item's bytes. The upsert reads the workers' files
//! back merged by `seq`, so items reach persist in feed order, and skips the unchanged ones
//! without decoding them ([`ToWrite`] says which).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use carpetti_proto::catalog::v1 as cat;
use fixedbitset::FixedBitSet;
use prost::Message;
use prost::encoding::encode_varint;

use super::ImportError;
use super::spool::read_varint;

/// Appends a worker's kept items.
pub struct PayloadWriter {
    path: PathBuf,
    out: BufWriter<File>,
    buffer: Vec<u8>,
}

impl PayloadWriter {
    pub fn create(path: PathBuf) -> Result<Self, ImportError> {
        let file = File::create(&path).map_err(ImportError::spool(&path))?;
        Ok(Self {
            out: BufWriter::with_capacity(1 << 20, file),
            path,
            buffer: Vec::with_capacity(4096),
        })
    }

    /// Encodes the item as the next one to commit (before the item is given away).
    pub fn stage(&mut self, item: &cat::SupplierItem) -> Result<(), ImportError> {
        self.buffer.clear();
        item.encode(&mut self.buffer)
            .map_err(|err| ImportError::Spool(format!("encoding an item: {err}")))
    }

    /// Appends the staged item as the offer at `seq` of the feed, from `line`.
    pub fn commit(&mut self, seq: u64, line: u64) -> Result<(), ImportError> {
        // Three varints of at most 10 bytes each.
        const HEAD: usize = 30;
        let mut head = [0u8; HEAD];
        let mut free: &mut [u8] = &mut head;
        encode_varint(seq, &mut free);
        encode_varint(line, &mut free);
        encode_varint(self.buffer.len() as u64, &mut free);
        let used = HEAD - free.len();
        self.out
            .write_all(head.get(..used).unwrap_or_default())
            .and_then(|()| self.out.write_all(&self.buffer))
            .map_err(ImportError::spool(&self.path))
    }

    /// Stages and commits.
    #[cfg(test)]
    pub fn push(
        &mut self,
        seq: u64,
        line: u64,
        item: &cat::SupplierItem,
    ) -> Result<(), ImportError> {
        self.stage(item)?;
        self.commit(seq, line)
    }

    pub fn finish(mut self) -> Result<PathBuf, ImportError> {
        self.out.flush().map_err(ImportError::spool(&self.path))?;
        Ok(self.path)
    }
}

/// The offers to send, by their place in the feed: one bit per offer read.
#[derive(Debug, Default)]
pub struct ToWrite {
    bits: FixedBitSet,
}

impl ToWrite {
    pub fn insert(&mut self, seq: u64) {
        // A place in the feed that does not fit usize cannot have been read on this machine.
        if let Ok(seq) = usize::try_from(seq) {
            self.bits.grow(seq + 1);
            self.bits.insert(seq);
        }
    }

    pub fn contains(&self, seq: u64) -> bool {
        usize::try_from(seq).is_ok_and(|seq| self.bits.contains(seq))
    }
}

/// The head of a payload record.
#[derive(Debug, Clone, Copy)]
struct Head {
    seq: u64,
    line: u64,
    len: usize,
}

/// One worker's payload file, read forward.
struct PayloadReader {
    path: PathBuf,
    input: BufReader<File>,
    head: Option<Head>,
}

impl PayloadReader {
    fn open(path: &Path) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(ImportError::spool(path))?;
        let mut reader = Self {
            path: path.to_owned(),
            input: BufReader::with_capacity(1 << 20, file),
            head: None,
        };
        reader.advance()?;
        Ok(reader)
    }

    /// Reads the next record's head (`None` at the end of the file).
    fn advance(&mut self) -> Result<(), ImportError> {
        self.head = None;
        let Some(seq) = read_varint(&mut self.input, &self.path)? else {
            return Ok(());
        };
        let cut_short = || ImportError::Spool("a payload record is cut short".into());
        let line = read_varint(&mut self.input, &self.path)?.ok_or_else(cut_short)?;
        let len = read_varint(&mut self.input, &self.path)?.ok_or_else(cut_short)?;
        let len = usize::try_from(len)
            .map_err(|_| ImportError::Spool("a spooled item is too large".into()))?;
        self.head = Some(Head { seq, line, len });
        Ok(())
    }

    fn read_item(&mut self, len: usize, buffer: &mut Vec<u8>) -> Result<(), ImportError> {
        buffer.resize(len, 0);
        self.input
            .read_exact(buffer)
            .map_err(ImportError::spool(&self.path))
    }

    fn skip(&mut self, len: usize) -> Result<(), ImportError> {
        let len = i64::try_from(len)
            .map_err(|_| ImportError::Spool("a spooled item is too large".into()))?;
        self.input
            .seek_relative(len)
            .map_err(ImportError::spool(&self.path))
    }
}

/// The items of [`ToWrite`] from every worker's payload file, in feed order, each with its line.
pub struct Items<'a> {
    readers: Vec<PayloadReader>,
    to_write: &'a ToWrite,
    buffer: Vec<u8>,
}

impl<'a> Items<'a> {
    pub fn open(payloads: &[PathBuf], to_write: &'a ToWrite) -> Result<Self, ImportError> {
        let readers = payloads
            .iter()
            .map(|path| PayloadReader::open(path))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            readers,
            to_write,
            buffer: Vec::new(),
        })
    }

    /// The next item to send and its line; `None` when all were read.
    pub fn next_item(&mut self) -> Result<Option<(u64, cat::SupplierItem)>, ImportError> {
        loop {
            // The reader whose next record comes first in the feed (a few workers: a scan).
            let next = self
                .readers
                .iter_mut()
                .filter_map(|reader| Some((reader.head?, reader)))
                .min_by_key(|(head, _)| head.seq);
            let Some((head, reader)) = next else {
                return Ok(None);
            };
            if self.to_write.contains(head.seq) {
                reader.read_item(head.len, &mut self.buffer)?;
                reader.advance()?;
                let item = cat::SupplierItem::decode(self.buffer.as_slice())
                    .map_err(|err| ImportError::Spool(format!("a spooled item: {err}")))?;
                return Ok(Some((head.line, item)));
            }
            reader.skip(head.len)?;
            reader.advance()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_back_in_feed_order_and_only_those_to_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut paths = Vec::new();
        // Two workers taking alternate batches of 10 offers.
        for worker in 0..2u64 {
            let path = dir.path().join(format!("payloads-{worker}"));
            let mut writer = PayloadWriter::create(path).expect("create");
            for seq in (0..200u64).filter(|seq| (seq / 10) % 2 == worker) {
                let item = cat::SupplierItem {
                    offer_id: format!("o{seq}"),
                    ..Default::default()
                };
                writer.push(seq, seq + 1, &item).expect("push");
            }
            paths.push(writer.finish().expect("finish"));
        }
        let mut to_write = ToWrite::default();
        for seq in (0..200).filter(|seq| seq % 3 == 0) {
            to_write.insert(seq);
        }
        assert!(to_write.contains(3) && !to_write.contains(4) && !to_write.contains(10_000));
        let mut items = Items::open(&paths, &to_write).expect("open");
        let mut got = Vec::new();
        while let Some((line, item)) = items.next_item().expect("next") {
            got.push((line, item.offer_id));
        }
        let expected: Vec<(u64, String)> = (0..200u64)
            .filter(|seq| seq % 3 == 0)
            .map(|seq| (seq + 1, format!("o{seq}")))
            .collect();
        assert_eq!(got, expected);
    }
}
