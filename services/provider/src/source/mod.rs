//! Where a supplier's feed comes from: an http(s) URL or a local file. Whatever the source, a
//! fetch ends with a complete local file before any parsing starts, so a download that breaks
//! half-way changes nothing (its temporary file is removed when dropped).
//!
//! - [`FeedSource`]: parsed from what an operator types (`https://…`, `file://…` or a path).
//! - [`Fetcher`]: one per process; conditional GET, gzip, auth, retries, a breaker per host.
//! - [`Fetched`] / [`Downloaded`] / [`FeedFile`]: what a fetch hands to the format readers.

mod fetch;
mod gzip;
mod http;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use fetch::{Fetcher, FetcherConfig};
pub use gzip::{is_gzip_file, prepare_local};

/// Where a feed is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedSource {
    /// An http(s) URL (may carry credentials; never shown as is — see [`FeedSource::display`]).
    Url(reqwest::Url),
    /// A file on this machine.
    File(PathBuf),
}

impl FromStr for FeedSource {
    type Err = SourceError;

    /// `http://…` / `https://…` → a URL; `file://…` or anything without a scheme → a path. Other
    /// schemes (`ftp://…`) are refused.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(SourceError::InvalidSource("empty feed source".into()));
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let url = reqwest::Url::parse(text).map_err(|e| {
                SourceError::InvalidSource(format!("not a valid URL ({e}): {}", redact_text(text)))
            })?;
            return Ok(FeedSource::Url(url));
        }
        if lower.starts_with("file://") {
            let url = reqwest::Url::parse(text)
                .map_err(|e| SourceError::InvalidSource(format!("not a valid file URL: {e}")))?;
            let path = url.to_file_path().map_err(|()| {
                SourceError::InvalidSource(format!("not a local file URL: {text}"))
            })?;
            return Ok(FeedSource::File(path));
        }
        if let Some((scheme, _)) = text.split_once("://")
            && !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Err(SourceError::InvalidSource(format!(
                "unsupported scheme {scheme}:// (http, https, file or a path)"
            )));
        }
        Ok(FeedSource::File(PathBuf::from(text)))
    }
}

impl FeedSource {
    /// [`FromStr`] by name: `FeedSource::parse("https://…")`.
    pub fn parse(text: &str) -> Result<Self, SourceError> {
        text.parse()
    }

    /// The source as a report shows it: the URL without user info and with secret-looking query
    /// values masked, or the path.
    pub fn display(&self) -> String {
        match self {
            FeedSource::Url(url) => redact_url(url),
            FeedSource::File(path) => path.display().to_string(),
        }
    }

    /// The file name the source ends in (`catalog.csv.gz`), to guess a format from.
    pub fn file_name(&self) -> Option<String> {
        match self {
            FeedSource::Url(url) => url
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
                .filter(|s| !s.is_empty()),
            FeedSource::File(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()),
        }
    }
}

impl fmt::Display for FeedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// What an http server said about the version it sent, kept between runs for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Validators {
    /// The `ETag` response header, as sent (quotes and `W/` included).
    pub etag: Option<String>,
    /// The `Last-Modified` response header, as sent.
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// Whether there is anything to make a fetch conditional with.
    pub fn is_some(&self) -> bool {
        !self.is_empty()
    }
}

/// The outcome of a fetch.
#[derive(Debug)]
pub enum Fetched {
    /// The server answered 304: the feed is the one of the validators given.
    NotModified,
    /// A complete local copy of the feed.
    Feed(Downloaded),
}

/// A complete feed on local disk, ready for a format reader.
#[derive(Debug)]
pub struct Downloaded {
    pub file: FeedFile,
    /// The size of [`Downloaded::file`] (after decompression).
    pub bytes: u64,
    /// The validators of this version (empty for local files and servers that send none).
    pub validators: Validators,
    /// The source as a report shows it (no credentials; see [`FeedSource::display`]).
    pub source: String,
    /// The file name the source ends in, without a `.gz` (to guess the format from).
    pub file_name: Option<String>,
}

impl Downloaded {
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// The local file of a feed: a temporary one of ours (removed when dropped) or the operator's
/// own file, read in place.
#[derive(Debug)]
pub enum FeedFile {
    Temp(tempfile::TempPath),
    Local(PathBuf),
}

impl FeedFile {
    pub fn path(&self) -> &Path {
        match self {
            FeedFile::Temp(temp) => temp,
            FeedFile::Local(path) => path,
        }
    }
}

/// Why a feed could not be fetched. Messages name the source as [`FeedSource::display`] shows it
/// and never carry credentials.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("invalid feed source: {0}")]
    InvalidSource(String),
    #[error("{source_name}: cannot connect: {reason}")]
    Unreachable { source_name: String, reason: String },
    #[error(
        "{source_name}: HTTP {status}{}{}",
        reason_phrase(*.status),
        excerpt_suffix(.body_excerpt)
    )]
    Status {
        source_name: String,
        status: u16,
        body_excerpt: String,
    },
    #[error("{source_name}: the feed is larger than the limit of {limit} bytes")]
    TooLarge { source_name: String, limit: u64 },
    #[error("{source_name}: timed out after {after:?} ({stage})")]
    Timeout {
        source_name: String,
        stage: &'static str,
        after: Duration,
    },
    #[error("{source_name}: the download broke off: {reason}")]
    Interrupted { source_name: String, reason: String },
    #[error("{source_name}: {breaker}")]
    BreakerOpen {
        source_name: String,
        breaker: carpetti_util::breaker::BreakerOpen,
    },
    #[error("{source_name}: credentials: {reason}")]
    Credentials { source_name: String, reason: String },
    #[error("{source_name}: {context}: {error}")]
    Io {
        source_name: String,
        context: &'static str,
        error: std::io::Error,
    },
}

impl SourceError {
    /// Whether another attempt may succeed (network trouble, 429, 5xx); never for 4xx.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Unreachable { .. }
            | SourceError::Timeout { .. }
            | SourceError::Interrupted { .. } => true,
            SourceError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            SourceError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn reason_phrase(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(": {excerpt}")
    }
}

/// Query parameter names whose values are masked in what we show.
const SECRET_HINTS: [&str; 8] = [
    "token", "key", "secret", "pass", "auth", "sig", "session", "sid",
];

/// The URL without user info, with secret-looking query values replaced by `***`.
pub(crate) fn redact_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    // Both only fail for URLs that cannot have credentials (no host), which is fine to ignore.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if shown.query().is_some() {
        let pairs: Vec<(String, String)> = shown
            .query_pairs()
            .map(|(k, v)| {
                let lower = k.to_lowercase();
                let secret = SECRET_HINTS.iter().any(|h| lower.contains(h));
                let value = if secret {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), value)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

/// [`redact_url`] for text that did not parse as a URL: drops anything between `://` and `@`.
fn redact_text(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***{}", &text[..scheme_end + 3], &text[at..])
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_by_scheme() {
        let url: FeedSource = "https://feeds.example.com/a.xml".parse().expect("url");
        assert!(matches!(url, FeedSource::Url(_)));
        let path: FeedSource = "./feeds/a.csv".parse().expect("path");
        assert_eq!(path, FeedSource::File(PathBuf::from("./feeds/a.csv")));
        let file: FeedSource = "file:///tmp/a.csv".parse().expect("file url");
        assert_eq!(file, FeedSource::File(PathBuf::from("/tmp/a.csv")));
        assert!("ftp://example.com/a.csv".parse::<FeedSource>().is_err());
        assert!("  ".parse::<FeedSource>().is_err());
    }

    #[test]
    fn shown_sources_carry_no_credentials() {
        let source: FeedSource = "https://bob:hunter2@example.com/feed.xml?token=abc&format=yml"
            .parse()
            .expect("url");
        let shown = source.display();
        assert!(!shown.contains("bob") && !shown.contains("hunter2") && !shown.contains("abc"));
        assert!(
            shown.contains("format=yml") && shown.contains("token=***"),
            "{shown}"
        );
        assert_eq!(source.file_name().as_deref(), Some("feed.xml"));
        assert_eq!(
            redact_text("https://bob:pw@exa mple.com/x"),
            "https://***@exa mple.com/x"
        );
    }
}
