//! The official clients as child processes: the checks that node / python3 and the pinned client
//! packages are installed (failing loudly, never skipping: `scripts/test` installs them), and a
//! runner that kills the worker when it overruns or when the test ends.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use serde_json::Value;
use tokio::process::Command;

const INSTALL_HINT: &str = "run scripts/test (it runs `npm ci` in packages/engine/tests/clients/js and \
     `python3 -m pip install -r packages/engine/tests/clients/python/requirements.txt`)";

/// The folder of one official client's worker (`js`, `python`).
pub fn client_dir(client: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(client)
}

/// `node worker.mjs <base> <scenario>`, after checking Node ≥ 18 and the installed
/// camunda-external-task-client-js 3.1.0.
pub async fn js_worker(base: &str, scenario: &str) -> anyhow::Result<Command> {
    let dir = client_dir("js");
    let version = output(Command::new("node").arg("--version"))
        .await
        .with_context(|| {
            format!("Node.js is not installed (`node --version` failed); {INSTALL_HINT}")
        })?;
    let major: u32 = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    ensure!(
        major >= 18,
        "Node.js {version} is too old for camunda-external-task-client-js 3.1.0 (needs 18+)"
    );
    let manifest = dir.join("node_modules/camunda-external-task-client-js/package.json");
    let installed = std::fs::read_to_string(&manifest).with_context(|| {
        format!(
            "camunda-external-task-client-js is not installed ({} is missing); {INSTALL_HINT}",
            manifest.display()
        )
    })?;
    let installed: Value = serde_json::from_str(&installed)?;
    ensure!(
        installed["version"] == "3.1.0",
        "camunda-external-task-client-js {} is installed, 3.1.0 expected; {INSTALL_HINT}",
        installed["version"]
    );
    let mut command = Command::new("node");
    command
        .current_dir(&dir)
        .arg("worker.mjs")
        .args([base, scenario]);
    Ok(command)
}

/// `python3 worker.py <base> <scenario>`, after checking camunda-external-task-client-python3
/// 4.5.0 and pydantic import.
pub async fn python_worker(base: &str, scenario: &str) -> anyhow::Result<Command> {
    let probe = "import importlib.metadata as m, camunda.external_task.external_task_worker, pydantic; \
                 print(m.version('camunda-external-task-client-python3'))";
    let version = output(Command::new("python3").args(["-c", probe]))
        .await
        .with_context(|| {
            format!(
                "python3 cannot import camunda-external-task-client-python3 and pydantic; {INSTALL_HINT}"
            )
        })?;
    ensure!(
        version.trim() == "4.5.0",
        "camunda-external-task-client-python3 {} is installed, 4.5.0 expected; {INSTALL_HINT}",
        version.trim()
    );
    let mut command = Command::new("python3");
    command
        .current_dir(client_dir("python"))
        .env("PYTHONUNBUFFERED", "1")
        .arg("worker.py")
        .args([base, scenario]);
    Ok(command)
}

/// Runs a command to its end; its stdout, or an error with its stderr.
async fn output(command: &mut Command) -> anyhow::Result<String> {
    let out = command
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await?;
    ensure!(
        out.status.success(),
        "{}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What a worker printed: its JSON lines (the clients' own log lines are left out).
#[derive(Debug)]
pub struct WorkerRun {
    pub events: Vec<Value>,
}

impl WorkerRun {
    /// The one event of `topic` for `business_key` (panics when there is not exactly one).
    pub fn event(&self, topic: &str, business_key: &str) -> &Value {
        let found: Vec<&Value> = self
            .events
            .iter()
            .filter(|e| e["topic"] == topic && e["businessKey"] == business_key)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{topic} of {business_key}: {:#?}",
            self.events
        );
        found[0]
    }

    /// The events of `topic`.
    pub fn of(&self, topic: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["topic"] == topic).collect()
    }
}

/// Runs a worker until it exits; it must exit 0 having printed `{"event":"done"}` within
/// `limit`, or it is killed; the error carries everything it printed.
pub async fn run_worker(mut command: Command, limit: Duration) -> anyhow::Result<WorkerRun> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let status = match tokio::time::timeout(limit, child.wait()).await {
        Ok(status) => Some(status?),
        Err(_) => {
            child.kill().await?;
            None
        }
    };
    let stdout = stdout.await.unwrap_or_default();
    let stderr = stderr.await.unwrap_or_default();
    let events: Vec<Value> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let done = events.iter().any(|e| e["event"] == "done");
    let outcome = match status {
        None => format!("did not finish within {limit:?} and was killed"),
        Some(status) if !status.success() || !done => format!("failed ({status}, done: {done})"),
        Some(_) => return Ok(WorkerRun { events }),
    };
    bail!(
        "the worker {command:?} {outcome}\n--- stdout\n{stdout}\n--- stderr (the last 8000 bytes)\n{}",
        tail(&stderr, 8000)
    )
}

/// Reads a child's pipe to its end in the background.
fn read_all<R>(pipe: Option<R>) -> tokio::task::JoinHandle<String>
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut pipe, &mut bytes).await;
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
