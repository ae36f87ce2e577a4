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

/// `carpetti serve engine` on `state` under `dir`, its REST address from the listening event.
fn serve_engine(
    dir: &std::path::Path,
    processes: &std::path::Path,
) -> Result<(std::process::Child, String), Box<dyn std::error::Error>> {
    use std::io::BufRead as _;
    let mut child = carpetti(dir)
        .args(["serve", "engine", "--json", "--data-dir", "state"])
        .env("CARPETTI_ENGINE__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_MP__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_PROCESS_ADAPTER__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_ENGINE__PROCESSES_DIR", processes)
        // the engine serves REST, not gRPC: no service tokens to verify
        .env("CARPETTI_AUTH__REQUIRED", "false")
        .env("CARPETTI_METRICS__LISTEN", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut stdout = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            let _ = child.kill();
            return Err("carpetti serve engine ended before it listened".into());
        }
        let event: serde_json::Value = serde_json::from_str(line.trim())?;
        if event["event"] == "listening" {
            let address = event["services"][0]["address"]
                .as_str()
                .ok_or("no address")?
                .to_owned();
            std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
            return Ok((child, address));
        }
    }
}

/// One HTTP/1.1 request on loopback; the status and the body.
fn http(
    address: &str,
    method: &str,
    path: &str,
    body: &str,
) -> Result<(u16, String), Box<dyn std::error::Error>> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(address)?;
    write!(
        stream,
        "{method} /engine-rest{path} HTTP/1.1\r\nHost: carpetti\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn fetch(
    address: &str,
    topic: &str,
    lock_ms: u64,
) -> Result<Vec<serde_json::Value>, Box<dyn std::error::Error>> {
    let body = format!(
        r#"{{"workerId":"w","maxTasks":5,"topics":[{{"topicName":"{topic}","lockDuration":{lock_ms}}}]}}"#
    );
    let (status, body) = http(address, "POST", "/external-task/fetchAndLock", &body)?;
    assert_eq!(status, 200, "{body}");
    Ok(serde_json::from_str::<Vec<serde_json::Value>>(&body)?)
}

fn eventually(
    what: &str,
    limit: std::time::Duration,
    mut check: impl FnMut() -> Result<bool, Box<dyn std::error::Error>>,
) -> TestResult {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if check()? {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    Err(format!("{what}: not within {limit:?}").into())
}

#[test]
fn a_killed_engine_resumes_its_timers_and_frees_expired_locks() -> TestResult {
    let dir = tempfile::tempdir()?;
    let processes = dir.path().join("processes");
    std::fs::create_dir(&processes)?;
    for f in ["timers.bpmn", "parallel-gateway.bpmn"] {
        std::fs::copy(model(f), processes.join(f))?;
    }
    let (mut engine, address) = serve_engine(dir.path(), &processes)?;
    let (status, body) = http(
        &address,
        "POST",
        "/process-definition/key/timers/start",
        r#"{"variables":{"delay":{"value":"PT2S","type":"String"}}}"#,
    )?;
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        &address,
        "POST",
        "/process-definition/key/parallel/start",
        "{}",
    )?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(fetch(&address, "a", 4_000)?.len(), 1, "locked for 4 s");

    // SIGKILL: no drain, no goodbye
    engine.kill()?;
    engine.wait()?;
    let (mut engine, address) = serve_engine(dir.path(), &processes)?;
    assert!(
        fetch(&address, "a", 60_000)?.is_empty(),
        "still locked by the dead worker"
    );
    eventually(
        "the timer that came due fires",
        std::time::Duration::from_secs(15),
        || {
            let (_, body) = http(&address, "GET", "/task?taskDefinitionKey=approve", "")?;
            Ok(serde_json::from_str::<Vec<serde_json::Value>>(&body)?.len() == 1)
        },
    )?;
    eventually(
        "the expired lock frees the task",
        std::time::Duration::from_secs(15),
        || Ok(fetch(&address, "a", 60_000)?.len() == 1),
    )?;
    engine.kill()?;
    engine.wait()?;
    Ok(())
}
