//! The [`Fetcher`]: downloads feeds over http(s) into temporary files — conditional GET, gzip,
//! basic / bearer auth from named environment variables, extra headers, connect and
//! whole-download timeouts, retries with exponential back-off and jitter (connect errors,
//! timeouts, broken bodies, 429 and 5xx honouring `Retry-After`; never other 4xx), a circuit
//! breaker per host and a size limit. Local files go through [`super::prepare_local`].

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use carpetti_util::breaker::{BreakerConfig, CircuitBreaker};
use reqwest::header::{self, HeaderMap};
use tokio::io::AsyncWriteExt;

use super::gzip::{gunzip_to_temp, is_gzip_file, new_temp, strip_gz};
use super::http::{
    Auth, describe, excerpt, header_text, io_error, parse_retry_after, request_error,
    request_headers,
};
use super::{
    Downloaded, FeedFile, FeedSource, Fetched, SourceError, Validators, prepare_local, redact_url,
};
use crate::settings::HttpSettings;

/// How a [`Fetcher`] behaves; the defaults suit supplier feeds on the public internet.
#[derive(Debug, Clone)]
pub struct FetcherConfig {
    /// Time to establish a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Whole-download time of one attempt when the supplier's `http.timeout_secs` is unset.
    pub download_timeout: Duration,
    /// Attempts per fetch (1 = no retry).
    pub max_attempts: u32,
    /// The first back-off; doubled per attempt, with jitter.
    pub backoff_base: Duration,
    /// The longest wait between attempts (also caps a server's `Retry-After`).
    pub backoff_max: Duration,
    /// The largest feed accepted, compressed on the wire and decompressed on disk.
    pub max_bytes: u64,
    /// The breaker kept per host.
    pub breaker: BreakerConfig,
    /// Where temporary feed files go (the system's temporary directory when `None`).
    pub temp_dir: Option<PathBuf>,
    pub user_agent: String,
}

impl Default for FetcherConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            download_timeout: Duration::from_secs(300),
            max_attempts: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_bytes: 2 << 30,
            breaker: BreakerConfig::default(),
            temp_dir: None,
            user_agent: concat!("carpetti-provider/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Fetches feeds; one per process (it holds the connection pool and the breakers).
pub struct Fetcher {
    client: reqwest::Client,
    config: FetcherConfig,
    breakers: Mutex<HashMap<String, Arc<CircuitBreaker>>>,
    jitter: RandomState,
}

/// One failed attempt: the error and the server's `Retry-After`, if it sent one.
pub(super) struct Failure {
    pub(super) error: SourceError,
    pub(super) retry_after: Option<Duration>,
}

impl From<SourceError> for Failure {
    fn from(error: SourceError) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

impl Fetcher {
    pub fn new(config: FetcherConfig) -> Result<Self, SourceError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| SourceError::InvalidSource(format!("http client: {}", describe(e))))?;
        Ok(Self {
            client,
            config,
            breakers: Mutex::new(HashMap::new()),
            jitter: RandomState::new(),
        })
    }

    pub fn config(&self) -> &FetcherConfig {
        &self.config
    }

    /// Fetches `source` into a complete local file. `previous` makes an http fetch conditional
    /// (a 304 is [`Fetched::NotModified`]); `progress` is told the bytes received so far.
    pub async fn fetch(
        &self,
        source: &FeedSource,
        previous: &Validators,
        http: &HttpSettings,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Fetched, SourceError> {
        let dir = self.config.temp_dir.clone();
        self.fetch_to(source, previous, http, dir, progress).await
    }

    /// [`Fetcher::fetch`] with the temporary files in `dir` (a run's own work directory).
    pub async fn fetch_in(
        &self,
        source: &FeedSource,
        previous: &Validators,
        http: &HttpSettings,
        dir: &Path,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Fetched, SourceError> {
        self.fetch_to(source, previous, http, Some(dir.to_owned()), progress)
            .await
    }

    async fn fetch_to(
        &self,
        source: &FeedSource,
        previous: &Validators,
        http: &HttpSettings,
        dir: Option<PathBuf>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Fetched, SourceError> {
        match source {
            FeedSource::File(path) => {
                let (path, limit) = (path.clone(), self.config.max_bytes);
                let shown = path.display().to_string();
                let got = tokio::task::spawn_blocking(move || {
                    prepare_local(&path, dir.as_deref(), limit)
                })
                .await
                .map_err(|e| {
                    io_error(&shown, "preparing the feed file", std::io::Error::other(e))
                })??;
                progress(got.bytes);
                Ok(Fetched::Feed(got))
            }
            FeedSource::Url(url) => self.fetch_url(url, previous, http, dir, progress).await,
        }
    }

    async fn fetch_url(
        &self,
        url: &reqwest::Url,
        previous: &Validators,
        http: &HttpSettings,
        dir: Option<PathBuf>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Fetched, SourceError> {
        let shown = redact_url(url);
        let (headers, auth) = request_headers(&shown, previous, http)?;
        let breaker = self.breaker_for(url);
        let timeout = http
            .timeout_secs
            .map_or(self.config.download_timeout, Duration::from_secs);
        let attempts = self.config.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let permit = breaker
                .try_acquire()
                .map_err(|breaker| SourceError::BreakerOpen {
                    source_name: shown.clone(),
                    breaker,
                })?;
            let outcome = tokio::time::timeout(
                timeout,
                self.attempt(url, &shown, &headers, &auth, dir.as_deref(), progress),
            )
            .await
            .unwrap_or_else(|_| {
                Err(Failure::from(SourceError::Timeout {
                    source_name: shown.clone(),
                    stage: "whole download",
                    after: timeout,
                }))
            });
            let failure = match outcome {
                Ok(fetched) => {
                    permit.success();
                    return Ok(fetched);
                }
                Err(failure) => failure,
            };
            // The breaker counts the host's trouble; a 4xx means the host is up and answering.
            if failure.error.is_transient() {
                permit.failure();
            } else {
                permit.success();
            }
            if !failure.error.is_transient() || attempt >= attempts {
                return Err(failure.error);
            }
            let wait = self.backoff(attempt, failure.retry_after);
            tracing::warn!(
                source = %shown, attempt, ?wait, error = %failure.error,
                "feed fetch failed; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One GET, its body streamed into a temporary file, gzip undone.
    async fn attempt(
        &self,
        url: &reqwest::Url,
        shown: &str,
        headers: &HeaderMap,
        auth: &Auth,
        dir: Option<&Path>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Fetched, Failure> {
        let request = self.client.get(url.clone()).headers(headers.clone());
        let request = match auth {
            Auth::None => request,
            Auth::Basic(user, password) => request.basic_auth(user, password.as_deref()),
            Auth::Bearer(token) => request.bearer_auth(token),
        };
        let response = request
            .send()
            .await
            .map_err(|e| request_error(shown, e, self.config.connect_timeout))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let body_excerpt = excerpt(response).await;
            return Err(Failure {
                error: SourceError::Status {
                    source_name: shown.to_owned(),
                    status: status.as_u16(),
                    body_excerpt,
                },
                retry_after,
            });
        }
        let limit = self.config.max_bytes;
        let too_large = || SourceError::TooLarge {
            source_name: shown.to_owned(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large().into());
        }
        let validators = Validators {
            etag: header_text(response.headers(), header::ETAG),
            last_modified: header_text(response.headers(), header::LAST_MODIFIED),
        };
        let encoding = header_text(response.headers(), header::CONTENT_ENCODING)
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty() && e != "identity");
        if let Some(other) = encoding
            .as_deref()
            .filter(|e| *e != "gzip" && *e != "x-gzip")
        {
            return Err(SourceError::InvalidSource(format!(
                "{shown}: unsupported Content-Encoding {other}"
            ))
            .into());
        }

        let temp = new_temp(dir).map_err(|e| io_error(shown, "creating a temporary file", e))?;
        let (file, mut path) = temp.into_parts();
        let mut out = tokio::io::BufWriter::with_capacity(1 << 16, tokio::fs::File::from_std(file));
        let mut response = response;
        let mut received: u64 = 0;
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    return Err(SourceError::Interrupted {
                        source_name: shown.to_owned(),
                        reason: describe(e),
                    }
                    .into());
                }
            };
            received += chunk.len() as u64;
            if received > limit {
                return Err(too_large().into());
            }
            out.write_all(&chunk)
                .await
                .map_err(|e| io_error(shown, "writing the feed", e))?;
            progress(received);
        }
        out.flush()
            .await
            .map_err(|e| io_error(shown, "writing the feed", e))?;
        drop(out);

        // Content-Encoding gzip, then a gzip file served as is (`.gz`): at most two layers.
        let mut bytes = received;
        let mut gzip_layer = encoding.is_some();
        for _ in 0..2 {
            if !gzip_layer {
                let probe = path.to_path_buf();
                gzip_layer = tokio::task::spawn_blocking(move || is_gzip_file(&probe))
                    .await
                    .map_err(std::io::Error::other)
                    .and_then(|r| r)
                    .map_err(|e| io_error(shown, "reading the feed", e))?;
            }
            if !gzip_layer {
                break;
            }
            let (src, dir) = (path.to_path_buf(), dir.map(Path::to_path_buf));
            let (inflated, size) =
                tokio::task::spawn_blocking(move || gunzip_to_temp(&src, dir.as_deref(), limit))
                    .await
                    .map_err(|e| io_error(shown, "decompressing gzip", std::io::Error::other(e)))?
                    .map_err(|e| e.into_source_error(shown, limit))?;
            path = inflated; // the compressed file is removed here
            bytes = size;
            gzip_layer = false;
        }
        Ok(Fetched::Feed(Downloaded {
            file: FeedFile::Temp(path),
            bytes,
            validators,
            source: shown.to_owned(),
            file_name: FeedSource::Url(url.clone())
                .file_name()
                .map(|n| strip_gz(&n)),
        }))
    }

    fn breaker_for(&self, url: &reqwest::Url) -> Arc<CircuitBreaker> {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let mut breakers = self
            .breakers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        breakers
            .entry(host.clone())
            .or_insert_with(|| Arc::new(CircuitBreaker::new(host, self.config.breaker)))
            .clone()
    }

    /// Exponential back-off with full jitter in its upper half; a `Retry-After` is honoured
    /// (capped at `backoff_max`).
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .config
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.config.backoff_max);
        let mut hasher = self.jitter.build_hasher();
        hasher.write_u32(attempt);
        hasher.write_u128(
            std::time::UNIX_EPOCH
                .elapsed()
                .unwrap_or_default()
                .as_nanos(),
        );
        let fraction = 0.5 + (hasher.finish() % 1000) as f64 / 2000.0;
        let jittered = exp.mul_f64(fraction);
        match retry_after {
            Some(after) => after.min(self.config.backoff_max).max(jittered),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fetch_can_run_on_any_runtime_thread() {
        fn assert_send<T: Send>(_: &T) {}
        let fetcher = Fetcher::new(FetcherConfig::default()).expect("client");
        let source = FeedSource::File("/nonexistent".into());
        let (previous, http) = (Validators::default(), HttpSettings::default());
        let progress = |_: u64| {};
        let future = fetcher.fetch(&source, &previous, &http, &progress);
        assert_send(&future);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let fetcher = Fetcher::new(FetcherConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
            ..FetcherConfig::default()
        })
        .expect("client");
        let first = fetcher.backoff(1, None);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = fetcher.backoff(3, None);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert!(fetcher.backoff(30, None) <= Duration::from_secs(1));
        assert_eq!(
            fetcher.backoff(1, Some(Duration::from_secs(60))),
            Duration::from_secs(1)
        );
    }
}
