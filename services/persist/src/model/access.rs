//! Access control: staff users (login + argon2-hashed password) and roles (named permission sets).

use std::fmt;

use carpetti_util::{Code, ParseError};

use crate::StoreError;

/// A user's login: a code (trimmed, non-empty, no control characters), lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Login(String);

impl Login {
    /// Parses a login with the rules of [`Code`], then lower-cases it.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let code = Code::parse(raw)?;
        if code.as_str().chars().any(char::is_whitespace) {
            return Err(ParseError(format!("{raw:?} must not contain spaces")));
        }
        Ok(Self(code.as_str().to_lowercase()))
    }

    /// The login.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A plain-text password on its way to the hasher. Never printed, never stored, never returned.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Shortest password accepted.
    pub const MIN_CHARS: usize = 8;
    /// Longest password accepted (hashing cost grows with the input).
    pub const MAX_CHARS: usize = 1024;

    /// Accepts a password of 8 to 1024 characters, kept exactly as given.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(ParseError(format!(
                "must be at least {} characters",
                Self::MIN_CHARS
            )));
        }
        if chars > Self::MAX_CHARS {
            return Err(ParseError(format!(
                "must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The plain text, for the hasher.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A named set of permissions. Business key: `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub code: Code,
    pub name: String,
    /// Permission names ("catalog.read"); the store keeps them trimmed, deduplicated and sorted.
    pub permissions: Vec<String>,
}

/// Trims, checks (non-empty, errors name `permissions[i]`), deduplicates and sorts permissions.
pub fn normalize_permissions(raw: &[String]) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, permission) in raw.iter().enumerate() {
        let trimmed = permission.trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_control) {
            return Err(StoreError::invalid(
                format!("permissions[{i}]"),
                "must be a non-empty name without control characters",
            ));
        }
        out.push(trimmed.to_owned());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A staff user. Business key: `login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: Login,
    pub display_name: String,
    pub email: Option<String>,
    /// Write-only: the new password (required on create; `None` on update keeps the current one).
    /// Always `None` in what the store returns: only the argon2 hash is stored, and it never leaves
    /// the store.
    pub password: Option<Password>,
    /// Whether the user may log in.
    pub active: bool,
    /// The user's roles by code; the store returns them sorted.
    pub role_codes: Vec<Code>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_passwords_permissions() {
        assert_eq!(Login::parse("  Anna.K ").map(|l| l.0), Ok("anna.k".into()));
        assert!(Login::parse("an na").is_err());
        assert!(Login::parse("").is_err());
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("secret-password")),
            "Ok(Password(***))"
        );
        let perms = normalize_permissions(&[" b ".into(), "a".into(), "b".into()]).expect("valid");
        assert_eq!(perms, vec!["a".to_owned(), "b".to_owned()]);
        let err = normalize_permissions(&["a".into(), " ".into()]).expect_err("blank");
        assert!(
            matches!(err, StoreError::InvalidArgument { ref field, .. } if field == "permissions[1]")
        );
    }
}
