//! The key layout: every key lives under `carpetti:<namespace>:<key>`, so a namespace is one
//! prefix in Redis and two services (or two tests) never see each other's entries. Pub/sub
//! invalidations of a namespace travel on `carpetti:<namespace>#invalidations`; `#` cannot occur in
//! a namespace, so the channel never collides with a key layout of another namespace.

use std::sync::Arc;
use std::time::Duration;

use crate::error::CacheError;

/// The root of every key.
pub const ROOT: &str = "carpetti";
const MAX_NAMESPACE: usize = 64;
const MAX_KEY: usize = 1024;
const MAX_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// Checks a namespace: 1–64 characters of `[a-z0-9_.-]`.
pub(crate) fn namespace(namespace: &str) -> Result<Arc<str>, CacheError> {
    let invalid = |reason| CacheError::InvalidNamespace {
        namespace: namespace.to_owned(),
        reason,
    };
    if namespace.is_empty() {
        return Err(invalid("it is empty"));
    }
    if namespace.len() > MAX_NAMESPACE {
        return Err(invalid("it is longer than 64 characters"));
    }
    if !namespace
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(invalid("only a-z, 0-9, '_', '.' and '-' are allowed"));
    }
    Ok(Arc::from(namespace))
}

/// Checks a key: 1–1024 bytes, no control characters.
pub(crate) fn check_key(key: &str) -> Result<(), CacheError> {
    if key.is_empty() {
        return Err(CacheError::InvalidKey {
            key: String::new(),
            reason: "it is empty",
        });
    }
    check_prefix(key)
}

/// Checks a prefix: like a key, but may be empty (the whole namespace).
pub(crate) fn check_prefix(prefix: &str) -> Result<(), CacheError> {
    let invalid = |reason| CacheError::InvalidKey {
        key: prefix.chars().take(80).collect(),
        reason,
    };
    if prefix.len() > MAX_KEY {
        return Err(invalid("it is longer than 1024 bytes"));
    }
    if prefix.chars().any(char::is_control) {
        return Err(invalid("it contains control characters"));
    }
    Ok(())
}

/// Checks a TTL: at least a millisecond (Redis `PX` granularity), at most a year.
pub(crate) fn check_ttl(ttl: Duration) -> Result<(), CacheError> {
    if ttl < Duration::from_millis(1) {
        return Err(CacheError::InvalidTtl {
            ttl,
            reason: "it is shorter than 1 ms",
        });
    }
    if ttl > MAX_TTL {
        return Err(CacheError::InvalidTtl {
            ttl,
            reason: "it is longer than a year",
        });
    }
    Ok(())
}

/// `carpetti:<namespace>:` — the prefix of every key of a namespace.
pub(crate) fn namespace_prefix(namespace: &str) -> String {
    format!("{ROOT}:{namespace}:")
}

/// The pub/sub channel carrying a namespace's invalidations.
pub(crate) fn channel(namespace: &str) -> String {
    format!("{ROOT}:{namespace}#invalidations")
}

/// Escapes Redis glob metacharacters so a prefix matches only itself in `SCAN … MATCH`.
pub(crate) fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_checked() {
        assert!(namespace("persist.products-v1_2").is_ok());
        assert!(namespace("").is_err());
        assert!(namespace("Upper").is_err());
        assert!(namespace("a:b").is_err());
        assert!(namespace("a#b").is_err());
        assert!(namespace(&"x".repeat(65)).is_err());
    }

    #[test]
    fn keys_prefixes_and_ttls_are_checked() {
        assert!(check_key("product:42").is_ok());
        assert!(check_key("").is_err());
        assert!(check_prefix("").is_ok());
        assert!(check_key("bad\nkey").is_err());
        assert!(check_key(&"k".repeat(1025)).is_err());
        assert!(check_ttl(Duration::from_millis(1)).is_ok());
        assert!(check_ttl(Duration::from_micros(999)).is_err());
        assert!(check_ttl(Duration::from_secs(366 * 24 * 3600)).is_err());
    }

    #[test]
    fn glob_metacharacters_are_escaped() {
        assert_eq!(glob_escape(r"a*b?c[d]e\f"), r"a\*b\?c\[d\]e\\f");
        assert_eq!(channel("ns"), "carpetti:ns#invalidations");
        assert_eq!(namespace_prefix("ns"), "carpetti:ns:");
    }
}
