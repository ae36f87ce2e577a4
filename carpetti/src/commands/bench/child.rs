//! Benchmarks that run a service as a `carpetti serve … --json` child process: waiting for the
//! address its `listening` event announces.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout};

use anyhow::{Context as _, bail};

/// Reads the child's JSON output until its `listening` event and returns `service`'s address;
/// kills and reaps the child when it ends before listening.
pub fn listening_address(
    child: &mut Child,
    stdout: &mut BufReader<ChildStdout>,
    service: &str,
) -> anyhow::Result<SocketAddr> {
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            let _ = child.kill();
            let _ = child.wait();
            bail!("carpetti serve {service} ended before it listened");
        }
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line.trim()) else {
            continue;
        };
        if event["event"] != "listening" {
            continue;
        }
        let address = event["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["service"] == service))
            .and_then(|s| s["address"].as_str())
            .with_context(|| format!("no {service} address in its listening event"))?;
        return address
            .parse()
            .with_context(|| format!("the {service} address {address}"));
    }
}
