//! The http(s) feed source against a real HTTP server on 127.0.0.1:0 (axum): conditional GET,
//! gzip both ways, auth, retries and their limits, timeouts, the per-host breaker, the size
//! limit — and that a failed download leaves no file behind.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use carpetti_provider::HttpSettings;
use carpetti_provider::source::{
    FeedFile, FeedSource, Fetched, Fetcher, FetcherConfig, SourceError, Validators,
};
use carpetti_util::breaker::BreakerConfig;
use flate2::Compression;
use flate2::write::GzEncoder;

const FEED: &str = "<?xml version=\"1.0\"?><yml_catalog><shop><offers/></shop></yml_catalog>\n";
const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Tue, 01 Dec 2026 10:00:00 GMT";

/// Requests seen per path.
#[derive(Default)]
struct Seen {
    hits: Mutex<HashMap<String, u32>>,
}

impl Seen {
    fn hit(&self, path: &str) -> u32 {
        let mut hits = self.hits.lock().expect("lock");
        let n = hits.entry(path.to_owned()).or_default();
        *n += 1;
        *n
    }

    fn count(&self, path: &str) -> u32 {
        self.hits
            .lock()
            .expect("lock")
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

fn respond(status: StatusCode, headers: &[(header::HeaderName, &str)], body: Body) -> Response {
    let mut response = Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(name, *value);
    }
    response.body(body).expect("response")
}

/// The expected basic-auth header: user "feeds", the password from $PATH (tests cannot set
/// environment variables without `unsafe`; PATH is always there).
fn expected_basic() -> String {
    let path = std::env::var("PATH").expect("PATH");
    let user_pass = format!("feeds:{path}");
    format!("Basic {}", base64(user_pass.as_bytes()))
}

fn base64(input: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ABC[(n >> (18 - 6 * i)) as usize & 63])
            } else {
                '='
            });
        }
    }
    out
}

async fn handle(State(seen): State<Arc<Seen>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let n = seen.hit(&path);
    let header_is = |name: header::HeaderName, value: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()) == Some(value)
    };
    match path.as_str() {
        "/feed.xml" => {
            if header_is(header::IF_NONE_MATCH, ETAG)
                || header_is(header::IF_MODIFIED_SINCE, LAST_MODIFIED)
            {
                return respond(StatusCode::NOT_MODIFIED, &[], Body::empty());
            }
            respond(
                StatusCode::OK,
                &[(header::ETAG, ETAG), (header::LAST_MODIFIED, LAST_MODIFIED)],
                Body::from(FEED),
            )
        }
        "/encoded.xml" => {
            let accepts = headers
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("gzip"));
            assert!(accepts, "the client asks for gzip");
            respond(
                StatusCode::OK,
                &[(header::CONTENT_ENCODING, "gzip")],
                Body::from(gzip(FEED.as_bytes())),
            )
        }
        "/feed.xml.gz" => respond(
            StatusCode::OK,
            &[(header::CONTENT_TYPE, "application/gzip")],
            Body::from(gzip(FEED.as_bytes())),
        ),
        "/bomb.xml" => respond(
            StatusCode::OK,
            &[(header::CONTENT_ENCODING, "gzip")],
            Body::from(gzip(&vec![b' '; 1 << 20])),
        ),
        "/big.xml" => respond(StatusCode::OK, &[], Body::from(vec![b' '; 50_000])),
        "/private.xml" => {
            let ok = header_is(header::AUTHORIZATION, &expected_basic())
                || header_is(header::AUTHORIZATION, "Basic Ym9iOnMzY3JldA==") // bob:s3cret
                || header_is(header::AUTHORIZATION, "Bearer tok-123");
            if ok {
                respond(StatusCode::OK, &[], Body::from(FEED))
            } else {
                respond(
                    StatusCode::UNAUTHORIZED,
                    &[(header::WWW_AUTHENTICATE, "Basic realm=\"feeds\"")],
                    Body::from("  Authorization\n required  "),
                )
            }
        }
        "/flaky.xml" => match n {
            1 => respond(
                StatusCode::SERVICE_UNAVAILABLE,
                &[(header::RETRY_AFTER, "1")],
                Body::from("busy"),
            ),
            2 => respond(StatusCode::SERVICE_UNAVAILABLE, &[], Body::from("busy")),
            _ => respond(StatusCode::OK, &[], Body::from(FEED)),
        },
        "/down.xml" => respond(StatusCode::INTERNAL_SERVER_ERROR, &[], Body::from("oops")),
        "/broken.xml" => {
            use futures::StreamExt;
            let first = futures::stream::iter(vec![Ok(Bytes::from(vec![b'<'; 64 * 1024]))]);
            let fall = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Err(std::io::Error::other("the server fell over"))
            });
            respond(StatusCode::OK, &[], Body::from_stream(first.chain(fall)))
        }
        "/slow.xml" => {
            use futures::StreamExt;
            let first =
                futures::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from("<yml_catalog>"))]);
            let stall = futures::stream::once(async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(Bytes::new())
            });
            respond(StatusCode::OK, &[], Body::from_stream(first.chain(stall)))
        }
        _ => respond(StatusCode::NOT_FOUND, &[], Body::from("no such feed")),
    }
}

async fn serve() -> (SocketAddr, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&seen));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

fn fetcher(temp: &Path) -> Fetcher {
    Fetcher::new(FetcherConfig {
        connect_timeout: Duration::from_secs(2),
        download_timeout: Duration::from_secs(10),
        max_attempts: 3,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_secs(2),
        temp_dir: Some(temp.to_owned()),
        ..FetcherConfig::default()
    })
    .expect("fetcher")
}

fn url(addr: SocketAddr, path: &str) -> FeedSource {
    FeedSource::parse(&format!("http://{addr}{path}")).expect("url")
}

fn no_progress(_: u64) {}

fn downloaded(fetched: Fetched) -> carpetti_provider::source::Downloaded {
    match fetched {
        Fetched::Feed(feed) => feed,
        Fetched::NotModified => panic!("expected a download"),
    }
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).expect("ls").count()
}

#[tokio::test]
async fn conditional_get_answers_not_modified_with_the_validators() {
    let (addr, seen) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = fetcher(temp.path());
    let http = HttpSettings::default();
    let progress = Mutex::new(Vec::new());
    let report = |bytes| progress.lock().expect("lock").push(bytes);
    let feed = downloaded(
        fetcher
            .fetch(
                &url(addr, "/feed.xml"),
                &Validators::default(),
                &http,
                &report,
            )
            .await
            .expect("first fetch"),
    );
    assert_eq!(std::fs::read_to_string(feed.path()).expect("read"), FEED);
    assert_eq!(feed.bytes, FEED.len() as u64);
    assert_eq!(
        progress.lock().expect("lock").last(),
        Some(&(FEED.len() as u64))
    );
    assert_eq!(
        feed.validators,
        Validators {
            etag: Some(ETAG.into()),
            last_modified: Some(LAST_MODIFIED.into()),
        }
    );
    assert_eq!(feed.file_name.as_deref(), Some("feed.xml"));
    let again = fetcher
        .fetch(
            &url(addr, "/feed.xml"),
            &feed.validators,
            &http,
            &no_progress,
        )
        .await
        .expect("second fetch");
    assert!(matches!(again, Fetched::NotModified));
    // Last-Modified alone is enough too.
    let by_date = Validators {
        etag: None,
        last_modified: Some(LAST_MODIFIED.into()),
    };
    let again = fetcher
        .fetch(&url(addr, "/feed.xml"), &by_date, &http, &no_progress)
        .await
        .expect("third fetch");
    assert!(matches!(again, Fetched::NotModified));
    assert_eq!(seen.count("/feed.xml"), 3);
    drop(feed);
    assert_eq!(
        files_in(temp.path()),
        0,
        "the temporary file goes with the value"
    );
}

#[tokio::test]
async fn gzip_by_content_encoding_and_by_file_is_undone() {
    let (addr, _) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = fetcher(temp.path());
    let http = HttpSettings::default();
    for path in ["/encoded.xml", "/feed.xml.gz"] {
        let feed = downloaded(
            fetcher
                .fetch(
                    &url(addr, path),
                    &Validators::default(),
                    &http,
                    &no_progress,
                )
                .await
                .expect("fetch"),
        );
        assert_eq!(
            std::fs::read_to_string(feed.path()).expect("read"),
            FEED,
            "{path}"
        );
        assert_eq!(feed.bytes, FEED.len() as u64);
        assert_eq!(
            feed.file_name.as_deref().map(|n| n.ends_with(".xml")),
            Some(true)
        );
        drop(feed);
        assert_eq!(files_in(temp.path()), 0, "the compressed copy is gone too");
    }
}

#[tokio::test]
async fn basic_auth_from_the_environment_and_a_clear_401_without_it() {
    let (addr, _) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = fetcher(temp.path());
    let source = url(addr, "/private.xml");

    let err = fetcher
        .fetch(
            &source,
            &Validators::default(),
            &HttpSettings::default(),
            &no_progress,
        )
        .await
        .expect_err("401");
    assert_eq!(err.status(), Some(401));
    let text = err.to_string();
    assert!(
        text.contains("HTTP 401 Unauthorized: Authorization required"),
        "{text}"
    );

    let http = HttpSettings {
        username: Some("feeds".into()),
        password_env: Some("PATH".into()),
        ..HttpSettings::default()
    };
    let feed = downloaded(
        fetcher
            .fetch(&source, &Validators::default(), &http, &no_progress)
            .await
            .expect("authorized"),
    );
    assert_eq!(std::fs::read_to_string(feed.path()).expect("read"), FEED);

    let bearer = HttpSettings {
        token_env: Some("CARPETTI_TEST_UNSET_TOKEN_VARIABLE".into()),
        ..HttpSettings::default()
    };
    let err = fetcher
        .fetch(&source, &Validators::default(), &bearer, &no_progress)
        .await
        .expect_err("no token");
    assert!(matches!(err, SourceError::Credentials { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("CARPETTI_TEST_UNSET_TOKEN_VARIABLE")
    );

    // Credentials in the URL work and never show.
    let with_user =
        FeedSource::parse(&format!("http://bob:s3cret@{addr}/private.xml")).expect("url");
    let feed = downloaded(
        fetcher
            .fetch(
                &with_user,
                &Validators::default(),
                &HttpSettings::default(),
                &no_progress,
            )
            .await
            .expect("userinfo auth"),
    );
    assert!(
        !feed.source.contains("s3cret") && !feed.source.contains("bob"),
        "{}",
        feed.source
    );
}

#[tokio::test]
async fn a_body_that_breaks_half_way_is_an_error_and_leaves_nothing() {
    let (addr, seen) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = fetcher(temp.path());
    let err = fetcher
        .fetch(
            &url(addr, "/broken.xml"),
            &Validators::default(),
            &HttpSettings::default(),
            &no_progress,
        )
        .await
        .expect_err("broken body");
    assert!(matches!(err, SourceError::Interrupted { .. }), "{err}");
    assert!(err.to_string().contains("broke off"), "{err}");
    assert_eq!(seen.count("/broken.xml"), 3, "a broken body is retried");
    assert_eq!(files_in(temp.path()), 0, "no partial file is left");
}

#[tokio::test]
async fn server_errors_are_retried_honouring_retry_after_and_404_is_not() {
    let (addr, seen) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = fetcher(temp.path());
    let http = HttpSettings::default();
    let started = Instant::now();
    let feed = downloaded(
        fetcher
            .fetch(
                &url(addr, "/flaky.xml"),
                &Validators::default(),
                &http,
                &no_progress,
            )
            .await
            .expect("third time lucky"),
    );
    assert_eq!(std::fs::read_to_string(feed.path()).expect("read"), FEED);
    assert_eq!(seen.count("/flaky.xml"), 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );

    let err = fetcher
        .fetch(
            &url(addr, "/gone.xml"),
            &Validators::default(),
            &http,
            &no_progress,
        )
        .await
        .expect_err("404");
    assert_eq!(err.status(), Some(404));
    assert!(err.to_string().contains("no such feed"), "{err}");
    assert_eq!(seen.count("/gone.xml"), 1, "a 4xx is never retried");
}

#[tokio::test]
async fn a_slow_download_times_out_and_leaves_nothing() {
    let (addr, _) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = Fetcher::new(FetcherConfig {
        max_attempts: 1,
        temp_dir: Some(temp.path().to_owned()),
        ..FetcherConfig::default()
    })
    .expect("fetcher");
    let http = HttpSettings {
        timeout_secs: Some(1),
        ..HttpSettings::default()
    };
    let started = Instant::now();
    let err = fetcher
        .fetch(
            &url(addr, "/slow.xml"),
            &Validators::default(),
            &http,
            &no_progress,
        )
        .await
        .expect_err("timeout");
    assert!(
        matches!(err, SourceError::Timeout { after, .. } if after == Duration::from_secs(1)),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(files_in(temp.path()), 0);
}

#[tokio::test]
async fn the_breaker_opens_after_repeated_failures_of_a_host() {
    let (addr, seen) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = Fetcher::new(FetcherConfig {
        max_attempts: 1,
        breaker: BreakerConfig {
            failure_threshold: 3,
            open_for: Duration::from_secs(60),
        },
        temp_dir: Some(temp.path().to_owned()),
        ..FetcherConfig::default()
    })
    .expect("fetcher");
    let http = HttpSettings::default();
    for _ in 0..3 {
        let err = fetcher
            .fetch(
                &url(addr, "/down.xml"),
                &Validators::default(),
                &http,
                &no_progress,
            )
            .await
            .expect_err("500");
        assert_eq!(err.status(), Some(500));
    }
    let err = fetcher
        .fetch(
            &url(addr, "/feed.xml"),
            &Validators::default(),
            &http,
            &no_progress,
        )
        .await
        .expect_err("open");
    assert!(matches!(err, SourceError::BreakerOpen { .. }), "{err}");
    assert_eq!(seen.count("/feed.xml"), 0, "an open breaker sends nothing");
    assert_eq!(seen.count("/down.xml"), 3);
}

#[tokio::test]
async fn feeds_over_the_size_limit_are_refused_compressed_or_not() {
    let (addr, _) = serve().await;
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = Fetcher::new(FetcherConfig {
        max_bytes: 20_000,
        temp_dir: Some(temp.path().to_owned()),
        ..FetcherConfig::default()
    })
    .expect("fetcher");
    assert!(
        gzip(&vec![b' '; 1 << 20]).len() < 20_000,
        "the bomb passes the wire limit and stops at the decompressed one"
    );
    for path in ["/big.xml", "/bomb.xml"] {
        let err = fetcher
            .fetch(
                &url(addr, path),
                &Validators::default(),
                &HttpSettings::default(),
                &no_progress,
            )
            .await
            .expect_err("too large");
        assert!(
            matches!(err, SourceError::TooLarge { limit: 20_000, .. }),
            "{path}: {err}"
        );
        assert_eq!(files_in(temp.path()), 0);
    }
}

#[tokio::test]
async fn an_unreachable_host_is_retried_then_reported_without_credentials() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let temp = tempfile::tempdir().expect("temp");
    let fetcher = fetcher(temp.path());
    let source = FeedSource::parse(&format!(
        "http://bob:s3cret@127.0.0.1:{port}/feed.xml?api_key=k-42"
    ))
    .expect("url");
    let err = fetcher
        .fetch(
            &source,
            &Validators::default(),
            &HttpSettings::default(),
            &no_progress,
        )
        .await
        .expect_err("refused");
    assert!(matches!(err, SourceError::Unreachable { .. }), "{err}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("s3cret") && !text.contains("k-42"), "{text}");
}

#[tokio::test]
async fn a_local_file_is_used_in_place() {
    let temp = tempfile::tempdir().expect("temp");
    let path = temp.path().join("feed.xml");
    std::fs::write(&path, FEED).expect("write");
    let fetcher = fetcher(temp.path());
    let feed = downloaded(
        fetcher
            .fetch(
                &FeedSource::parse(path.to_str().expect("utf-8 path")).expect("path"),
                &Validators::default(),
                &HttpSettings::default(),
                &no_progress,
            )
            .await
            .expect("local"),
    );
    assert!(matches!(&feed.file, FeedFile::Local(p) if *p == path));
    drop(feed);
    assert!(path.exists(), "the operator's file is never removed");
}
