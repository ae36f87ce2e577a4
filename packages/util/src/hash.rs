//! Content hashes: a 128-bit XXH3 digest of an entity's normalized content, used to tell an
//! unchanged re-import (no write at all) from a real change. This is change detection, not
//! security: a fast non-cryptographic 128-bit hash makes accidental collisions negligible and costs
//! a fraction of a cryptographic one on the hot path of every import.

use std::fmt;

/// The hex-encoded 128-bit XXH3 digest of some canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes parts of a canonical representation; each part is length-prefixed so that
    /// `("ab", "c")` and `("a", "bc")` hash differently.
    pub fn of_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut buffer = Vec::new();
        for part in parts {
            buffer.extend_from_slice(&(part.len() as u64).to_le_bytes());
            buffer.extend_from_slice(part);
        }
        Self::of_bytes(&buffer)
    }

    fn of_bytes(bytes: &[u8]) -> Self {
        Self(hex::encode(
            xxhash_rust::xxh3::xxh3_128(bytes).to_le_bytes(),
        ))
    }

    /// A streaming builder: fields are fed one by one, each tagged and length-prefixed.
    pub fn builder() -> ContentHasher {
        ContentHasher {
            buffer: Vec::with_capacity(1024),
        }
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

/// Feeds fields into a content hash. Every field is tagged (absent, text, list) and
/// length-prefixed, so no two different field sequences produce the same byte stream. Fields are
/// framed into one buffer and hashed once.
pub struct ContentHasher {
    buffer: Vec<u8>,
}

impl ContentHasher {
    fn bytes(&mut self, tag: u8, bytes: &[u8]) -> &mut Self {
        self.buffer.push(tag);
        self.buffer
            .extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        self.buffer.extend_from_slice(bytes);
        self
    }

    /// A text field.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.bytes(1, value.as_bytes())
    }

    /// An optional text field (absent differs from empty).
    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.bytes(0, &[]),
        }
    }

    /// A list of texts (its length first).
    pub fn texts(&mut self, values: &[String]) -> &mut Self {
        self.bytes(2, &(values.len() as u64).to_le_bytes());
        for value in values {
            self.text(value);
        }
        self
    }

    /// A field by its `Display` text (numbers, money, booleans).
    pub fn display(&mut self, value: &dyn fmt::Display) -> &mut Self {
        use std::io::Write as _;
        // Frame: tag, then the text, then its length patched in place.
        self.buffer.push(3);
        let at = self.buffer.len();
        self.buffer.extend_from_slice(&[0; 4]);
        let _ = write!(self.buffer, "{value}");
        let len = (self.buffer.len() - at - 4) as u32;
        self.buffer[at..at + 4].copy_from_slice(&len.to_le_bytes());
        self
    }

    /// An optional field by its `Display` text.
    pub fn opt_display<T: fmt::Display>(&mut self, value: Option<&T>) -> &mut Self {
        match value {
            Some(v) => self.display(v),
            None => self.bytes(0, &[]),
        }
    }

    /// The hash.
    pub fn finish(&self) -> ContentHash {
        ContentHash::of_bytes(&self.buffer)
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
    fn builder_tells_absent_from_empty_and_moved_fields() {
        let a = ContentHash::builder().opt_text(None).text("x").finish();
        let b = ContentHash::builder().text("").text("x").finish();
        let c = ContentHash::builder()
            .texts(&["a".into(), "b".into()])
            .finish();
        let d = ContentHash::builder().texts(&["ab".into()]).finish();
        assert_ne!(a, b);
        assert_ne!(c, d);
        assert_eq!(a, ContentHash::builder().opt_text(None).text("x").finish());
    }

    #[test]
    fn parts_are_length_prefixed() {
        let a = ContentHash::of_parts([b"ab".as_slice(), b"c".as_slice()]);
        let b = ContentHash::of_parts([b"a".as_slice(), b"bc".as_slice()]);
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert_eq!(
            a,
            ContentHash::of_parts([b"ab".as_slice(), b"c".as_slice()])
        );
    }
}
