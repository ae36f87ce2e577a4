//! [`TraceContext`]: the W3C Trace Context (`traceparent` version 00 and `tracestate`), parsed,
//! validated and formatted by hand — the format is small and fixed, an OpenTelemetry SDK would
//! bring a whole pipeline (exporters, processors) this project does not use.

use std::fmt;

use rand_core::{OsRng, RngCore};

/// The `traceparent` header / metadata key / queue header.
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// The `tracestate` header / metadata key / queue header.
pub const TRACESTATE_HEADER: &str = "tracestate";

/// The `sampled` bit of the trace flags.
const FLAG_SAMPLED: u8 = 0x01;
/// Length of a version-00 `traceparent`: `00-` + 32 + `-` + 16 + `-` + 2.
const TRACEPARENT_LEN: usize = 55;
/// At most this many `tracestate` list members (W3C: 32).
const MAX_TRACESTATE_MEMBERS: usize = 32;
/// Longest `tracestate` value kept (W3C asks to propagate at least 512 characters).
const MAX_TRACESTATE_LEN: usize = 512;

/// One span's place in a distributed trace: the trace id shared by every service the flow
/// passes through, this span's own id, the caller's span id (when continued from a caller),
/// the trace flags and the vendors' `tracestate`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TraceContext {
    trace_id: [u8; 16],
    span_id: [u8; 8],
    parent_span_id: Option<[u8; 8]>,
    flags: u8,
    tracestate: Option<String>,
}

/// A trace context as the two strings carried in queue message headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHeaders {
    /// `traceparent`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
    pub traceparent: String,
    /// `tracestate`, when the trace carries one.
    pub tracestate: Option<String>,
}

impl TraceContext {
    /// A new trace: random trace id and span id, sampled, no parent.
    pub fn new_root() -> TraceContext {
        TraceContext {
            trace_id: random_nonzero(),
            span_id: random_nonzero(),
            parent_span_id: None,
            flags: FLAG_SAMPLED,
            tracestate: None,
        }
    }

    /// A new span in the same trace whose parent is this span (same flags and `tracestate`).
    pub fn child(&self) -> TraceContext {
        TraceContext {
            trace_id: self.trace_id,
            span_id: random_nonzero(),
            parent_span_id: Some(self.span_id),
            flags: self.flags,
            tracestate: self.tracestate.clone(),
        }
    }

    /// Parses a received `traceparent` (and `tracestate`, kept only when valid). Returns `None`
    /// for anything malformed — the caller then starts a new trace; a bad header is never an error.
    ///
    /// The result describes the *remote* span: its [`span_id`](Self::span_id) is the caller's.
    /// Use [`child`](Self::child) (or [`TraceContext::continue_from`]) for the local span.
    pub fn parse(traceparent: &str, tracestate: Option<&str>) -> Option<TraceContext> {
        let (trace_id, span_id, flags) = parse_traceparent(traceparent.trim())?;
        Some(TraceContext {
            trace_id,
            span_id,
            parent_span_id: None,
            flags,
            tracestate: tracestate.and_then(normalize_tracestate),
        })
    }

    /// The local span continuing a received context: a child of it when `traceparent` parses,
    /// else a new root. Never fails.
    pub fn continue_from(traceparent: Option<&str>, tracestate: Option<&str>) -> TraceContext {
        match traceparent.and_then(|tp| TraceContext::parse(tp, tracestate)) {
            Some(remote) => remote.child(),
            None => TraceContext::new_root(),
        }
    }

    /// The 16-byte trace id.
    pub fn trace_id(&self) -> [u8; 16] {
        self.trace_id
    }

    /// The trace id as 32 lowercase hex digits.
    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }

    /// This span's 8-byte id.
    pub fn span_id(&self) -> [u8; 8] {
        self.span_id
    }

    /// This span's id as 16 lowercase hex digits.
    pub fn span_id_hex(&self) -> String {
        hex(&self.span_id)
    }

    /// The id of the span this one continues (the caller's), if any.
    pub fn parent_span_id(&self) -> Option<[u8; 8]> {
        self.parent_span_id
    }

    /// The parent span id as 16 lowercase hex digits, if any.
    pub fn parent_span_id_hex(&self) -> Option<String> {
        self.parent_span_id.as_ref().map(|id| hex(id))
    }

    /// The trace flags byte.
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Whether the `sampled` flag is set.
    pub fn is_sampled(&self) -> bool {
        self.flags & FLAG_SAMPLED != 0
    }

    /// The vendors' `tracestate`, passed through unchanged (whitespace around members trimmed).
    pub fn tracestate(&self) -> Option<&str> {
        self.tracestate.as_deref()
    }

    /// The `traceparent` announcing this span as the parent of the next hop.
    pub fn traceparent(&self) -> String {
        format!(
            "00-{}-{}-{:02x}",
            self.trace_id_hex(),
            self.span_id_hex(),
            self.flags
        )
    }

    /// Both headers, for a queue message or another carrier.
    pub fn to_headers(&self) -> TraceHeaders {
        TraceHeaders {
            traceparent: self.traceparent(),
            tracestate: self.tracestate.clone(),
        }
    }

    /// The context the server layer stored in a request's extensions.
    pub fn of<T>(request: &tonic::Request<T>) -> Option<&TraceContext> {
        request.extensions().get::<TraceContext>()
    }
}

impl fmt::Display for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.traceparent())
    }
}

fn parse_traceparent(value: &str) -> Option<([u8; 16], [u8; 8], u8)> {
    let bytes = value.as_bytes();
    if bytes.len() < TRACEPARENT_LEN {
        return None;
    }
    let version = decode_hex::<1>(&value[0..2])?[0];
    // Version ff is forbidden; 00 is exactly 55 characters; a later version may append fields
    // after a '-', and its first four fields are read as version 00's.
    let shape_ok = match version {
        0xff => false,
        0x00 => bytes.len() == TRACEPARENT_LEN,
        _ => bytes.len() == TRACEPARENT_LEN || bytes[TRACEPARENT_LEN] == b'-',
    };
    if !shape_ok || bytes[2] != b'-' || bytes[35] != b'-' || bytes[52] != b'-' {
        return None;
    }
    let trace_id = decode_hex::<16>(&value[3..35])?;
    let span_id = decode_hex::<8>(&value[36..52])?;
    let flags = decode_hex::<1>(&value[53..55])?[0];
    if trace_id == [0; 16] || span_id == [0; 8] {
        return None;
    }
    Some((trace_id, span_id, flags))
}

/// Lowercase hex only, as the W3C format requires.
fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn random_nonzero<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    while out == [0u8; N] {
        OsRng.fill_bytes(&mut out);
    }
    out
}

/// Validates a `tracestate` list: `key=value` members separated by commas (empty members
/// allowed), at most 32 members, keys `[a-z0-9][a-z0-9_\-*/]*` with an optional `@system`
/// part, values of printable ASCII without `,` and `=`. Returns the members re-joined without
/// surrounding whitespace, or `None` when anything is off (the whole header is then dropped).
fn normalize_tracestate(value: &str) -> Option<String> {
    if value.len() > MAX_TRACESTATE_LEN {
        return None;
    }
    let mut members = Vec::new();
    for member in value.split(',') {
        let member = member.trim_matches([' ', '\t']);
        if member.is_empty() {
            continue;
        }
        let (key, val) = member.split_once('=')?;
        if !valid_key(key) || !valid_value(val) {
            return None;
        }
        members.push(member);
    }
    if members.is_empty() || members.len() > MAX_TRACESTATE_MEMBERS {
        return None;
    }
    Some(members.join(","))
}

fn valid_key(key: &str) -> bool {
    let (tenant, system) = match key.split_once('@') {
        Some((tenant, system)) => (tenant, Some(system)),
        None => (key, None),
    };
    let part_ok = |part: &str, max: usize| {
        let b = part.as_bytes();
        !b.is_empty()
            && b.len() <= max
            && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
            && b.iter().all(|&c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || matches!(c, b'_' | b'-' | b'*' | b'/')
            })
    };
    match system {
        None => part_ok(tenant, 256),
        Some(system) => part_ok(tenant, 241) && part_ok(system, 14),
    }
}

fn valid_value(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b.len() <= 256
        && b.last() != Some(&b' ')
        && b.iter()
            .all(|&c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn parses_and_formats_version_00() {
        let ctx = TraceContext::parse(TP, Some("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE"));
        let ctx = ctx.expect("valid traceparent");
        assert_eq!(ctx.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(ctx.span_id_hex(), "00f067aa0ba902b7");
        assert!(ctx.is_sampled());
        assert_eq!(ctx.traceparent(), TP);
        assert_eq!(
            ctx.tracestate(),
            Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        );
    }

    #[test]
    fn rejects_malformed_traceparents() {
        let bad = [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ];
        for value in bad {
            assert_eq!(TraceContext::parse(value, None), None, "{value}");
        }
    }

    #[test]
    fn accepts_future_versions_with_extra_fields() {
        let ctx = TraceContext::parse(
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds",
            None,
        );
        assert_eq!(
            ctx.map(|c| c.traceparent()),
            Some(TP.to_owned()),
            "re-emitted as version 00"
        );
    }

    #[test]
    fn invalid_tracestate_is_dropped_not_fatal() {
        for state in ["no-equals", "UPPER=1", "a=b=c", "a=", &"k=v,".repeat(33)] {
            let ctx = TraceContext::parse(TP, Some(state)).expect("traceparent still valid");
            assert_eq!(ctx.tracestate(), None, "{state}");
        }
        let ctx = TraceContext::parse(TP, Some("t@sys=1,,x=y z")).expect("valid");
        assert_eq!(ctx.tracestate(), Some("t@sys=1,x=y z"));
    }

    #[test]
    fn children_keep_the_trace_and_point_at_the_parent() {
        let root = TraceContext::new_root();
        let child = root.child();
        assert_eq!(child.trace_id(), root.trace_id());
        assert_ne!(child.span_id(), root.span_id());
        assert_eq!(child.parent_span_id(), Some(root.span_id()));
        let continued = TraceContext::continue_from(Some(TP), None);
        assert_eq!(continued.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(
            continued.parent_span_id_hex().as_deref(),
            Some("00f067aa0ba902b7")
        );
        let fresh = TraceContext::continue_from(Some("garbage"), None);
        assert_eq!(fresh.parent_span_id(), None);
        assert_ne!(fresh.trace_id(), [0; 16]);
    }
}
