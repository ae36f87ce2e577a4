//! The system under test as child processes of this binary: `carpetti serve engine` (SQLite in a
//! scratch directory) and `carpetti serve process_adapter` polling it, each found through its
//! `listening` event, waited for until it answers, killed when dropped (also on error). Plus what
//! `/proc` tells about a process (CPU time, resident memory) and the adapter's `/health`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use carpetti_process_adapter::AdapterStats;

use crate::commands::bench::{child, rss};

/// Log lines of a child kept for the report (the last ones).
const KEPT_LINES: usize = 8;

/// A `carpetti serve <service>` child; killed when dropped.
pub struct Service {
    name: &'static str,
    child: Child,
    pub address: SocketAddr,
    pub pid: String,
    /// Its log lines at warn level or above: how many, and the last few.
    pub warnings: Arc<Mutex<(u64, VecDeque<String>)>>,
}

impl Service {
    /// Starts `carpetti serve <service> --json` in `dir` with `env`, and reads its `listening`
    /// event for the address it bound.
    pub fn start(
        service: &'static str,
        dir: &Path,
        env: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("locating the carpetti binary")?;
        let data_dir = dir.join(service);
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("making {}", data_dir.display()))?;
        let mut command = Command::new(exe);
        // Nothing of the caller's configuration: SQLite under the scratch directory, embedded
        // queue and cache, no engine credentials.
        for (key, _) in std::env::vars() {
            if key.starts_with("CARPETTI_") {
                command.env_remove(key);
            }
        }
        command
            .args(["serve", service, "--json", "--data-dir"])
            .arg(&data_dir)
            .current_dir(dir)
            .env("CARPETTI_METRICS__ENABLED", "false")
            .env("CARPETTI_LOG__LEVEL", "warn")
            .env("CARPETTI_LOG__FORMAT", "json")
            .env("CARPETTI_AUTH__REQUIRED", "false")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting carpetti serve {service}"))?;
        let pid = child.id().to_string();
        let mut stdout = BufReader::new(child.stdout.take().context("no stdout")?);
        let address = child::listening_address(&mut child, &mut stdout, service)?;
        let warnings = Arc::new(Mutex::new((0, VecDeque::new())));
        let kept = warnings.clone();
        // Drain its output (a full pipe would block it), keeping the warnings.
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Ok(mut kept) = kept.lock() {
                    kept.0 += 1;
                    if kept.1.len() == KEPT_LINES {
                        kept.1.pop_front();
                    }
                    kept.1.push_back(line);
                }
            }
        });
        Ok(Self {
            name: service,
            child,
            address,
            pid,
            warnings,
        })
    }

    /// Waits until `GET http://{address}{path}` answers 2xx (at most `within`).
    pub async fn wait_ready(
        &mut self,
        http: &reqwest::Client,
        path: &str,
        within: Duration,
    ) -> anyhow::Result<()> {
        let url = format!("http://{}{path}", self.address);
        let deadline = Instant::now() + within;
        loop {
            if let Ok(answer) = http.get(&url).send().await
                && answer.status().is_success()
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("carpetti serve {} stopped with {status}", self.name);
            }
            if Instant::now() > deadline {
                bail!("carpetti serve {} did not answer {url} in time", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether it still runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// CPU seconds (user + system) it has used.
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds_of(&self.pid)
    }

    /// Resident memory now and at its peak, MiB.
    pub fn memory(&self) -> Memory {
        Memory {
            rss_mib: rss_mib_of(&self.pid),
            peak_mib: rss::peak_mib_of(&self.pid),
        }
        .rounded()
    }

    /// Its warnings so far: how many, and the last few lines.
    pub fn warnings(&self) -> (u64, Vec<String>) {
        self.warnings
            .lock()
            .map(|w| (w.0, w.1.iter().cloned().collect()))
            .unwrap_or_default()
    }

    /// SIGTERM, then up to 10 s for a clean stop, else SIGKILL.
    pub fn stop(mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.pid]).status();
        for _ in 0..100 {
            if !self.alive() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if self.alive() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Resident memory of a process, MiB.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Memory {
    pub rss_mib: Option<f64>,
    pub peak_mib: Option<f64>,
}

impl Memory {
    /// To 0.1 MiB.
    pub fn rounded(self) -> Self {
        let one = |m: Option<f64>| m.map(|m| (m * 10.0).round() / 10.0);
        Self {
            rss_mib: one(self.rss_mib),
            peak_mib: one(self.peak_mib),
        }
    }
}

/// CPU seconds (utime + stime) of `/proc/<pid>/stat`; 0 when unreadable.
pub fn cpu_seconds_of(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The fields after the command name (in parentheses, may hold spaces).
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime: fields 14 and 15 of the line, 12 and 13 after the name; USER_HZ is 100.
    [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum::<f64>()
        / 100.0
}

/// `VmRSS` of `/proc/<pid>/status`, MiB.
pub fn rss_mib_of(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The adapter's `GET /health`.
pub async fn health(http: &reqwest::Client, adapter: SocketAddr) -> anyhow::Result<AdapterStats> {
    let answer = http
        .get(format!("http://{adapter}/health"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .context("GET /health of the adapter")?
        .error_for_status()?;
    answer
        .json::<AdapterStats>()
        .await
        .context("the adapter's /health")
}

/// CPU seconds of a process between two readings, as a share of one core.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark {
    seconds: f64,
    at: Instant,
}

impl CpuMark {
    pub fn now(cpu_seconds: f64) -> Self {
        Self {
            seconds: cpu_seconds,
            at: Instant::now(),
        }
    }

    /// Percent of one core since this mark.
    pub fn percent_since(&self, cpu_seconds: f64) -> f64 {
        let wall = self.at.elapsed().as_secs_f64().max(1e-9);
        (cpu_seconds - self.seconds) / wall * 100.0
    }
}
