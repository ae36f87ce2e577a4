//! What the import knows about offers by their ids: [`StoredSpool`] — the supplier's items in
//! persist before the run, spooled by bucket — and, one bucket at a time, [`StoredBucket`]
//! (offer → content hash and availability) and [`Seen`] (the bucket's offer ids in the feed, with
//! the line each first appeared on). Offer ids are keyed by their 128-bit XXH3 hash (a collision
//! among 10^6 ids has a probability around 10^-27).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use xxhash_rust::xxh3::xxh3_128;

use super::ImportError;
use super::bucket::{BucketWriter, Buckets, StoredRecord, bucket_of, halves, optional_halves};
use super::catalog::StoredHash;

/// The key of an offer id.
pub fn offer_key(offer_id: &str) -> u128 {
    xxh3_128(offer_id.as_bytes())
}

/// A content hash's hex (as persist stores it) as a number; `None` if it is not 32 hex digits.
pub fn content_key(hex: &str) -> Option<u128> {
    let mut bytes = [0u8; 16];
    hex::decode_to_slice(hex, &mut bytes).ok()?;
    Some(u128::from_le_bytes(bytes))
}

/// Keys are already uniform hashes: use their low bits as the table hash.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A 128-bit key as two words: 8-byte alignment, so a table slot holds no padding (a `u128`
/// aligns to 16 and pads `(u128, u64)` to 32 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key([u64; 2]);

impl From<u128> for Key {
    fn from(value: u128) -> Self {
        let (lo, hi) = halves(value);
        Self([lo, hi])
    }
}

impl std::hash::Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // A uniform hash already: its low word is the table hash.
        state.write_u64(self.0[0]);
    }
}

type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;

/// What persist held when the run started, streamed into the run's `stored` buckets (nothing of
/// it stays in memory).
pub struct StoredSpool {
    writer: BucketWriter,
}

impl StoredSpool {
    pub fn new(dir: &Path) -> Self {
        Self {
            writer: BucketWriter::new(dir, "stored"),
        }
    }

    pub fn add(&mut self, chunk: Vec<StoredHash>) -> Result<(), ImportError> {
        for item in chunk {
            let content = content_key(&item.content_hash);
            if content.is_none() {
                // An unreadable stored hash never equals a computed one: the item is re-sent.
                tracing::warn!(offer_id = %item.offer_id, "stored content hash is not 32 hex digits");
            }
            let key = offer_key(&item.offer_id);
            let (key_lo, key_hi) = halves(key);
            let (content_lo, content_hi) = optional_halves(content);
            let record = StoredRecord {
                key_lo,
                key_hi,
                content_lo,
                content_hi,
                available: item.available,
                offer_id: item.offer_id,
            };
            self.writer.push(bucket_of(key), &record)?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Buckets, ImportError> {
        self.writer.finish()
    }
}

/// One stored item of a bucket.
pub struct StoredEntry {
    content: Option<u128>,
    pub available: bool,
    pub offer_id: String,
}

/// The stored items of one bucket, by offer key.
#[derive(Default)]
pub struct StoredBucket {
    entries: KeyMap<StoredEntry>,
}

impl StoredBucket {
    pub fn load(buckets: &Buckets, bucket: usize) -> Result<Self, ImportError> {
        let records: Vec<StoredRecord> = buckets.read(bucket)?;
        let mut entries = KeyMap::with_capacity_and_hasher(records.len(), Default::default());
        for record in records {
            let key = Key::from(record.key());
            let entry = StoredEntry {
                content: record.content(),
                available: record.available,
                offer_id: record.offer_id,
            };
            entries.insert(key, entry);
        }
        Ok(Self { entries })
    }

    /// Whether persist holds exactly this content for the offer already.
    pub fn unchanged(&self, offer: u128, content: Option<u128>) -> bool {
        content.is_some_and(|content| {
            self.entries
                .get(&Key::from(offer))
                .is_some_and(|e| e.content == Some(content))
        })
    }

    /// Whether the offer exists in persist (else an upsert creates it).
    pub fn contains(&self, offer: u128) -> bool {
        self.entries.contains_key(&Key::from(offer))
    }

    /// Stored items available before the run whose offer `seen` does not hold: gone from the feed.
    pub fn gone<'a>(&'a self, seen: &'a Seen) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(|(key, entry)| entry.available && !seen.lines.contains_key(*key))
            .map(|(_, entry)| entry.offer_id.as_str())
    }
}

/// The offer ids of one bucket of the feed, each with the line it first appeared on.
#[derive(Default)]
pub struct Seen {
    lines: KeyMap<u64>,
}

impl Seen {
    pub fn with_capacity(offers: usize) -> Self {
        Self {
            lines: KeyMap::with_capacity_and_hasher(offers, BuildHasherDefault::default()),
        }
    }

    /// Records an offer id; `Err(line)` when it was seen before, on `line`.
    pub fn first_time(&mut self, offer: u128, line: u64) -> Result<(), u64> {
        match self.lines.entry(Key::from(offer)) {
            std::collections::hash_map::Entry::Occupied(first) => Err(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(line);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(offer_id: &str, content: u128, available: bool) -> StoredHash {
        StoredHash {
            offer_id: offer_id.to_owned(),
            content_hash: hex::encode(content.to_le_bytes()),
            available,
        }
    }

    /// The stored snapshot of `items` as one bucket holding every key (whatever its bucket).
    fn snapshot(items: Vec<StoredHash>) -> (tempfile::TempDir, Vec<StoredBucket>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut spool = StoredSpool::new(dir.path());
        spool.add(items).expect("add");
        let buckets = spool.finish().expect("finish");
        let tables = (0..super::super::bucket::BUCKETS)
            .map(|b| StoredBucket::load(&buckets, b).expect("load"))
            .collect();
        (dir, tables)
    }

    #[test]
    fn unchanged_and_gone_follow_the_stored_snapshot() {
        let (_dir, tables) = snapshot(vec![
            stored("a", 1, true),
            stored("b", 2, true),
            stored("c", 3, false),
            StoredHash {
                offer_id: "d".into(),
                content_hash: "unreadable".into(),
                available: true,
            },
        ]);
        let table = |id: &str| &tables[bucket_of(offer_key(id))];
        // All four came back from their buckets.
        for id in ["a", "b", "c", "d"] {
            assert!(table(id).contains(offer_key(id)), "{id}");
        }
        assert!(table("c").contains(offer_key("c")));
        assert!(table("a").unchanged(offer_key("a"), Some(1)));
        assert!(!table("a").unchanged(offer_key("a"), Some(9)));
        assert!(!table("a").unchanged(offer_key("a"), None));
        assert!(!table("z").unchanged(offer_key("z"), Some(1)));
        // An unreadable stored hash: the item exists, but nothing equals it.
        assert!(table("d").contains(offer_key("d")));
        let mut seen: Vec<Seen> = tables.iter().map(|_| Seen::default()).collect();
        let mut see =
            |id: &str, line| seen[bucket_of(offer_key(id))].first_time(offer_key(id), line);
        assert_eq!(see("a", 10), Ok(()));
        assert_eq!(see("a", 20), Err(10));
        assert_eq!(see("d", 30), Ok(()));
        // b was available and is missing: gone; c was already unavailable: not again.
        let gone: Vec<&str> = tables
            .iter()
            .zip(&seen)
            .flat_map(|(table, seen)| table.gone(seen))
            .collect();
        assert_eq!(gone, vec!["b"]);
    }

    #[test]
    fn content_keys_round_trip_persist_hex() {
        let hex = carpetti_util::ContentHash::of_parts([b"x".as_slice()]);
        let key = content_key(hex.as_str()).expect("32 hex digits");
        assert_eq!(hex::encode(key.to_le_bytes()), hex.as_str());
        assert_eq!(content_key("not hex"), None);
    }
}
