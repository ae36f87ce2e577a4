//! service_persist for `bench import` in its own process (`carpetti serve persist` on the scratch
//! database, 127.0.0.1:0), as in a deployment: the import's peak RSS is then the importer's own,
//! and persist's is measured beside it.

use std::io::BufReader;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::commands::bench::{child, rss};

pub struct PersistProcess {
    child: Child,
    pub address: SocketAddr,
    pid: String,
}

impl PersistProcess {
    /// Starts `carpetti serve persist` on `database_url` and waits for its listening event.
    pub fn start(database_url: &str, data_dir: &std::path::Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("locating the carpetti binary")?;
        let mut child = Command::new(exe)
            .args(["serve", "persist", "--json", "--data-dir"])
            .arg(data_dir)
            .env("CARPETTI_DATABASE_URL", database_url)
            .env("CARPETTI_DATABASE__MAX_CONNECTIONS", "8")
            .env("CARPETTI_DATABASE__STATEMENT_TIMEOUT_SECS", "600")
            .env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_METRICS__ENABLED", "false")
            .env("CARPETTI_LOG__LEVEL", "warn")
            // A scratch database on loopback: the benchmark's client carries no service token.
            .env("CARPETTI_AUTH__REQUIRED", "false")
            .env_remove("CARPETTI_CONFIG")
            .env_remove("CARPETTI_AMQP_URL")
            .env_remove("CARPETTI_QUEUE__AMQP_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting carpetti serve persist")?;
        let pid = child.id().to_string();
        let mut stdout = BufReader::new(child.stdout.take().context("no stdout")?);
        let address = child::listening_address(&mut child, &mut stdout, "persist")?;
        // Drain its output so that it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Ok(Self {
            child,
            address,
            pid,
        })
    }

    pub fn reset_peak(&self) {
        rss::reset_peak_of(&self.pid);
    }

    pub fn peak_mib(&self) -> Option<f64> {
        rss::peak_mib_of(&self.pid)
    }

    /// SIGTERM, then waits up to 30 s for a clean stop.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill").args(["-TERM", &self.pid]).status();
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    bail!("carpetti serve persist stopped with {status}");
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        bail!("carpetti serve persist did not stop within 30 s")
    }
}

impl Drop for PersistProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
