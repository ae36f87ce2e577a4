//! Helpers of the observability tests: JSON log capture, a GrpcServer on port 0, a raw HTTP GET.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use carpetti_handle::observe::{LogFormat, LogGuard, LogOptions, LogOutput, build_dispatch};
use carpetti_handle::{GrpcServer, HandleError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type TestResult = Result<(), BoxError>;

/// Log lines written by a subscriber built with [`capture_logs`].
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Every line so far, parsed as JSON (a line that does not parse fails the test).
    pub fn lines(&self) -> Result<Vec<serde_json::Value>, BoxError> {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let text = String::from_utf8(bytes)?;
        text.lines()
            .map(|line| serde_json::from_str(line).map_err(|e| format!("{e}: {line}").into()))
            .collect()
    }

    /// Waits (up to 10 s) for a line matching `pred`.
    pub async fn wait_for(
        &self,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> Result<serde_json::Value, BoxError> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.lines()?.into_iter().find(|l| pred(l)) {
                return Ok(line);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("no such log line in: {:#?}", self.lines()?).into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A JSON subscriber (filter `level`, `RUST_LOG` ignored) writing into memory, with a Fluent
/// output if given; install it with `tracing::dispatcher::set_default`.
pub fn capture_logs(
    level: &str,
    fluent: Option<carpetti_handle::observe::FluentOptions>,
) -> Result<(tracing::Dispatch, LogGuard, Captured), BoxError> {
    let captured = Captured::default();
    let sink = captured.0.clone();
    let writer = BoxMakeWriter::new(move || CaptureWriter(sink.clone()));
    let options = LogOptions {
        level: level.to_owned(),
        format: LogFormat::Json,
        output: LogOutput::Stdout,
        fluent,
        rust_log: false,
    };
    let (dispatch, guard) = build_dispatch(&options, writer, false)?;
    Ok((dispatch, guard, captured))
}

/// A GrpcServer (health and reflection only) on 127.0.0.1:0, stopped when dropped.
pub struct Server {
    pub address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), HandleError>>>,
}

impl Server {
    pub async fn start() -> Result<Server, BoxError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = GrpcServer::new("it").drain_timeout(Duration::from_secs(1));
        let task = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Ok(Server {
            address,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub async fn channel(&self) -> Result<tonic::transport::Channel, BoxError> {
        Ok(
            tonic::transport::Channel::from_shared(format!("http://{}", self.address))?
                .connect()
                .await?,
        )
    }

    pub async fn stop(mut self) -> TestResult {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// `GET path` over HTTP/1.1: (status code, content type, body).
pub async fn http_get(address: SocketAddr, path: &str) -> Result<(u16, String, String), BoxError> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(Duration::from_secs(10), exchange).await??;
    let text = String::from_utf8(response)?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no header end")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .ok_or("no status")?
        .parse::<u16>()?;
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    Ok((status, content_type, body.to_owned()))
}
