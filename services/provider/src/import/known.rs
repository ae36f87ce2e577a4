//! What the import knows about offers by their ids, kept compact enough for millions of offers:
//! [`Stored`] — the supplier's items in persist before the run (offer id → content hash and
//! availability) — and [`Seen`] — the offer ids of this feed so far, with the line each first
//! appeared on. Offer ids are keyed by their 128-bit XXH3 hash (a collision among 10^6 ids has a
//! probability around 10^-27); the ids themselves live once, in one text arena.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_128;

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
        // Truncations intended: the two halves.
        Self([value as u64, (value >> 64) as u64])
    }
}

impl std::hash::Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // A uniform hash already: its low word is the table hash.
        state.write_u64(self.0[0]);
    }
}

type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;

/// The top bit of [`Entry::len_available`]: the stored item is available.
const AVAILABLE: u32 = 1 << 31;

/// 24 bytes a stored offer (40 with its key): a million offers take ~86 MB of table.
#[derive(Clone, Copy)]
struct Entry {
    content: Key,
    /// Where the offer id sits in the arena.
    start: u32,
    /// The offer id's length in bytes, and [`AVAILABLE`].
    len_available: u32,
}

impl Entry {
    fn available(&self) -> bool {
        self.len_available & AVAILABLE != 0
    }

    fn len(&self) -> usize {
        (self.len_available & !AVAILABLE) as usize
    }
}

/// The supplier's items as persist had them when the run started.
#[derive(Default)]
pub struct Stored {
    entries: KeyMap<Entry>,
    arena: String,
}

impl Stored {
    pub fn add(&mut self, chunk: Vec<StoredHash>) {
        self.entries.reserve(chunk.len());
        for item in chunk {
            let Some(content) = content_key(&item.content_hash) else {
                // An unreadable stored hash never equals a computed one: the item is re-sent.
                tracing::warn!(offer_id = %item.offer_id, "stored content hash is not 32 hex digits");
                continue;
            };
            // Offer ids are at most 256 characters (persist refuses longer ones).
            let (Ok(start), Ok(len)) = (
                u32::try_from(self.arena.len()),
                u32::try_from(item.offer_id.len()),
            ) else {
                continue;
            };
            if len >= AVAILABLE {
                continue;
            }
            self.arena.push_str(&item.offer_id);
            let entry = Entry {
                content: Key::from(content),
                start,
                len_available: if item.available { len | AVAILABLE } else { len },
            };
            self.entries.insert(offer_key(&item.offer_id).into(), entry);
        }
    }

    /// Whether persist holds exactly this content for the offer already.
    pub fn unchanged(&self, offer: u128, content: u128) -> bool {
        self.entries
            .get(&Key::from(offer))
            .is_some_and(|e| e.content == Key::from(content))
    }

    /// Whether the offer exists in persist (else an upsert creates it).
    pub fn contains(&self, offer: u128) -> bool {
        self.entries.contains_key(&Key::from(offer))
    }

    /// How many offers persist held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Offer ids stored as available that the feed did not carry: the run's gone offers.
    pub fn gone<'a>(&'a self, seen: &'a Seen) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(|(key, entry)| entry.available() && !seen.lines.contains_key(*key))
            .filter_map(|(_, entry)| {
                let start = entry.start as usize;
                self.arena.get(start..start + entry.len())
            })
    }
}

/// The offer ids of this feed so far.
#[derive(Default)]
pub struct Seen {
    lines: KeyMap<u64>,
}

impl Seen {
    /// Room for `offers` ids without growing (a re-import carries about as many offers as
    /// persist holds; growing a large table holds the old and the new one at once).
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

    #[test]
    fn unchanged_and_gone_follow_the_stored_snapshot() {
        let mut known = Stored::default();
        known.add(vec![
            stored("a", 1, true),
            stored("b", 2, true),
            stored("c", 3, false),
        ]);
        assert!(known.contains(offer_key("c")));
        assert!(known.unchanged(offer_key("a"), 1));
        assert!(!known.unchanged(offer_key("a"), 9));
        assert!(!known.unchanged(offer_key("z"), 1));
        let mut seen = Seen::default();
        assert_eq!(seen.first_time(offer_key("a"), 10), Ok(()));
        assert_eq!(seen.first_time(offer_key("a"), 20), Err(10));
        // b was available and is missing: gone; c was already unavailable: not again.
        let gone: Vec<&str> = known.gone(&seen).collect();
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
