//! The machine's Redis server (127.0.0.1:6379, started by `scripts/test`) for tests: its URL, a
//! loud failure when it is unreachable, and a guard that stops it for a fault test and always
//! starts it again — even when the test panics — exactly as `scripts/test` starts it.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The environment variable naming the Redis server tests use.
pub const TEST_REDIS_URL_ENV: &str = "CARPETTI_TEST_REDIS_URL";
const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
/// The only server a fault test may stop: the local one `scripts/test` starts.
const LOCAL_ADDR: &str = "127.0.0.1:6379";

/// `CARPETTI_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`.
pub fn redis_url() -> String {
    std::env::var(TEST_REDIS_URL_ENV).unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned())
}

/// Whether the local server answers `PING` within a second (inline command over plain TCP).
pub fn local_redis_answers() -> bool {
    let Ok(addr) = LOCAL_ADDR.parse::<SocketAddr>() else {
        return false;
    };
    let timeout = Duration::from_secs(1);
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

fn wait_for(answers: bool, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if local_redis_answers() == answers {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    local_redis_answers() == answers
}

/// Starts the local server as `scripts/test` does, and waits until it answers (20 s at most).
pub fn start_local_redis() -> Result<()> {
    if local_redis_answers() {
        return Ok(());
    }
    let status = Command::new("redis-server")
        .args([
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .status()
        .context("running redis-server")?;
    if !status.success() {
        bail!("redis-server exited with {status}");
    }
    if !wait_for(true, Duration::from_secs(20)) {
        bail!("Redis started but does not answer on {LOCAL_ADDR} after 20 s");
    }
    Ok(())
}

/// A stopped local Redis server, started again when dropped.
pub struct StoppedRedis {
    _private: (),
}

impl StoppedRedis {
    /// Stops the local server (`redis-cli -p 6379 shutdown nosave`) and waits until it is gone.
    /// Fails unless the tests' Redis is the local one on 127.0.0.1:6379.
    pub fn stop() -> Result<Self> {
        let url = redis_url();
        if !url.contains("127.0.0.1:6379") && !url.contains("localhost:6379") {
            bail!("{TEST_REDIS_URL_ENV}={url} is not the local server a fault test may stop");
        }
        if !local_redis_answers() {
            bail!("Redis is not running on {LOCAL_ADDR}; run scripts/test, which starts it");
        }
        // Armed before the shutdown: whatever happens next, Drop starts the server again.
        let guard = Self { _private: () };
        let output = Command::new("redis-cli")
            .args(["-p", "6379", "shutdown", "nosave"])
            .output()
            .context("running redis-cli shutdown")?;
        if !wait_for(false, Duration::from_secs(10)) {
            bail!(
                "Redis still answers after `redis-cli shutdown nosave`: {}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        Ok(guard)
    }

    /// Starts the server again now (Drop does nothing more afterwards).
    pub fn restart(self) -> Result<()> {
        start_local_redis()
    }
}

impl Drop for StoppedRedis {
    fn drop(&mut self) {
        if let Err(e) = start_local_redis() {
            eprintln!("warning: could not start Redis again after a fault test: {e:#}");
        }
    }
}
