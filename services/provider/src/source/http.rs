//! The pieces of one http request of a feed fetch: the headers (conditional GET, gzip, the
//! supplier's own) and credentials read from the environment, `Retry-After`, an error body's
//! excerpt, and error descriptions that never carry the URL (it may hold credentials).

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::fetch::Failure;
use super::{SourceError, Validators};
use crate::settings::HttpSettings;

/// Credentials of a request (read from the environment once per fetch).
pub(super) enum Auth {
    None,
    Basic(String, Option<String>),
    Bearer(String),
}

/// Conditional, encoding and the supplier's own headers; the credentials.
pub(super) fn request_headers(
    shown: &str,
    previous: &Validators,
    http: &HttpSettings,
) -> Result<(HeaderMap, Auth), SourceError> {
    let mut headers = HeaderMap::new();
    for (name, value) in &http.headers {
        let bad = || SourceError::InvalidSource(format!("{shown}: bad http header {name:?}"));
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        let value = HeaderValue::from_str(value).map_err(|_| bad())?;
        headers.insert(name, value);
    }
    headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
    let conditional = [
        (header::IF_NONE_MATCH, &previous.etag),
        (header::IF_MODIFIED_SINCE, &previous.last_modified),
    ];
    for (name, value) in conditional {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(name, value);
        }
    }
    let secret = |var: &str| {
        std::env::var(var).map_err(|_| SourceError::Credentials {
            source_name: shown.to_owned(),
            reason: format!("environment variable {var} is not set"),
        })
    };
    let auth = if let Some(var) = &http.token_env {
        Auth::Bearer(secret(var)?)
    } else if let Some(user) = &http.username {
        let password = match &http.password_env {
            Some(var) => Some(secret(var)?),
            None => None,
        };
        Auth::Basic(user.clone(), password)
    } else {
        Auth::None
    };
    Ok((headers, auth))
}

pub(super) fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Retry-After`: delta seconds or an HTTP date.
pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds();
    Some(Duration::from_millis(secs.max(0).unsigned_abs()))
}

/// The first few hundred characters of an error body, whitespace collapsed (bounded in time).
pub(super) async fn excerpt(mut response: reqwest::Response) -> String {
    const MAX_BYTES: usize = 1024;
    const MAX_CHARS: usize = 200;
    let mut body = Vec::new();
    let read = async {
        while body.len() < MAX_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_BYTES)]);
    let mut collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((cut, _)) = collapsed.char_indices().nth(MAX_CHARS) {
        collapsed.truncate(cut);
        collapsed.push('…');
    }
    collapsed
}

/// A failed send: a timeout, no connection, or a connection that broke before the response.
pub(super) fn request_error(
    shown: &str,
    error: reqwest::Error,
    connect_timeout: Duration,
) -> Failure {
    let error = if error.is_timeout() {
        SourceError::Timeout {
            source_name: shown.to_owned(),
            stage: "connect",
            after: connect_timeout,
        }
    } else if error.is_connect() {
        SourceError::Unreachable {
            source_name: shown.to_owned(),
            reason: describe(error),
        }
    } else {
        // Connected, but the exchange broke before a response (a reset, a closed connection).
        SourceError::Interrupted {
            source_name: shown.to_owned(),
            reason: describe(error),
        }
    };
    error.into()
}

/// The error and its causes, without the URL (which may carry credentials).
pub(super) fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        let part = inner.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = inner.source();
    }
    text
}

pub(super) fn io_error(shown: &str, context: &'static str, error: std::io::Error) -> SourceError {
    SourceError::Io {
        source_name: shown.to_owned(),
        context,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
