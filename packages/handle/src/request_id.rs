//! Request ids (`x-request-id`) and the per-request tracing span, as one tower layer.
//!
//! The layer takes the caller's `x-request-id` (or generates a UUIDv7), puts it in the request
//! (header and [`RequestId`] extension, so handlers and outgoing calls can pass it on), echoes it in
//! the response, and runs the request in a `grpc` span that records the method path, the id, the
//! gRPC status and the latency when the response ends (trailers), then logs `request finished`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{HeaderMap, HeaderValue, Request, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use tonic::body::Body;
use tower::{Layer, Service};
use tracing::{Instrument, Span, field};

/// The header carrying the request id, in requests and responses.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest request id accepted from a caller; a longer (or non-printable) one is replaced.
const MAX_LEN: usize = 128;

/// The id of one request: the caller's `x-request-id`, or a generated UUIDv7.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    /// A fresh UUIDv7 id.
    pub fn generate() -> RequestId {
        RequestId(uuid::Uuid::now_v7().to_string())
    }

    /// Accepts a caller's id: 1 to 128 visible ASCII characters.
    pub fn parse(value: &str) -> Option<RequestId> {
        let ok = !value.is_empty()
            && value.len() <= MAX_LEN
            && value.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| RequestId(value.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of a request being handled: the one the layer stored, else the header.
    pub fn of<T>(request: &tonic::Request<T>) -> Option<RequestId> {
        request
            .extensions()
            .get::<RequestId>()
            .cloned()
            .or_else(|| {
                request
                    .metadata()
                    .get(REQUEST_ID_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(RequestId::parse)
            })
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tower layer adding request ids and a tracing span to every request of a gRPC server.
/// [`crate::GrpcServer`] installs it; it is public for servers built by hand.
#[derive(Debug, Clone)]
pub struct RequestContextLayer {
    service: &'static str,
}

impl RequestContextLayer {
    /// A layer whose spans carry `service` (e.g. `"persist"`).
    pub fn new(service: &'static str) -> RequestContextLayer {
        RequestContextLayer { service }
    }
}

impl<S> Layer<S> for RequestContextLayer {
    type Service = RequestContext<S>;

    fn layer(&self, inner: S) -> RequestContext<S> {
        RequestContext {
            inner,
            service: self.service,
        }
    }
}

/// The service made by [`RequestContextLayer`].
#[derive(Debug, Clone)]
pub struct RequestContext<S> {
    inner: S,
    service: &'static str,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B> Service<Request<B>> for RequestContext<S>
where
    S: Service<Request<B>, Response = Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<Body>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let id = req
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(RequestId::parse)
            .unwrap_or_else(RequestId::generate);
        let header = HeaderValue::from_str(id.as_str()).ok();
        if let Some(header) = &header {
            req.headers_mut().insert(REQUEST_ID_HEADER, header.clone());
        }
        req.extensions_mut().insert(id.clone());

        let path = req.uri().path().to_owned();
        let quiet = path.starts_with("/grpc.health.") || path.starts_with("/grpc.reflection.");
        let span = tracing::info_span!(
            "grpc",
            service = self.service,
            method = %path,
            request_id = %id,
            grpc_status = field::Empty,
            latency_ms = field::Empty,
        );
        let start = Instant::now();
        let future = span.in_scope(|| self.inner.call(req));

        Box::pin(async move {
            let response = future.instrument(span.clone()).await?;
            let (mut parts, body) = response.into_parts();
            if let Some(header) = header {
                parts.headers.insert(REQUEST_ID_HEADER, header);
            }
            let mut recorder = Recorder {
                span,
                start,
                quiet,
                done: false,
            };
            // A trailers-only response (most errors) has its status in the headers.
            let body = match grpc_status(&parts.headers) {
                Some(code) => {
                    recorder.finish(&code);
                    body
                }
                None => Body::new(RecordBody {
                    inner: body,
                    recorder,
                }),
            };
            Ok(Response::from_parts(parts, body))
        })
    }
}

fn grpc_status(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get("grpc-status")?;
    let code = tonic::Code::from_bytes(raw.as_bytes());
    Some(format!("{code:?}"))
}

/// Records the outcome of one request in its span, once.
struct Recorder {
    span: Span,
    start: Instant,
    quiet: bool,
    done: bool,
}

impl Recorder {
    fn finish(&mut self, status: &str) {
        if self.done {
            return;
        }
        self.done = true;
        let latency_ms = self.start.elapsed().as_secs_f64() * 1000.0;
        self.span.record("grpc_status", status);
        self.span.record("latency_ms", latency_ms);
        let _entered = self.span.enter();
        if self.quiet {
            tracing::debug!("request finished");
        } else {
            tracing::info!("request finished");
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // The body was dropped before its trailers: the client went away mid-response.
        self.finish("Cancelled");
    }
}

/// A response body that records the gRPC status when its trailers pass.
struct RecordBody {
    inner: Body,
    recorder: Recorder,
}

impl HttpBody for RecordBody {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    let status = grpc_status(trailers).unwrap_or_else(|| "Unknown".to_owned());
                    this.recorder.finish(&status);
                }
            }
            Poll::Ready(Some(Err(status))) => this.recorder.finish(&format!("{:?}", status.code())),
            Poll::Ready(None) => this.recorder.finish("Unknown"),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn parse_accepts_printable_ids_only() {
        assert_eq!(
            RequestId::parse("abc-123").map(|r| r.0),
            Some("abc-123".to_owned())
        );
        assert!(RequestId::parse("").is_none());
        assert!(RequestId::parse("has space").is_none());
        assert!(RequestId::parse(&"x".repeat(129)).is_none());
        assert!(RequestId::parse(&"x".repeat(128)).is_some());
    }

    #[test]
    fn generated_ids_are_uuid_v7() {
        let id = RequestId::generate();
        let parsed = uuid::Uuid::parse_str(id.as_str()).ok();
        assert_eq!(parsed.map(|u| u.get_version_num()), Some(7));
    }
}
