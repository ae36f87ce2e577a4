//! Prometheus metrics end to end: a real GrpcServer on port 0 (its metrics layer is always on),
//! the process recorder installed, `/metrics` served on port 0 and scraped over HTTP. Exact
//! counts: nextest runs every test in its own process, so the recorder holds only this test's.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use carpetti_handle::observe::{ClientMetricsLayer, MetricsServer, install_metrics};
use http::uri::PathAndQuery;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use tower::ServiceBuilder;

use crate::observe_common::{BoxError, Server, TestResult, http_get};

const HEALTH: &str = "grpc.health.v1.Health";

/// The value of the sample `name{labels}` (exactly that label set) in a scrape.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let wanted: BTreeMap<&str, &str> = labels.iter().copied().collect();
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (label_text, value) = match rest.strip_prefix('{') {
            Some(r) => r.split_once("} ")?,
            None => ("", rest.strip_prefix(' ')?),
        };
        let found: BTreeMap<&str, &str> = label_text
            .split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                Some((k, v.trim_matches('"')))
            })
            .collect();
        (found == wanted)
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

async fn start_metrics() -> Result<SocketAddr, BoxError> {
    let handle = install_metrics()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(MetricsServer::new(handle).serve(listener, std::future::pending()));
    Ok(address)
}

async fn scrape(address: SocketAddr) -> Result<String, BoxError> {
    let (status, content_type, body) = http_get(address, "/metrics").await?;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    Ok(body)
}

fn check(service: &str) -> HealthCheckRequest {
    HealthCheckRequest {
        service: service.to_owned(),
    }
}

#[tokio::test]
async fn server_calls_are_counted_by_code_and_timed() -> TestResult {
    let metrics = start_metrics().await?;
    let server = Server::start().await?;
    let channel = server.channel().await?;
    let mut health = HealthClient::new(channel.clone());
    health.check(check("")).await?;
    health.check(check("")).await?;
    let missing = health.check(check("carpetti.nope.v1.Nope")).await;
    assert_eq!(
        missing.map_err(|s| s.code()).err(),
        Some(tonic::Code::NotFound)
    );
    // A path the server does not serve: counted, with bounded labels.
    let mut raw = tonic::client::Grpc::new(channel);
    raw.ready().await?;
    let unknown = raw
        .unary(
            tonic::Request::new(check("")),
            PathAndQuery::from_static("/carpetti.nope.v1.Nope/Get"),
            tonic_prost::ProstCodec::<HealthCheckRequest, HealthCheckRequest>::default(),
        )
        .await;
    assert_eq!(
        unknown.map_err(|s| s.code()).err(),
        Some(tonic::Code::Unimplemented)
    );

    let text = scrape(metrics).await?;
    let requests = "grpc_server_requests_total";
    let ok = [("service", HEALTH), ("method", "Check"), ("code", "OK")];
    let not_found = [
        ("service", HEALTH),
        ("method", "Check"),
        ("code", "NOT_FOUND"),
    ];
    let unimplemented = [
        ("service", "unknown"),
        ("method", "unknown"),
        ("code", "UNIMPLEMENTED"),
    ];
    assert_eq!(sample(&text, requests, &ok), Some(2.0), "{text}");
    assert_eq!(sample(&text, requests, &not_found), Some(1.0), "{text}");
    assert_eq!(sample(&text, requests, &unimplemented), Some(1.0), "{text}");

    let duration = "grpc_server_request_duration_seconds";
    let check_labels = [("service", HEALTH), ("method", "Check")];
    assert_eq!(
        sample(&text, &format!("{duration}_count"), &check_labels),
        Some(3.0)
    );
    let sum = sample(&text, &format!("{duration}_sum"), &check_labels).ok_or("sum")?;
    assert!(sum > 0.0, "{text}");
    let bucket = format!("{duration}_bucket");
    let inf = [("service", HEALTH), ("method", "Check"), ("le", "+Inf")];
    assert_eq!(sample(&text, &bucket, &inf), Some(3.0), "{text}");
    for le in ["0.001", "0.01", "0.1", "1", "10", "300"] {
        let labels = [("service", HEALTH), ("method", "Check"), ("le", le)];
        assert!(
            sample(&text, &bucket, &labels).is_some(),
            "bucket le={le}: {text}"
        );
    }
    assert!(text.contains("# HELP grpc_server_requests_total"), "{text}");

    let (status, _, _) = http_get(metrics, "/nope").await?;
    assert_eq!(status, 404);
    server.stop().await
}

#[tokio::test]
async fn a_streaming_call_counts_when_it_ends() -> TestResult {
    let metrics = start_metrics().await?;
    let server = Server::start().await?;
    let mut health = HealthClient::new(server.channel().await?);
    let mut watch = health.watch(check("")).await?.into_inner();
    let first = watch.message().await?.ok_or("a first status")?;
    assert_eq!(
        first.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    let watch_labels = |code| [("service", HEALTH), ("method", "Watch"), ("code", code)];
    let text = scrape(metrics).await?;
    assert_eq!(
        sample(
            &text,
            "grpc_server_requests_total",
            &watch_labels("CANCELLED")
        ),
        None,
        "still open: not counted yet"
    );

    drop(watch);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let text = scrape(metrics).await?;
        if let Some(n) = sample(
            &text,
            "grpc_server_requests_total",
            &watch_labels("CANCELLED"),
        ) {
            assert_eq!(n, 1.0);
            let count = sample(
                &text,
                "grpc_server_request_duration_seconds_count",
                &[("service", HEALTH), ("method", "Watch")],
            );
            assert_eq!(count, Some(1.0));
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never counted: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.stop().await
}

#[tokio::test]
async fn client_calls_are_counted_per_target() -> TestResult {
    let metrics = start_metrics().await?;
    let server = Server::start().await?;
    let channel = server.channel().await?;
    let mut health = HealthClient::new(
        ServiceBuilder::new()
            .layer(ClientMetricsLayer::new("health-target"))
            .service(channel),
    );
    health.check(check("")).await?;
    assert!(health.check(check("carpetti.nope.v1.Nope")).await.is_err());

    // A target nobody listens on: the port of a listener just closed.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await?
        .local_addr()?;
    let nowhere = tonic::transport::Channel::from_shared(format!("http://{closed}"))?
        .connect_timeout(Duration::from_secs(2))
        .connect_lazy();
    let mut unreachable = HealthClient::new(
        ServiceBuilder::new()
            .layer(ClientMetricsLayer::new("nowhere"))
            .service(nowhere),
    );
    let failed = unreachable.check(check("")).await;
    assert_eq!(
        failed.map_err(|s| s.code()).err(),
        Some(tonic::Code::Unavailable)
    );

    let text = scrape(metrics).await?;
    let name = "grpc_client_requests_total";
    let labels = |target, code| {
        [
            ("target", target),
            ("service", HEALTH),
            ("method", "Check"),
            ("code", code),
        ]
    };
    assert_eq!(
        sample(&text, name, &labels("health-target", "OK")),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, name, &labels("health-target", "NOT_FOUND")),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, name, &labels("nowhere", "UNAVAILABLE")),
        Some(1.0),
        "{text}"
    );
    let count = sample(
        &text,
        "grpc_client_request_duration_seconds_count",
        &[
            ("target", "health-target"),
            ("service", HEALTH),
            ("method", "Check"),
        ],
    );
    assert_eq!(count, Some(2.0), "{text}");
    server.stop().await
}
