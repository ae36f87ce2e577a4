//! The machine's RabbitMQ broker (127.0.0.1:5672, started by `scripts/test`) for tests: its URL
//! and a real restart of the broker's application (`rabbitmqctl stop_app` / `start_app`) for fault
//! tests, which always starts it again, even when the test panics.
//!
//! A restart disrupts every test using the broker: all of them are in the nextest test group
//! `rabbitmq` (max-threads = 1, see .config/nextest.toml).

use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The environment variable naming the AMQP URL tests use.
pub const TEST_AMQP_URL_ENV: &str = "CARPETTI_TEST_AMQP_URL";
/// The default: the guest user on the local broker, vhost `/`.
pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
/// The only broker a fault test may restart: the local one `scripts/test` starts.
const LOCAL_ADDR: &str = "127.0.0.1:5672";

/// `CARPETTI_TEST_AMQP_URL`, default `amqp://guest:guest@127.0.0.1:5672/%2f`.
pub fn amqp_url() -> String {
    std::env::var(TEST_AMQP_URL_ENV).unwrap_or_else(|_| DEFAULT_AMQP_URL.to_owned())
}

/// A name no other test (or earlier run) uses: `<prefix>-<uuid v7>`, valid as exchange, queue and
/// consumer-group name.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::now_v7().simple())
}

/// Whether the local broker accepts TCP connections on 5672.
pub fn local_broker_listens() -> bool {
    LOCAL_ADDR
        .parse::<SocketAddr>()
        .is_ok_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok())
}

fn rabbitmqctl(args: &[&str], within: Duration) -> Result<()> {
    let mut child = Command::new("rabbitmqctl")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("running rabbitmqctl {}", args.join(" ")))?;
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().context("waiting for rabbitmqctl")? {
            if status.success() {
                return Ok(());
            }
            bail!("rabbitmqctl {} exited with {status}", args.join(" "));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "rabbitmqctl {} did not finish within {within:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Makes the local broker close every client connection (`rabbitmqctl close_all_connections`),
/// as a node failover or a network cut would; the broker itself keeps running.
pub fn close_all_connections(reason: &str) -> Result<()> {
    rabbitmqctl(&["close_all_connections", reason], Duration::from_secs(60))
}

/// Starts the local broker's application and waits until it listens again (60 s at most).
pub fn start_broker_app() -> Result<()> {
    rabbitmqctl(&["start_app"], Duration::from_secs(60))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !local_broker_listens() {
        if Instant::now() >= deadline {
            bail!("RabbitMQ started but does not listen on {LOCAL_ADDR} after 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// While alive, the local broker's application is stopped (every connection is closed, port 5672
/// refuses); dropping it starts the application again and waits until it listens.
#[must_use = "the broker starts again when the guard is dropped"]
pub struct StoppedBroker {
    started: bool,
}

impl StoppedBroker {
    /// `rabbitmqctl stop_app` on the local broker (durable queues and persistent messages stay on
    /// disk), then waits until the port refuses connections.
    pub fn stop() -> Result<Self> {
        if !local_broker_listens() {
            bail!("RabbitMQ is not reachable on {LOCAL_ADDR}; run scripts/test, which starts it");
        }
        let guard = Self { started: false };
        rabbitmqctl(&["stop_app"], Duration::from_secs(60))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while local_broker_listens() {
            if Instant::now() >= deadline {
                bail!("RabbitMQ still listens on {LOCAL_ADDR} 30 s after stop_app");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(guard)
    }

    /// Starts the broker again now (instead of on drop) and reports a failure.
    pub fn start(mut self) -> Result<()> {
        self.started = true;
        start_broker_app()
    }
}

impl Drop for StoppedBroker {
    fn drop(&mut self) {
        if !self.started
            && let Err(err) = start_broker_app()
        {
            eprintln!("could not start RabbitMQ again after a fault test: {err:#}");
        }
    }
}
