//! What one attempt's result means for the breaker and for a retry.

use std::time::Duration;

use http::Response;
use tonic::body::Body;

/// The class of one attempt's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The server answered (any gRPC status carried in the body's trailers, or OK).
    Ok,
    /// The server answered with an application error (NOT_FOUND, INVALID_ARGUMENT…): the
    /// instance is healthy.
    Error,
    /// The connection was refused: the request never left this process.
    Refused,
    /// UNAVAILABLE, a broken connection or another transport failure.
    Unavailable,
    /// No answer within the attempt's deadline.
    Timeout,
}

/// An attempt that got no response headers within its deadline.
#[derive(Debug, thiserror::Error)]
#[error("no answer within {0:?}")]
pub(crate) struct AttemptTimedOut(pub(crate) Duration);

/// A response: a trailers-only answer carries its `grpc-status` in the headers; UNAVAILABLE (14)
/// means the instance cannot serve (shutting down, overloaded).
pub(crate) fn classify_response(response: &Response<Body>) -> Outcome {
    match response
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
    {
        None | Some("0") => Outcome::Ok,
        Some("14") => Outcome::Unavailable,
        Some("4") => Outcome::Timeout,
        Some(_) => Outcome::Error,
    }
}

/// A transport error: refused connections and refused streams are told apart because only they are safe to retry
/// for any method.
pub(crate) fn classify_error(error: &(dyn std::error::Error + 'static)) -> Outcome {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = current {
        if err.is::<AttemptTimedOut>() || err.is::<tonic::TimeoutExpired>() {
            return Outcome::Timeout;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return Outcome::Refused;
        }
        // hyper: "a pending item was dropped before ever being processed" — the connection closed
        // while the request still waited to be written.
        if let Some(hyper) = err.downcast_ref::<hyper::Error>()
            && hyper.is_canceled()
        {
            return Outcome::Refused;
        }
        // A server draining for shutdown refuses new streams with REFUSED_STREAM, which by
        // HTTP/2's definition were not processed at all.
        if let Some(h2) = err.downcast_ref::<h2::Error>() {
            if h2.reason() == Some(h2::Reason::REFUSED_STREAM) {
                return Outcome::Refused;
            }
            // A stream failed with the server's GOAWAY was above its last-stream-id: by RFC 9113
            // §6.8 the server did not process it (streams it kept run to completion).
            if h2.is_go_away() && h2.is_remote() {
                return Outcome::Refused;
            }
        }
        current = err.source();
    }
    Outcome::Unavailable
}

/// Whether an error of type `T` is anywhere in `error`'s source chain.
pub(crate) fn in_chain<T: std::error::Error + 'static>(
    error: &(dyn std::error::Error + 'static),
) -> bool {
    let mut current = Some(error);
    while let Some(err) = current {
        if err.is::<T>() {
            return true;
        }
        current = err.source();
    }
    false
}
