//! A tiny real gRPC service for the auth tests, `carpetti.it.v1.Whoami/Get` (request
//! `google.protobuf.Empty`-shaped `()`, response a `StringValue`-shaped `String`): it answers the
//! verified caller's service name, so a test sees what the handler sees. Built on tonic's own
//! unary machinery and the prost codec, without generated code.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use carpetti_handle::auth::{AuthInterceptor, Caller, Verifier};
use carpetti_handle::{GrpcServer, HandleError};
use http::uri::PathAndQuery;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::body::Body;
use tonic::server::{NamedService, UnaryService};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

use crate::BoxError;

pub(crate) const GET_PATH: &str = "/carpetti.it.v1.Whoami/Get";

/// The server side.
#[derive(Clone, Debug)]
pub(crate) struct Whoami;

impl NamedService for Whoami {
    const NAME: &'static str = "carpetti.it.v1.Whoami";
}

struct Get;

impl UnaryService<()> for Get {
    type Response = String;
    type Future = std::future::Ready<Result<Response<String>, Status>>;

    fn call(&mut self, request: Request<()>) -> Self::Future {
        std::future::ready(match Caller::of(&request) {
            Some(caller) => Ok(Response::new(caller.service.clone())),
            None => Err(Status::internal("handler saw no verified caller")),
        })
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl tower::Service<http::Request<Body>> for Whoami {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(async move {
            if request.uri().path() != GET_PATH {
                return Ok(Status::unimplemented("no such method").into_http());
            }
            let mut grpc = tonic::server::Grpc::new(ProstCodec::<String, ()>::default());
            Ok(grpc.unary(Get, request).await)
        })
    }
}

/// A running server with the Whoami service, behind service auth with `verifier`.
pub(crate) struct AuthServer {
    pub address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), HandleError>>>,
}

impl AuthServer {
    pub(crate) async fn start(verifier: Verifier) -> Result<AuthServer, BoxError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = GrpcServer::new("it-auth")
            .with_service_auth(verifier)
            .add_service(Whoami);
        let task = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Ok(AuthServer {
            address,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub(crate) async fn channel(&self) -> Result<Channel, BoxError> {
        Ok(Channel::from_shared(format!("http://{}", self.address))?
            .connect()
            .await?)
    }

    pub(crate) async fn stop(mut self) -> Result<(), BoxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }
}

/// What a test client puts in `authorization`: a real interceptor's token, or a raw value.
#[derive(Clone)]
pub(crate) enum Credentials {
    Interceptor(AuthInterceptor),
    Header(Option<String>),
}

impl Interceptor for Credentials {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        match self {
            Credentials::Interceptor(interceptor) => interceptor.call(request),
            Credentials::Header(None) => Ok(request),
            Credentials::Header(Some(value)) => {
                let value = value
                    .parse()
                    .map_err(|_| Status::internal("test header is not ASCII"))?;
                request.metadata_mut().insert("authorization", value);
                Ok(request)
            }
        }
    }
}

/// Calls Get through `interceptor`.
pub(crate) async fn call_with(
    channel: Channel,
    interceptor: AuthInterceptor,
) -> Result<String, Status> {
    call(channel, Credentials::Interceptor(interceptor)).await
}

/// Calls Get with `authorization` set to `header` (or none).
pub(crate) async fn call_with_header(
    channel: Channel,
    header: Option<&str>,
) -> Result<String, Status> {
    call(channel, Credentials::Header(header.map(str::to_owned))).await
}

async fn call(channel: Channel, credentials: Credentials) -> Result<String, Status> {
    let mut grpc = tonic::client::Grpc::new(InterceptedService::new(channel, credentials));
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(format!("not ready: {e}")))?;
    let path = PathAndQuery::from_static(GET_PATH);
    let response = grpc
        .unary(Request::new(()), path, ProstCodec::<(), String>::default())
        .await?;
    Ok(response.into_inner())
}
