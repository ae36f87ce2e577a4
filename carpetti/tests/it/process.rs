//! `carpetti process deploy|start|list|show` against the engine of a running `carpetti up`.

use std::path::PathBuf;

use crate::import_export::Up;
use crate::{TestResult, carpetti, text};

fn model(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/bpmn")
        .join(name)
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn process_commands_deploy_start_list_and_show() -> TestResult {
    let dir = tempfile::tempdir()?;
    let up = Up::start(dir.path())?;
    let engine = format!("http://{}/engine-rest", up.address("engine")?);
    let run = |args: &[&str]| {
        carpetti(dir.path())
            .arg("process")
            .args(args)
            .args(["--engine-url", &engine, "--json"])
            .output()
    };
    let file = model("exclusive-gateway.bpmn");
    let file = file.to_str().ok_or("path")?;

    let deployed = run(&["deploy", file])?;
    let (stdout, stderr) = text(&deployed);
    assert!(deployed.status.success(), "{stderr}");
    let first = &json_lines(&stdout)[0];
    assert_eq!(first["definitions"][0]["key"], "exclusive", "{stdout}");
    assert_eq!(first["definitions"][0]["version"], 1);
    let again = run(&["deploy", file])?;
    let (stdout, _) = text(&again);
    assert_eq!(
        json_lines(&stdout)[0]["definitions"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "unchanged: not re-versioned"
    );

    let started = run(&[
        "start",
        "exclusive",
        "--business-key",
        "order-7",
        "--var",
        "amount=150",
        "--var",
        "customer=ООО Ромашка",
    ])?;
    let (stdout, stderr) = text(&started);
    assert!(started.status.success(), "{stderr}");
    let id = json_lines(&stdout)[0]["id"]
        .as_str()
        .ok_or("an id")?
        .to_owned();

    let listed = run(&["list", "--key", "exclusive"])?;
    let (stdout, _) = text(&listed);
    let rows = json_lines(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["state"], "ACTIVE");
    assert_eq!(rows[0]["businessKey"], "order-7");

    let shown = run(&["show", &id])?;
    let (stdout, stderr) = text(&shown);
    assert!(shown.status.success(), "{stderr}");
    let shown = &json_lines(&stdout)[0];
    assert_eq!(
        shown["activities"]["childActivityInstances"][0]["activityId"], "check",
        "{stdout}"
    );

    let missing = run(&["start", "no-such-process"])?;
    assert!(!missing.status.success());
    let (_, stderr) = text(&missing);
    assert!(stderr.contains("no-such-process"), "{stderr}");
    up.stop()
}
