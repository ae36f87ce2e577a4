//! The run's offer-keyed spools, split into [`BUCKETS`] buckets by the top bits of the offer key,
//! so that the comparison of the feed with persist holds one bucket's tables in memory at a time
//! (≈ 1/64 of the offers) whatever the feed and catalog size. Two kinds of record go to buckets:
//! [`Claim`] — an offer of the feed as a worker judged it — and [`StoredRecord`] — an item persist
//! held when the run started.

use std::path::{Path, PathBuf};

use super::ImportError;
use super::spool::{SpoolReader, SpoolWriter};

/// Buckets per spool.
pub const BUCKETS: usize = 64;
/// Buffer of each bucket's writer (64 open at once per spool).
const BUFFER: usize = 64 << 10;

/// The bucket of an offer key: its top six bits (the table hash uses the low word).
pub fn bucket_of(key: u128) -> usize {
    // Truncation intended: six bits.
    (key >> 122) as usize
}

/// An offer of the feed, judged by a worker but not yet compared: the comparison with persist
/// and the duplicate check (first in feed order wins) happen per bucket after the scan.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Claim {
    #[prost(fixed64, tag = "1")]
    pub key_lo: u64,
    #[prost(fixed64, tag = "2")]
    pub key_hi: u64,
    /// The offer's place in the feed (0-based): what "first" means for duplicates.
    #[prost(uint64, tag = "3")]
    pub seq: u64,
    #[prost(uint64, tag = "4")]
    pub line: u64,
    #[prost(string, tag = "5")]
    pub offer_id: String,
    /// Why the offer is rejected (normalization, or what persist would refuse).
    #[prost(string, optional, tag = "6")]
    pub rejection: Option<String>,
    /// The normalized item's content hash as persist computes it.
    #[prost(fixed64, optional, tag = "7")]
    pub content_lo: Option<u64>,
    #[prost(fixed64, optional, tag = "8")]
    pub content_hi: Option<u64>,
    /// Notes of the normalization, for the item's report.
    #[prost(string, optional, tag = "9")]
    pub note: Option<String>,
}

impl Claim {
    pub fn key(&self) -> u128 {
        whole(self.key_lo, self.key_hi)
    }

    pub fn content(&self) -> Option<u128> {
        Some(whole(self.content_lo?, self.content_hi?))
    }
}

/// An item persist held when the run started.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StoredRecord {
    #[prost(fixed64, tag = "1")]
    pub key_lo: u64,
    #[prost(fixed64, tag = "2")]
    pub key_hi: u64,
    /// The stored content hash; `None` when it was unreadable (never equal to a computed one).
    #[prost(fixed64, optional, tag = "3")]
    pub content_lo: Option<u64>,
    #[prost(fixed64, optional, tag = "4")]
    pub content_hi: Option<u64>,
    #[prost(bool, tag = "5")]
    pub available: bool,
    #[prost(string, tag = "6")]
    pub offer_id: String,
}

impl StoredRecord {
    pub fn key(&self) -> u128 {
        whole(self.key_lo, self.key_hi)
    }

    pub fn content(&self) -> Option<u128> {
        Some(whole(self.content_lo?, self.content_hi?))
    }
}

/// The two halves of a 128-bit value.
pub fn halves(value: u128) -> (u64, u64) {
    // Truncations intended.
    (value as u64, (value >> 64) as u64)
}

/// The halves of an optional 128-bit value, as two optional record fields.
pub fn optional_halves(value: Option<u128>) -> (Option<u64>, Option<u64>) {
    value.map_or((None, None), |value| {
        let (lo, hi) = halves(value);
        (Some(lo), Some(hi))
    })
}

/// A 128-bit value from its halves.
fn whole(lo: u64, hi: u64) -> u128 {
    u128::from(lo) | (u128::from(hi) << 64)
}

/// Writes records into the buckets of one spool (`{prefix}-{bucket}` files, opened on first use).
pub struct BucketWriter {
    dir: PathBuf,
    prefix: &'static str,
    files: Vec<Option<SpoolWriter>>,
}

impl BucketWriter {
    pub fn new(dir: &Path, prefix: &'static str) -> Self {
        Self {
            dir: dir.to_owned(),
            prefix,
            files: (0..BUCKETS).map(|_| None).collect(),
        }
    }

    pub fn push<M: prost::Message>(
        &mut self,
        bucket: usize,
        record: &M,
    ) -> Result<(), ImportError> {
        let slot = self
            .files
            .get_mut(bucket)
            .ok_or_else(|| ImportError::Spool(format!("no bucket {bucket}")))?;
        let writer = match slot {
            Some(writer) => writer,
            None => slot.insert(SpoolWriter::with_buffer(
                self.dir.join(format!("{}-{bucket}", self.prefix)),
                BUFFER,
            )?),
        };
        writer.push(record)
    }

    /// Flushes every bucket: the spool, readable bucket by bucket.
    pub fn finish(self) -> Result<Buckets, ImportError> {
        for writer in self.files.into_iter().flatten() {
            writer.finish()?;
        }
        Ok(Buckets {
            dir: self.dir,
            prefix: self.prefix,
        })
    }
}

/// A finished bucketed spool.
#[derive(Debug, Clone)]
pub struct Buckets {
    dir: PathBuf,
    prefix: &'static str,
}

impl Buckets {
    /// Every record of one bucket (none if nothing went to it).
    pub fn read<M: prost::Message + Default>(&self, bucket: usize) -> Result<Vec<M>, ImportError> {
        let path = self.dir.join(format!("{}-{bucket}", self.prefix));
        if !path.exists() {
            return Ok(Vec::new());
        }
        let mut reader = SpoolReader::<M>::open(&path)?;
        let mut records = Vec::new();
        while let Some(record) = reader.next_record()? {
            records.push(record);
        }
        // The bucket is read once; its disk space goes back at once.
        let _ = std::fs::remove_file(&path);
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_from_their_bucket() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = BucketWriter::new(dir.path(), "claims");
        for seq in 0..1000u64 {
            let key = u128::from(seq).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
            let (key_lo, key_hi) = halves(key);
            let claim = Claim {
                key_lo,
                key_hi,
                seq,
                ..Default::default()
            };
            writer.push(bucket_of(key), &claim).expect("push");
        }
        let buckets = writer.finish().expect("finish");
        let mut total = 0;
        for bucket in 0..BUCKETS {
            let claims: Vec<Claim> = buckets.read(bucket).expect("read");
            assert!(claims.iter().all(|c| bucket_of(c.key()) == bucket));
            total += claims.len();
        }
        assert_eq!(total, 1000);
        assert!(
            buckets.read::<Claim>(0).expect("read again").is_empty(),
            "a bucket is read once"
        );
    }
}
