//! The `carpetti` binary end to end: `config` (masking, sources, errors), `up` (listening
//! table, graceful stop on SIGTERM), `bench persist` (every pass runs), imports and exports, and
//! `process` against the engine of a running system, each in a fresh
//! directory with a clean environment.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod cluster;
mod import_export;
mod live;
mod marketplaces;
mod process;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn carpetti(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_carpetti"));
    cmd.current_dir(dir).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn config_json_masks_the_database_password() -> TestResult {
    let dir = tempfile::tempdir()?;
    let output = carpetti(dir.path())
        .args(["config", "--json", "--data-dir", "elsewhere"])
        .env(
            "CARPETTI_DATABASE_URL",
            "postgres://app:hunter2@db:5432/carpetti",
        )
        .output()?;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(!stdout.contains("hunter2"), "password leaked: {stdout}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim())?;
    assert_eq!(
        json["database"]["url"],
        "postgres://app:********@db:5432/carpetti"
    );
    assert_eq!(json["data_dir"], "elsewhere");
    Ok(())
}

#[test]
fn config_table_names_sources() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("carpetti.toml"),
        "[log]\nlevel = \"debug\"\n",
    )?;
    let output = carpetti(dir.path())
        .arg("config")
        .env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:6001")
        .output()?;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("Configuration file: carpetti.toml"),
        "{stdout}"
    );
    assert!(stdout.contains("file carpetti.toml"), "{stdout}");
    assert!(stdout.contains("CARPETTI_PERSIST__LISTEN"), "{stdout}");
    assert!(stdout.contains("SQLite ./data/carpetti.db"), "{stdout}");
    Ok(())
}

#[test]
fn config_errors_are_clear_and_fail() -> TestResult {
    let dir = tempfile::tempdir()?;
    let output = carpetti(dir.path())
        .args(["config", "--config", "missing.toml"])
        .output()?;
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("missing.toml") && stderr.contains("does not exist"),
        "{stderr}"
    );

    let output = carpetti(dir.path())
        .arg("config")
        .env("CARPETTI_DATABASE_URL", "mysql://root:hunter2@db/x")
        .output()?;
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("not supported") && !stderr.contains("hunter2"),
        "{stderr}"
    );
    Ok(())
}

fn wait_with_deadline(
    child: &mut Child,
    limit: Duration,
) -> Result<std::process::ExitStatus, String> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                let _ = child.kill();
                return Err(format!("did not stop within {limit:?}"));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

#[test]
fn up_prints_where_it_listens_and_stops_on_sigterm() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut child = carpetti(dir.path())
        .args(["up", "--json", "--data-dir", "state"])
        .env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_METRICS__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_ENGINE__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_MP__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_PROCESS_ADAPTER__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_PROVIDER__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Services log JSON lines to stdout too; the command's own events carry an "event" field.
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let first = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            let _ = child.kill();
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .ok_or("no stderr")?
                .read_to_string(&mut stderr)?;
            return Err(
                format!("carpetti up printed no listening event; stderr:\n{stderr}").into(),
            );
        }
        let event: serde_json::Value = serde_json::from_str(line.trim())?;
        if event.get("event").is_some() {
            break line;
        }
        assert!(
            event.get("level").is_some(),
            "neither an event nor a log line: {line}"
        );
    };
    let listening: serde_json::Value = serde_json::from_str(first.trim())?;
    assert_eq!(listening["event"], "listening");
    assert_eq!(listening["data_dir"], "state");
    let persist = &listening["services"][0];
    assert_eq!(persist["service"], "persist");
    let backend = persist["backend"].as_str().unwrap_or_default();
    assert!(
        backend.starts_with("SQLite") && backend.contains("state"),
        "{backend}"
    );
    let address = persist["address"].as_str().ok_or("no address")?;
    let queue = listening["queue"].as_str().unwrap_or_default();
    assert!(
        queue.starts_with("embedded") && queue.contains("queue.db"),
        "{queue}"
    );
    let cache = listening["cache"].as_str().unwrap_or_default();
    assert!(cache.starts_with("in-process"), "{cache}");
    std::net::TcpStream::connect(address)?;
    assert!(dir.path().join("state").is_dir());
    // service_mp runs in `up` too (health and reflection on its gRPC port).
    let mp = listening["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["service"] == "mp"))
        .and_then(|s| s["address"].as_str())
        .ok_or("no mp row")?;
    std::net::TcpStream::connect(mp)?;

    // Prometheus scrapes the metrics endpoint `up` reports.
    let metrics = listening["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["service"] == "metrics"))
        .and_then(|s| s["address"].as_str())
        .ok_or("no metrics row")?;
    let mut scrape = std::net::TcpStream::connect(metrics)?;
    std::io::Write::write_all(
        &mut scrape,
        b"GET /metrics HTTP/1.1\r\nHost: carpetti\r\nConnection: close\r\n\r\n",
    )?;
    let mut answer = String::new();
    scrape.read_to_string(&mut answer)?;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("text/plain"), "{answer}");

    // the embedded engine serves the Camunda 7 REST API on the address `up` reports
    let engine = listening["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["service"] == "engine"))
        .and_then(|s| s["address"].as_str())
        .ok_or("no engine row")?;
    let mut rest = std::net::TcpStream::connect(engine)?;
    std::io::Write::write_all(
        &mut rest,
        b"GET /engine-rest/engine HTTP/1.1\r\nHost: carpetti\r\nConnection: close\r\n\r\n",
    )?;
    let mut answer = String::new();
    rest.read_to_string(&mut answer)?;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("content-type: application/json\r\n"),
        "{answer}"
    );
    assert!(answer.ends_with(r#"[{"name":"default"}]"#), "{answer}");

    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status()?;
    assert!(killed.success());
    let status = wait_with_deadline(&mut child, Duration::from_secs(20))?;
    let mut rest = String::new();
    stdout.read_to_string(&mut rest)?;
    assert!(status.success(), "exit {status}; stdout: {rest}");
    let stopped: serde_json::Value = rest
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|event| event.get("event").is_some())
        .ok_or("no stopped event")?;
    assert_eq!(stopped["event"], "stopped");
    assert!(
        listening["services"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["service"] == "metrics")),
        "{listening}"
    );
    assert_eq!(stopped["services"][0]["result"], "stopped");
    Ok(())
}

/// The benchmark command works end to end on both backends (a functional check with a handful
/// of items; the figures themselves live in docs/benchmarks.md, never in a test).
#[test]
fn bench_persist_runs_every_pass_on_both_backends() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut cmd = carpetti(dir.path());
    if let Ok(url) = std::env::var("CARPETTI_TEST_DATABASE_URL") {
        cmd.env("CARPETTI_BENCH_DATABASE_URL", url);
    }
    let output = cmd
        .args([
            "bench", "persist", "--items", "300", "--chunk", "100", "--json",
        ])
        .output()?;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "stderr: {stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim())?;
    let results = report["results"].as_array().ok_or("no results")?;
    let backends: Vec<&str> = results
        .iter()
        .filter_map(|r| r["backend"].as_str())
        .collect();
    assert_eq!(backends, ["postgres", "sqlite"]);
    for result in results {
        let passes: Vec<&str> = result["passes"]
            .as_array()
            .ok_or("no passes")?
            .iter()
            .filter_map(|p| p["pass"].as_str())
            .collect();
        assert!(passes.contains(&"upsert (new items)"), "{passes:?}");
        assert!(passes.contains(&"re-upsert (unchanged)"), "{passes:?}");
        for pass in result["passes"].as_array().ok_or("no passes")? {
            assert_eq!(pass["items"], 300);
            assert!(pass["items_per_sec"].as_f64().unwrap_or(0.0) > 0.0);
        }
    }
    assert!(report["raw_copy_items_per_sec"].as_f64().unwrap_or(0.0) > 0.0);
    Ok(())
}

/// `carpetti serve` takes RabbitMQ and Redis from CARPETTI_AMQP_URL / CARPETTI_REDIS_URL (the
/// machine's servers, as `scripts/test` exports them) and says so, passwords masked.
#[test]
fn serve_on_rabbitmq_and_redis_from_the_environment() -> TestResult {
    let amqp = std::env::var("CARPETTI_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned());
    let redis = std::env::var("CARPETTI_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let dir = tempfile::tempdir()?;
    let mut child = carpetti(dir.path())
        .args(["serve", "persist", "--json"])
        .env("CARPETTI_AMQP_URL", &amqp)
        .env("CARPETTI_REDIS_URL", &redis)
        .env("CARPETTI_AUTH__REQUIRED", "false")
        .env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_METRICS__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_ENGINE__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_MP__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_PROCESS_ADAPTER__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_PROVIDER__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(&line).ok())
        .find(|event| event.get("event").is_some());
    // Keep reading: the service logs to stdout until it stops.
    let drain = std::thread::spawn(move || lines.count());
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status()?;
    let status = wait_with_deadline(&mut child, Duration::from_secs(20))?;
    drain.join().map_err(|_| "stdout reader panicked")?;
    let Some(listening) = listening else {
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .ok_or("no stderr")?
            .read_to_string(&mut stderr)?;
        return Err(format!("no listening event; stderr:\n{stderr}").into());
    };
    let queue = listening["queue"].as_str().unwrap_or_default();
    assert!(
        queue.starts_with("RabbitMQ amqp://") && !queue.contains(":guest@"),
        "{queue}"
    );
    let cache = listening["cache"].as_str().unwrap_or_default();
    assert!(cache.starts_with("redis"), "{cache}");
    assert!(status.success(), "exit {status}");
    Ok(())
}

/// A service whose stdout reader goes away (a closed pipe) keeps running and still stops
/// cleanly: losing its terminal is not a reason to crash.
#[test]
fn up_survives_its_stdout_closing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut child = carpetti(dir.path())
        .args(["up", "--json", "--data-dir", "state"])
        .env("CARPETTI_PERSIST__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_METRICS__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_ENGINE__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_MP__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_PROCESS_ADAPTER__LISTEN", "127.0.0.1:0")
        .env("CARPETTI_PROVIDER__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("\"event\":\"listening\""));
    assert!(listening, "no listening event");
    drop(lines);
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status()?;
    let status = wait_with_deadline(&mut child, Duration::from_secs(20))?;
    assert!(status.success(), "exit {status}");
    Ok(())
}
