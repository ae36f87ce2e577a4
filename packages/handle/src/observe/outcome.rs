//! How one gRPC call ended, read off the HTTP response: the `grpc-status` of a trailers-only
//! response (its headers), else of the trailers once the body has been read to the end. Used by
//! the server and client metrics layers.

use std::pin::Pin;
use std::task::{Context, Poll};

use http::HeaderMap;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tonic::Code;
use tonic::body::Body;

/// Receives the outcome of one call, exactly once.
pub(crate) trait Finish: Send + Unpin + 'static {
    /// Called with the call's status code when it is known.
    fn finish(self, code: Code);
}

/// The canonical name of a status code, as in the gRPC spec: `OK`, `NOT_FOUND`, …
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The `grpc-status` in `headers`, if present.
pub(crate) fn status_in(headers: &HeaderMap) -> Option<Code> {
    headers
        .get("grpc-status")
        .map(|raw| Code::from_bytes(raw.as_bytes()))
}

/// Splits `/package.Service/Method` into its service and method; `None` for any other path.
pub(crate) fn split_path(path: &str) -> Option<(&str, &str)> {
    let (service, method) = path.strip_prefix('/')?.split_once('/')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
    };
    (plain(service) && plain(method)).then_some((service, method))
}

/// Wraps a response: finishes at once for a trailers-only response, else when the body ends.
pub(crate) fn watch_response<F: Finish>(
    response: http::Response<Body>,
    finish: F,
) -> http::Response<Body> {
    match status_in(response.headers()) {
        Some(code) => {
            finish.finish(code);
            response
        }
        None => response.map(|inner| {
            Body::new(OutcomeBody {
                inner,
                finish: Some(finish),
            })
        }),
    }
}

/// A response body reporting the `grpc-status` of its trailers; dropped before its end (the
/// peer went away, or the caller gave up), it reports `CANCELLED`.
struct OutcomeBody<F: Finish> {
    inner: Body,
    finish: Option<F>,
}

impl<F: Finish> OutcomeBody<F> {
    fn done(&mut self, code: Code) {
        if let Some(finish) = self.finish.take() {
            finish.finish(code);
        }
    }
}

impl<F: Finish> HttpBody for OutcomeBody<F> {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        // `OutcomeBody` is Unpin (Body and F: Finish are), so the fields can be reached directly.
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    this.done(status_in(trailers).unwrap_or(Code::Unknown));
                }
            }
            Poll::Ready(Some(Err(status))) => this.done(status.code()),
            Poll::Ready(None) => this.done(Code::Unknown),
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

impl<F: Finish> Drop for OutcomeBody<F> {
    fn drop(&mut self) {
        self.done(Code::Cancelled);
    }
}

#[cfg(test)]
mod tests {
    use super::split_path;

    #[test]
    fn splits_grpc_paths_only() {
        assert_eq!(
            split_path("/grpc.health.v1.Health/Check"),
            Some(("grpc.health.v1.Health", "Check"))
        );
        assert_eq!(split_path("/metrics"), None);
        assert_eq!(split_path("/a/b/c"), None);
        assert_eq!(split_path("//Check"), None);
        assert_eq!(split_path("/svc/Me thod"), None);
    }
}
