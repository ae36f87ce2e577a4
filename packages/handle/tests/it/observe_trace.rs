//! W3C trace context end to end: a real GrpcServer on port 0, its JSON logs captured in memory.
//! A caller's `traceparent` continues in the server's log lines (same trace id, a new span id,
//! the caller's span as parent); no or a malformed `traceparent` starts a fresh trace and never
//! fails the call; the client layer, the interceptor and the queue helpers carry the context.

use std::str::FromStr;

use carpetti_handle::observe::{
    ClientTraceLayer, TraceContext, TraceContextInterceptor, context_of, current_trace_headers,
    with_trace_context,
};
use serde_json::Value;
use tonic::metadata::MetadataValue;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use tower::ServiceBuilder;
use tracing::Instrument;

use crate::observe_common::{BoxError, Captured, Server, TestResult, capture_logs};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";
const CHECK: &str = "/grpc.health.v1.Health/Check";
/// Health checks finish at DEBUG (they are frequent): let those lines through.
const QUIET_TOO: &str = "info,carpetti_handle=debug";

fn check_request(
    traceparent: Option<&str>,
) -> Result<tonic::Request<HealthCheckRequest>, BoxError> {
    let mut request = tonic::Request::new(HealthCheckRequest {
        service: String::new(),
    });
    if let Some(tp) = traceparent {
        request
            .metadata_mut()
            .insert("traceparent", MetadataValue::from_str(tp)?);
    }
    Ok(request)
}

fn is_hex(value: &Value, len: usize) -> bool {
    value.as_str().is_some_and(|s| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }) && value.as_str() != Some(&"0".repeat(len))
}

/// The `request finished` lines of Health/Check calls, waiting until there are `n`.
async fn finished_lines(logs: &Captured, n: usize) -> Result<Vec<Value>, BoxError> {
    let is_finished = |l: &Value| l["message"] == "request finished" && l["method"] == CHECK;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let lines: Vec<Value> = logs.lines()?.into_iter().filter(is_finished).collect();
        if lines.len() >= n || tokio::time::Instant::now() > deadline {
            assert_eq!(lines.len(), n, "request finished lines: {lines:#?}");
            return Ok(lines);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn traceparent_from_the_caller_continues_in_the_server_logs() -> TestResult {
    let (dispatch, _guard, logs) = capture_logs(QUIET_TOO, None)?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    let server = Server::start().await?;
    let mut health = HealthClient::new(server.channel().await?);
    let traceparent = format!("00-{TRACE_ID}-{PARENT_ID}-01");
    health.check(check_request(Some(&traceparent))?).await?;

    let line = finished_lines(&logs, 1).await?.remove(0);
    assert_eq!(line["trace_id"], TRACE_ID, "{line:#}");
    assert_eq!(line["parent_span_id"], PARENT_ID, "{line:#}");
    assert!(is_hex(&line["span_id"], 16), "{line:#}");
    assert_ne!(line["span_id"], PARENT_ID, "the server has its own span id");
    assert_eq!(line["level"], "DEBUG");
    assert_eq!(line["grpc_status"], "Ok");
    assert!(line["request_id"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(line["timestamp"].as_str().is_some_and(|s| s.ends_with('Z')));
    server.stop().await
}

#[tokio::test]
async fn without_traceparent_each_request_starts_a_fresh_trace() -> TestResult {
    let (dispatch, _guard, logs) = capture_logs(QUIET_TOO, None)?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    let server = Server::start().await?;
    let mut health = HealthClient::new(server.channel().await?);
    health.check(check_request(None)?).await?;
    health.check(check_request(None)?).await?;

    let lines = finished_lines(&logs, 2).await?;
    for line in &lines {
        assert!(is_hex(&line["trace_id"], 32), "{line:#}");
        assert!(is_hex(&line["span_id"], 16), "{line:#}");
        assert!(
            line.get("parent_span_id").is_none(),
            "a root span: {line:#}"
        );
    }
    assert_ne!(lines[0]["trace_id"], lines[1]["trace_id"]);
    server.stop().await
}

#[tokio::test]
async fn malformed_traceparent_is_ignored_never_an_error() -> TestResult {
    let (dispatch, _guard, logs) = capture_logs(QUIET_TOO, None)?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    let server = Server::start().await?;
    let mut health = HealthClient::new(server.channel().await?);
    let malformed = [
        "garbage".to_owned(),
        format!("00-{}-{PARENT_ID}-01", TRACE_ID.to_uppercase()),
        format!("00-{}-{PARENT_ID}-01", "0".repeat(32)),
        format!("ff-{TRACE_ID}-{PARENT_ID}-01"),
        format!("00-{TRACE_ID}-{PARENT_ID}"),
    ];
    for tp in &malformed {
        let reply = health.check(check_request(Some(tp))?).await;
        assert!(reply.is_ok(), "{tp}: {reply:?}");
    }

    let lines = finished_lines(&logs, malformed.len()).await?;
    for line in &lines {
        assert!(is_hex(&line["trace_id"], 32), "{line:#}");
        assert_ne!(line["trace_id"], TRACE_ID, "a fresh trace: {line:#}");
        assert!(line.get("parent_span_id").is_none(), "{line:#}");
    }
    server.stop().await
}

#[tokio::test]
async fn client_layer_and_interceptor_carry_the_current_context() -> TestResult {
    let (dispatch, _guard, logs) = capture_logs(QUIET_TOO, None)?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    let server = Server::start().await?;
    let channel = server.channel().await?;

    // As a queue consumer would: continue the context of a received message.
    let span = with_trace_context(Some(&format!("00-{TRACE_ID}-{PARENT_ID}-01")), None);
    let local = context_of(&span).ok_or("the span carries its context")?;
    assert_eq!(local.trace_id_hex(), TRACE_ID);

    let mut layered = HealthClient::new(
        ServiceBuilder::new()
            .layer(ClientTraceLayer)
            .service(channel.clone()),
    );
    let mut intercepted = HealthClient::with_interceptor(channel, TraceContextInterceptor);
    async {
        tracing::info!("handling the message");
        layered.check(check_request(None)?).await?;
        intercepted.check(check_request(None)?).await?;
        Ok::<_, BoxError>(())
    }
    .instrument(span.clone())
    .await?;

    for line in finished_lines(&logs, 2).await? {
        assert_eq!(line["trace_id"], TRACE_ID, "{line:#}");
        assert_eq!(
            line["parent_span_id"],
            local.span_id_hex().as_str(),
            "{line:#}"
        );
    }
    let handled = logs
        .wait_for(|l| l["message"] == "handling the message")
        .await?;
    assert_eq!(handled["trace_id"], TRACE_ID);
    assert_eq!(handled["span_id"], local.span_id_hex().as_str());
    server.stop().await
}

#[tokio::test]
async fn queue_helpers_publish_and_continue_the_trace() -> TestResult {
    let (dispatch, _guard, _logs) = capture_logs(QUIET_TOO, None)?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    assert_eq!(current_trace_headers(), None, "outside any trace");

    let producer = with_trace_context(None, None);
    let headers = producer
        .in_scope(current_trace_headers)
        .ok_or("inside the span")?;
    let producer_ctx = context_of(&producer).ok_or("context")?;
    assert_eq!(headers.traceparent, producer_ctx.traceparent());

    let consumer = with_trace_context(Some(&headers.traceparent), Some("vendor=abc"));
    let consumer_ctx = context_of(&consumer).ok_or("context")?;
    assert_eq!(consumer_ctx.trace_id(), producer_ctx.trace_id());
    assert_eq!(consumer_ctx.parent_span_id(), Some(producer_ctx.span_id()));
    assert_eq!(consumer_ctx.tracestate(), Some("vendor=abc"));

    // A nested span still finds the context of its trace span.
    let nested = consumer.in_scope(|| tracing::info_span!("inner"));
    let found = nested.in_scope(carpetti_handle::observe::current_trace_context);
    assert_eq!(
        found.as_ref().map(TraceContext::span_id),
        Some(consumer_ctx.span_id())
    );
    Ok(())
}
