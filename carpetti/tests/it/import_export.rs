//! `carpetti import` and `carpetti export yml` as a newcomer runs them: every real feed imported
//! into the embedded system under `--data-dir`, the counts of its report, an unchanged second
//! import, a broken feed that fails loudly and changes nothing, the export read back; then the
//! same commands against a running `carpetti up` (`--provider`, `--persist`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{TestResult, carpetti, text, wait_with_deadline};

fn real_feed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/feeds/real")
        .join(name)
}

/// Runs `carpetti ARGS --json` in `dir`; the last JSON line with an `event`, and whether the
/// command succeeded (stderr in the error when the output is not JSON).
fn json(dir: &Path, args: &[&str]) -> Result<(serde_json::Value, bool), String> {
    let output = carpetti(dir)
        .args(args)
        .arg("--json")
        .output()
        .map_err(|e| e.to_string())?;
    let (stdout, stderr) = text(&output);
    let event = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .rfind(|value| value.get("event").is_some())
        .ok_or_else(|| format!("no JSON event from {args:?}; stdout {stdout}; stderr {stderr}"))?;
    Ok((event, output.status.success()))
}

fn counts(report: &serde_json::Value) -> [i64; 5] {
    ["read", "created", "unchanged", "rejected", "gone"].map(|k| report[k].as_i64().unwrap_or(-1))
}

#[test]
fn every_real_feed_imports_and_exports_on_the_embedded_system() -> TestResult {
    let dir = tempfile::tempdir()?;
    //                     file, supplier, [read, created, unchanged, rejected, gone]
    let cases = [
        ("ecwid-variants.xml", "ecwid", [77, 77, 0, 0, 0]),
        ("malformed-supplier.xml", "broken", [72, 0, 0, 72, 0]),
        ("ozon-price-stock.xml", "ozon", [838, 0, 0, 838, 0]),
        (
            "yandex-official-yandex_products_Ekaterinburg_feed.xml",
            "ekb",
            [36, 36, 0, 0, 0],
        ),
        (
            "yandex-official-yandex_products_Moscow_feed_with_delivery.xml",
            "msk",
            [36, 36, 0, 0, 0],
        ),
        (
            "yandex-official-yandex_products_Saint_Petersburg_feed_vendor_type.xml",
            "spb",
            [36, 36, 0, 0, 0],
        ),
    ];
    for (file, code, expected) in cases {
        let feed = real_feed(file);
        let feed = feed.to_str().ok_or("path")?;
        let args = ["import", feed, "--supplier", code, "--data-dir", "state"];
        let (report, ok) = json(dir.path(), &args)?;
        assert!(ok, "{file}: {report}");
        assert_eq!(report["status"], "succeeded", "{file}: {report}");
        assert_eq!(counts(&report), expected, "{file}: {report}");
        let rejected = report["rejected_items"]
            .as_array()
            .ok_or("rejected_items")?;
        assert_eq!(rejected.len() as i64, expected[3].min(100), "{file}");
        assert!(
            rejected
                .iter()
                .all(|r| r["line"].as_i64().is_some_and(|l| l > 0)),
            "{file}: a rejection without its line"
        );
    }

    // Unchanged the second time; the human form ends with the summary table.
    let ecwid = real_feed("ecwid-variants.xml");
    let ecwid = ecwid.to_str().ok_or("path")?;
    let again = [
        "import",
        ecwid,
        "--supplier",
        "ecwid",
        "--data-dir",
        "state",
    ];
    let (report, ok) = json(dir.path(), &again)?;
    assert!(ok && counts(&report) == [77, 0, 77, 0, 0], "{report}");
    let output = carpetti(dir.path()).args(again).output()?;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("unchanged") && stdout.contains("77") && stdout.contains("run id"),
        "{stdout}"
    );

    // A feed cut in the middle fails loudly, and the catalog keeps what it had.
    let whole = std::fs::read_to_string(real_feed("ecwid-variants.xml"))?;
    let cut = dir.path().join("cut.xml");
    std::fs::write(&cut, &whole[..whole.len() / 2])?;
    let cut = cut.to_str().ok_or("path")?;
    let output = carpetti(dir.path())
        .args(["import", cut, "--supplier", "ecwid", "--data-dir", "state"])
        .output()?;
    let (_, stderr) = text(&output);
    assert!(!output.status.success(), "a truncated feed succeeded");
    assert!(stderr.contains("the import failed"), "{stderr}");
    let missing = carpetti(dir.path())
        .args([
            "import",
            "nowhere.xml",
            "--supplier",
            "ecwid",
            "--data-dir",
            "state",
        ])
        .output()?;
    assert!(!missing.status.success());
    assert!(
        text(&missing).1.contains("no such file"),
        "{:?}",
        text(&missing)
    );

    // Export, then read the export back as another supplier's feed: every offer comes back.
    let export = [
        "export",
        "yml",
        "--supplier",
        "ecwid",
        "--out",
        "ecwid.yml",
        "--data-dir",
        "state",
    ];
    let (summary, ok) = json(dir.path(), &export)?;
    assert!(ok, "{summary}");
    let offers = summary["offers"].as_i64().ok_or("offers")?;
    assert!(offers > 0 && offers <= 77, "{summary}");
    assert!(dir.path().join("ecwid.yml").is_file());
    let back = [
        "import",
        "ecwid.yml",
        "--supplier",
        "back",
        "--data-dir",
        "state",
    ];
    let (report, ok) = json(dir.path(), &back)?;
    assert!(ok, "{report}");
    assert_eq!(counts(&report), [offers, offers, 0, 0, 0], "{report}");
    Ok(())
}

/// `carpetti up` in `dir`, with the address of each service from its listening event.
pub(crate) struct Up {
    child: Child,
    listening: serde_json::Value,
}

impl Up {
    pub(crate) fn start(dir: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        let mut child = carpetti(dir)
            .args(["up", "--json", "--data-dir", "state"])
            .env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_PROVIDER__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_METRICS__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_ENGINE__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_MP__LISTEN", "127.0.0.1:0")
            .env("CARPETTI_PROCESS_ADAPTER__LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let listening = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line)? == 0 {
                let _ = child.kill();
                return Err("carpetti up ended before it listened".into());
            }
            let value: serde_json::Value = serde_json::from_str(line.trim())?;
            if value["event"] == "listening" {
                break value;
            }
        };
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Ok(Self { child, listening })
    }

    pub(crate) fn address(&self, service: &str) -> Result<String, String> {
        self.listening["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["service"] == service))
            .and_then(|s| s["address"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("no {service} in {}", self.listening))
    }

    pub(crate) fn stop(mut self) -> TestResult {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status()?;
        let status = wait_with_deadline(&mut self.child, Duration::from_secs(20))?;
        assert!(status.success(), "carpetti up exited with {status}");
        Ok(())
    }
}

/// A test that ends without `stop` (or fails before it) leaves no `carpetti up` behind.
impl Drop for Up {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn import_and_export_against_a_running_system() -> TestResult {
    let dir = tempfile::tempdir()?;
    let up = Up::start(dir.path())?;
    let provider = up.address("provider")?;
    let persist = up.address("persist")?;
    let feed = real_feed("yandex-official-yandex_products_Moscow_feed_with_delivery.xml");
    let feed = feed.to_str().ok_or("path")?;
    // Without --persist an unknown supplier is an error that says what to do.
    let output = carpetti(dir.path())
        .args(["import", feed, "--supplier", "msk", "--provider", &provider])
        .output()?;
    assert!(!output.status.success());
    assert!(text(&output).1.contains("--persist"), "{:?}", text(&output));
    let import = [
        "import",
        feed,
        "--supplier",
        "msk",
        "--provider",
        &provider,
        "--persist",
        &persist,
    ];
    let (report, ok) = json(dir.path(), &import)?;
    assert!(ok, "{report}");
    assert_eq!(counts(&report), [36, 36, 0, 0, 0], "{report}");
    let (again, ok) = json(dir.path(), &import)?;
    assert!(ok && counts(&again) == [36, 0, 36, 0, 0], "{again}");
    let export = [
        "export",
        "yml",
        "--supplier",
        "msk",
        "--out",
        "msk.yml",
        "--persist",
        &persist,
    ];
    let (summary, ok) = json(dir.path(), &export)?;
    assert!(ok, "{summary}");
    assert_eq!(summary["offers"], 36, "{summary}");
    let written = std::fs::read_to_string(dir.path().join("msk.yml"))?;
    assert_eq!(written.matches("<offer ").count(), 36);
    up.stop()
}
