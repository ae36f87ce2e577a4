//! Content hashes: a BLAKE3 digest of an entity's normalized content, used to tell an unchanged
//! re-import (no write at all) from a real change.

use std::fmt;

/// The hex-encoded 128-bit BLAKE3 digest of some canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes parts of a canonical representation; each part is length-prefixed so that
    /// `("ab", "c")` and `("a", "bc")` hash differently.
    pub fn of_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut hasher = blake3::Hasher::new();
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let digest = hasher.finalize();
        Self(hex::encode(&digest.as_bytes()[..16]))
    }

    /// Wraps a hash read back from storage.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        let a = ContentHash::of_parts([b"ab".as_slice(), b"c".as_slice()]);
        let b = ContentHash::of_parts([b"a".as_slice(), b"bc".as_slice()]);
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert_eq!(a, ContentHash::of_parts([b"ab".as_slice(), b"c".as_slice()]));
    }
}
