//! A tiny http feed server on 127.0.0.1:0 (axum) serving a real YML feed at `/feed.xml` with an
//! ETag and a Last-Modified, answering 304 to a request that sends either back; it records the
//! conditional headers of each request, signals each arrival, and can hold each download until
//! the test lets it go.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use tokio::sync::{Notify, Semaphore};

use super::harness::real_feed;

pub const ETAG: &str = "\"feed-v1\"";
pub const LAST_MODIFIED: &str = "Tue, 01 Dec 2026 10:00:00 GMT";

/// The conditional headers of one request: (If-None-Match, If-Modified-Since).
pub type Conditional = (Option<String>, Option<String>);

/// The feed server's state: the requests it saw, a signal per arrival; with `hold`, each 200 waits
/// for a permit (`hold.add_permits(1)` lets one download go).
pub struct Feed {
    body: Vec<u8>,
    pub seen: Mutex<Vec<Conditional>>,
    pub arrived: Notify,
    pub hold: Option<Semaphore>,
}

async fn feed(State(feed): State<Arc<Feed>>, headers: HeaderMap) -> Response {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let conditional = (text(header::IF_NONE_MATCH), text(header::IF_MODIFIED_SINCE));
    let fresh =
        conditional.0.as_deref() == Some(ETAG) || conditional.1.as_deref() == Some(LAST_MODIFIED);
    feed.seen.lock().expect("lock").push(conditional);
    feed.arrived.notify_one();
    let response = Response::builder()
        .header(header::ETAG, ETAG)
        .header(header::LAST_MODIFIED, LAST_MODIFIED);
    if fresh {
        return response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("response");
    }
    if let Some(hold) = &feed.hold {
        hold.acquire().await.expect("permit").forget();
    }
    response
        .status(StatusCode::OK)
        .body(Body::from(feed.body.clone()))
        .expect("response")
}

pub async fn serve(hold: bool) -> Result<(SocketAddr, Arc<Feed>)> {
    let body = std::fs::read(real_feed(
        "yandex-official-yandex_products_Moscow_feed_with_delivery.xml",
    ))?;
    let state = Arc::new(Feed {
        body,
        seen: Mutex::new(Vec::new()),
        arrived: Notify::new(),
        hold: hold.then(|| Semaphore::new(0)),
    });
    let app = axum::Router::new()
        .route("/feed.xml", axum::routing::get(feed))
        .with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((address, state))
}
