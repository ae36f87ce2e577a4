//! The live page in a real browser: Debian's Chromium driven by playwright-core
//! (`web/process-viewer/tests/live.mjs`) opens `/processes/{key}`, sees Task_A highlighted, and
//! — once this test moves the process — sees the highlight move to Task_B. Needs `node`, the
//! viewer's `node_modules` (`npm ci` in web/process-viewer) and `/usr/bin/chromium` (or
//! `CHROMIUM`): `scripts/test` installs them; a missing one fails this test.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

use crate::support::{TestAdapter, TestEngine};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_page_highlights_the_current_activity_as_the_process_moves() -> anyhow::Result<()>
{
    let viewer_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/process-viewer");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !PathBuf::from(&chromium).exists() {
        bail!("{chromium} is missing: install Debian's chromium (scripts/test does)");
    }
    if !viewer_dir.join("node_modules/playwright-core").exists() {
        bail!(
            "run `npm ci` in {} (scripts/test does)",
            viewer_dir.display()
        );
    }
    let engine = TestEngine::start().await?;
    engine.deploy("adapter-steps.bpmn").await?;
    engine.start_process("adapter-steps", "live-1").await?;
    let adapter = TestAdapter::start(&engine.url, None).await?;
    let screenshot = std::env::temp_dir().join(format!("carpetti-live-{}.png", std::process::id()));
    let page = format!("http://{}/processes/live-1", adapter.address);
    let mut child = Command::new("node")
        .current_dir(&viewer_dir)
        .arg("tests/live.mjs")
        .arg(&page)
        .arg("Task_A")
        .arg("Task_B")
        .arg(&screenshot)
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("running node (install Node.js: scripts/test does)")?;
    let stdout = child.stdout.take().context("stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    let run = async {
        while let Some(line) = lines.next_line().await? {
            if line == "AT Task_A" {
                engine.complete("adapter.a", "live-1").await?;
            }
            seen.push(line);
        }
        anyhow::Ok(())
    };
    tokio::time::timeout(Duration::from_secs(90), run)
        .await
        .context("the browser test did not finish in 90 s")??;
    let output = child.wait_with_output().await?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "live.mjs failed: {stderr}\nstdout: {seen:?}"
    );
    assert_eq!(seen, ["AT Task_A", "AT Task_B", "OK"], "stderr: {stderr}");
    assert!(
        screenshot.exists(),
        "a screenshot at {}",
        screenshot.display()
    );
    let _ = std::fs::remove_file(&screenshot);
    Ok(())
}
