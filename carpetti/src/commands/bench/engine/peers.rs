//! The peers of `carpetti bench engine`: SpiffWorkflow (python3, scripts/bench/engine-spiff.py)
//! and npm bpmn-engine (node, scripts/bench/engine-bpmn-engine.mjs), each run as a child process
//! that prints one JSON line. Each is checked for first and installed if missing (pip from
//! scripts/requirements-engine-peers.txt; `npm ci` in scripts/bench), unless `--no-install`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail, ensure};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use super::model::{self, Flavour};
use super::{Run, warmup_of};

/// The pinned versions (scripts/requirements-engine-peers.txt, scripts/bench/package.json).
const SPIFF_VERSION: &str = "3.2.0";
const BPMN_ENGINE_VERSION: &str = "25.0.1";

/// A peer engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Peer {
    /// PyPI SpiffWorkflow (python3).
    SpiffWorkflow,
    /// npm bpmn-engine (node).
    BpmnEngine,
}

impl Peer {
    pub fn flavour(self) -> Flavour {
        match self {
            Self::SpiffWorkflow => Flavour::Spiff,
            Self::BpmnEngine => Flavour::BpmnEngine,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SpiffWorkflow => "SpiffWorkflow",
            Self::BpmnEngine => "bpmn-engine",
        }
    }
}

/// What a peer script prints.
#[derive(Debug, Deserialize)]
struct PeerOutput {
    version: String,
    runtime: String,
    instances: u64,
    tasks: u64,
    seconds: f64,
    task_counts: BTreeMap<String, u64>,
    peak_rss_mb: Option<f64>,
}

/// The scripts folder: `scripts/` of the working directory (the repository root), else the one
/// of the source tree this binary was built from.
pub fn scripts_dir() -> anyhow::Result<PathBuf> {
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts");
    [PathBuf::from("scripts"), built_from]
        .into_iter()
        .find(|dir| dir.join("bench/engine-spiff.py").is_file())
        .context(
            "scripts/bench/engine-spiff.py not found: run the benchmark from the repository root \
             (or pass --no-peer)",
        )
}

/// Installs `peer` if it is missing (or at another version), unless `install` is false.
pub fn ensure_installed(peer: Peer, scripts: &Path, install: bool) -> anyhow::Result<()> {
    let installed = match peer {
        Peer::SpiffWorkflow => spiff_version()?,
        Peer::BpmnEngine => bpmn_engine_version(scripts),
    };
    let wanted = match peer {
        Peer::SpiffWorkflow => SPIFF_VERSION,
        Peer::BpmnEngine => BPMN_ENGINE_VERSION,
    };
    if installed.as_deref() == Some(wanted) {
        return Ok(());
    }
    let found = installed.map_or_else(|| "not installed".to_owned(), |v| format!("version {v}"));
    let (hint, mut command) = match peer {
        Peer::SpiffWorkflow => {
            let requirements = scripts.join("requirements-engine-peers.txt");
            let mut command = Command::new("python3");
            command
                .args(["-m", "pip", "install", "--quiet", "-r"])
                .arg(&requirements);
            (
                format!("python3 -m pip install -r {}", requirements.display()),
                command,
            )
        }
        Peer::BpmnEngine => {
            let dir = scripts.join("bench");
            let mut command = Command::new("npm");
            command
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir);
            (format!("cd {} && npm ci", dir.display()), command)
        }
    };
    ensure!(
        install,
        "{} {wanted} is needed and is {found}: run `{hint}` (or drop --no-install)",
        peer.label()
    );
    eprintln!("{} {wanted} is {found}: {hint} …", peer.label());
    let output = command
        .output()
        .with_context(|| format!("running `{hint}` (is it installed?)"))?;
    if !output.status.success() {
        bail!(
            "installing {} failed (`{hint}`): {}",
            peer.label(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// SpiffWorkflow's installed version, if python3 has it.
fn spiff_version() -> anyhow::Result<Option<String>> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('SpiffWorkflow'))",
        ])
        .output()
        .context("running python3 (the SpiffWorkflow peer needs Python 3.11+)")?;
    Ok(output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned()))
}

/// bpmn-engine's version in scripts/bench/node_modules, if installed there.
fn bpmn_engine_version(scripts: &Path) -> Option<String> {
    let manifest = scripts.join("bench/node_modules/bpmn-engine/package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["version"].as_str().map(str::to_owned)
}

/// Runs `instances` instances of `model` in `peer` (after a warm-up) and checks every task ran.
pub fn run(peer: Peer, scripts: &Path, model: &Path, instances: u64) -> anyhow::Result<Run> {
    let warmup = warmup_of(instances);
    let mut command = match peer {
        Peer::SpiffWorkflow => {
            let mut command = Command::new("python3");
            command
                .arg(scripts.join("bench/engine-spiff.py"))
                .arg(model)
                .arg(model::PROCESS_ID);
            command
        }
        Peer::BpmnEngine => {
            let mut command = Command::new("node");
            command
                .arg(scripts.join("bench/engine-bpmn-engine.mjs"))
                .arg(model);
            command
        }
    };
    command.arg(instances.to_string()).arg(warmup.to_string());
    let output = command
        .output()
        .with_context(|| format!("running the {} peer", peer.label()))?;
    if !output.status.success() {
        bail!(
            "the {} peer failed: {}",
            peer.label(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let result: PeerOutput = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading the {} peer's JSON", peer.label()))?;
    ensure!(
        result.instances == instances && result.task_counts == model::expected_counts(instances),
        "the {} peer did not run the expected tasks: {:?}",
        peer.label(),
        result.task_counts
    );
    Ok(Run::new(
        peer.label(),
        format!("{} {}", peer.label(), result.version),
        result.runtime,
        instances,
        warmup,
        result.tasks,
        result.seconds,
        result.peak_rss_mb,
    ))
}
