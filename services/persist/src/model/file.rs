//! Metadata of stored files (feeds, documents, pictures); the content lives in the file storage.

use uuid::Uuid;

use super::text_enum;
use crate::StoreError;

text_enum!(
    /// Where a file's content is stored.
    FileStorage {
        /// Local disk.
        Local => "local",
        /// S3-compatible object storage.
        S3 => "s3",
    }
);

/// A stored file's metadata. Business key: `storage_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// The key (path) in the storage: unique, relative, without `..` segments.
    pub storage_key: String,
    /// File name shown to people / used for download.
    pub name: String,
    /// MIME type, `type/subtype` (parameters such as `; charset=utf-8` allowed).
    pub content_type: String,
    /// Size in bytes, ≥ 0.
    pub size_bytes: i64,
    /// Lower-case hex SHA-256 of the content (64 characters).
    pub sha256: String,
    /// Storage backend.
    pub storage: FileStorage,
    /// Kind of entity the file belongs to ("product", "order"…); set together with `owner_id`.
    pub owner_kind: Option<String>,
    /// Id of the entity the file belongs to (a loose reference, not checked).
    pub owner_id: Option<Uuid>,
}

impl FileMeta {
    /// The normalized text searched by `ListQuery.text` (storage key, name).
    pub fn search_text(&self) -> String {
        carpetti_util::search_text([self.storage_key.as_str(), self.name.as_str()])
    }

    /// Checks the rules the types do not carry; errors name the proto field.
    pub fn validate(&self) -> Result<(), StoreError> {
        validate_storage_key(&self.storage_key)?;
        if self.name.trim().is_empty() {
            return Err(StoreError::invalid("name", "must not be empty"));
        }
        validate_content_type(&self.content_type)?;
        if self.size_bytes < 0 {
            return Err(StoreError::invalid(
                "size_bytes",
                format!("must not be negative, got {}", self.size_bytes),
            ));
        }
        validate_sha256(&self.sha256)?;
        match (&self.owner_kind, self.owner_id) {
            (Some(kind), Some(_)) if kind.trim().is_empty() => {
                Err(StoreError::invalid("owner_kind", "must not be empty"))
            }
            (Some(_), None) => Err(StoreError::invalid(
                "owner_id",
                "is required when owner_kind is set",
            )),
            (None, Some(_)) => Err(StoreError::invalid(
                "owner_kind",
                "is required when owner_id is set",
            )),
            _ => Ok(()),
        }
    }
}

fn validate_storage_key(key: &str) -> Result<(), StoreError> {
    let reason = if key.trim().is_empty() {
        Some("must not be empty")
    } else if key.starts_with('/') || key.starts_with('\\') {
        Some("must be relative (no leading \"/\")")
    } else if key.split(['/', '\\']).any(|segment| segment == "..") {
        Some("must not contain \"..\" segments")
    } else if key.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(StoreError::invalid(
            "storage_key",
            format!("{reason}, got {key:?}"),
        )),
        None => Ok(()),
    }
}

fn validate_content_type(raw: &str) -> Result<(), StoreError> {
    let essence = raw.split(';').next().unwrap_or_default().trim();
    let token = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    match essence.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) && !sub.contains('/') => Ok(()),
        _ => Err(StoreError::invalid(
            "content_type",
            format!("must be a MIME type type/subtype, got {raw:?}"),
        )),
    }
}

fn validate_sha256(hex: &str) -> Result<(), StoreError> {
    if hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "sha256",
            format!("must be 64 lower-case hex characters, got {hex:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<(), StoreError>) -> String {
        match result {
            Err(StoreError::InvalidArgument { field, .. }) => field,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn storage_keys() {
        assert!(validate_storage_key("feeds/acme/2024.xml").is_ok());
        assert!(validate_storage_key("feeds/a..b.xml").is_ok());
        for bad in ["", " ", "/etc/passwd", "a/../b", "..", "a\\..\\b", "a\nb"] {
            assert_eq!(field(validate_storage_key(bad)), "storage_key", "{bad:?}");
        }
    }

    #[test]
    fn content_types_and_hashes() {
        assert!(validate_content_type("application/xml").is_ok());
        assert!(validate_content_type("text/csv; charset=utf-8").is_ok());
        for bad in ["", "xml", "text/", "/xml", "a/b/c", "text /csv"] {
            assert_eq!(field(validate_content_type(bad)), "content_type", "{bad:?}");
        }
        assert!(validate_sha256(&"ab".repeat(32)).is_ok());
        for bad in [
            "ab".repeat(31),
            "AB".repeat(32),
            "zz".repeat(32),
            String::new(),
        ] {
            assert_eq!(field(validate_sha256(&bad)), "sha256", "{bad:?}");
        }
    }
}
