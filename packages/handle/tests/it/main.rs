//! GrpcServer end to end on 127.0.0.1:0: health, reflection (v1 and v1alpha), request ids and
//! graceful shutdown, with the health service only.

mod observe_common;
mod observe_fluent;
mod observe_metrics;
mod observe_trace;

mod auth;
mod auth_service;
mod discovery;
mod discovery_consul;

use std::net::SocketAddr;
use std::time::Duration;

use carpetti_handle::{GrpcServer, HandleError, REQUEST_ID_HEADER};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

type TestResult = Result<(), BoxError>;

struct Running {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), HandleError>>,
}

async fn start(drain: Duration) -> Result<Running, std::io::Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = GrpcServer::new("it").drain_timeout(drain);
    let task = tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    Ok(Running {
        address,
        stop,
        task,
    })
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn channel(address: SocketAddr) -> Result<Channel, BoxError> {
    Ok(Channel::from_shared(format!("http://{address}"))?
        .connect()
        .await?)
}

async fn check(client: &mut HealthClient<Channel>, service: &str) -> Result<i32, tonic::Status> {
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    Ok(client.check(request).await?.into_inner().status)
}

#[tokio::test]
async fn health_reports_serving() -> TestResult {
    let server = start(Duration::from_secs(5)).await?;
    let mut health = HealthClient::new(channel(server.address).await?);
    assert_eq!(check(&mut health, "").await?, ServingStatus::Serving as i32);
    assert_eq!(
        check(&mut health, "grpc.health.v1.Health").await?,
        ServingStatus::Serving as i32
    );
    assert_eq!(
        check(&mut health, "grpc.reflection.v1.ServerReflection").await?,
        ServingStatus::Serving as i32
    );
    let unknown = check(&mut health, "carpetti.nope.v1.Nope").await;
    assert_eq!(unknown.map_err(|s| s.code()), Err(tonic::Code::NotFound));
    let _ = server.stop.send(());
    server.task.await??;
    Ok(())
}

#[tokio::test]
async fn reflection_lists_services_v1_and_v1alpha() -> TestResult {
    use tonic_reflection::pb::{v1, v1alpha};
    let server = start(Duration::from_secs(5)).await?;
    let ch = channel(server.address).await?;

    let mut client = v1::server_reflection_client::ServerReflectionClient::new(ch.clone());
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream::once(request))
        .await?
        .into_inner();
    let response = stream.message().await?.ok_or("no reflection response")?;
    let names: Vec<String> = match response.message_response {
        Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) => {
            list.service.into_iter().map(|s| s.name).collect()
        }
        other => return Err(format!("unexpected reflection answer: {other:?}").into()),
    };
    assert!(
        names.iter().any(|n| n == "grpc.health.v1.Health"),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n == "grpc.reflection.v1.ServerReflection"),
        "{names:?}"
    );

    let mut alpha = v1alpha::server_reflection_client::ServerReflectionClient::new(ch);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                "grpc.health.v1.Health".to_owned(),
            ),
        ),
    };
    let mut stream = alpha
        .server_reflection_info(tokio_stream::once(request))
        .await?
        .into_inner();
    let response = stream.message().await?.ok_or("no v1alpha response")?;
    assert!(
        matches!(
            response.message_response,
            Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(ref f))
                if !f.file_descriptor_proto.is_empty()
        ),
        "{response:?}"
    );

    let _ = server.stop.send(());
    server.task.await??;
    Ok(())
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() -> TestResult {
    let server = start(Duration::from_secs(5)).await?;
    let mut health = HealthClient::new(channel(server.address).await?);

    let mut request = tonic::Request::new(HealthCheckRequest::default());
    request
        .metadata_mut()
        .insert(REQUEST_ID_HEADER, "it-req-42".parse()?);
    let response = health.check(request).await?;
    let echoed = response
        .metadata()
        .get(REQUEST_ID_HEADER)
        .map(|v| v.to_str())
        .transpose()?;
    assert_eq!(echoed, Some("it-req-42"));

    let response = health.check(HealthCheckRequest::default()).await?;
    let generated = response
        .metadata()
        .get(REQUEST_ID_HEADER)
        .ok_or("no generated request id")?
        .to_str()?;
    assert_eq!(uuid::Uuid::parse_str(generated)?.get_version_num(), 7);

    // Errors (trailers-only responses) carry it too.
    let mut request = tonic::Request::new(HealthCheckRequest {
        service: "nope".into(),
    });
    request
        .metadata_mut()
        .insert(REQUEST_ID_HEADER, "it-err-7".parse()?);
    let status = health
        .check(request)
        .await
        .map(|_| ())
        .expect_err("unknown service");
    assert_eq!(
        status
            .metadata()
            .get(REQUEST_ID_HEADER)
            .map(|v| v.to_str())
            .transpose()?,
        Some("it-err-7")
    );

    let _ = server.stop.send(());
    server.task.await??;
    Ok(())
}

#[tokio::test]
async fn shutdown_reports_not_serving_then_drains() -> TestResult {
    let server = start(Duration::from_secs(10)).await?;
    let ch = channel(server.address).await?;
    let mut health = HealthClient::new(ch.clone());
    let mut watch = health
        .watch(HealthCheckRequest::default())
        .await?
        .into_inner();
    let first = watch.message().await?.ok_or("watch ended")?;
    assert_eq!(first.status, ServingStatus::Serving as i32);

    let _ = server.stop.send(());
    let next = tokio::time::timeout(Duration::from_secs(5), watch.message()).await??;
    assert_eq!(
        next.map(|r| r.status),
        Some(ServingStatus::NotServing as i32)
    );

    // Closing the last open stream lets the drain finish well before its timeout.
    drop(watch);
    drop(health);
    drop(ch);
    let stopped = tokio::time::timeout(Duration::from_secs(5), server.task).await;
    stopped.map_err(|_| "server did not drain in time")???;

    let again = tokio::net::TcpStream::connect(server.address).await;
    assert!(again.is_err(), "the listener must be closed after shutdown");
    Ok(())
}

#[tokio::test]
async fn drain_timeout_bounds_shutdown_with_open_streams() -> TestResult {
    let server = start(Duration::from_millis(300)).await?;
    let mut health = HealthClient::new(channel(server.address).await?);
    let mut watch = health
        .watch(HealthCheckRequest::default())
        .await?
        .into_inner();
    watch.message().await?;

    let _ = server.stop.send(());
    // The watch stream stays open, so only the drain timeout ends the server.
    let stopped = tokio::time::timeout(Duration::from_secs(5), server.task).await;
    stopped.map_err(|_| "drain timeout not honoured")???;
    drop(watch);
    Ok(())
}
