//! The newcomer's journey to a live diagram: `carpetti up`, deploy and start a process from the
//! command line, open its live page and follow it over the adapter's WebSocket as it moves.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio_tungstenite::tungstenite::{self, Message};

use crate::import_export::Up;
use crate::{TestResult, carpetti, text};

fn next_json(
    socket: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>,
    deadline: Instant,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    loop {
        if Instant::now() > deadline {
            return Err("no message in time".into());
        }
        match socket.read()? {
            Message::Text(text) => return Ok(serde_json::from_str(&text)?),
            Message::Close(_) => return Err("the socket closed".into()),
            _ => continue,
        }
    }
}

fn activities(cursor: &serde_json::Value) -> Vec<String> {
    cursor["activities"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["activityId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_process_started_from_the_command_line_moves_on_its_live_page() -> TestResult {
    let dir = tempfile::tempdir()?;
    let up = Up::start(dir.path())?;
    let engine = format!("http://{}/engine-rest", up.address("engine")?);
    let adapter = up.address("process_adapter")?;
    let model = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/bpmn/live-demo.bpmn");
    for args in [
        vec!["deploy", model.to_str().ok_or("path")?],
        vec!["start", "live-demo", "--business-key", "demo-1"],
    ] {
        let output = carpetti(dir.path())
            .arg("process")
            .args(&args)
            .args(["--engine-url", &engine])
            .output()?;
        let (_, stderr) = text(&output);
        assert!(output.status.success(), "process {args:?}: {stderr}");
    }

    // The page.
    let mut stream = std::net::TcpStream::connect(&adapter)?;
    write!(
        stream,
        "GET /processes/demo-1 HTTP/1.1\r\nHost: carpetti\r\nConnection: close\r\n\r\n"
    )?;
    let mut page = String::new();
    stream.read_to_string(&mut page)?;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains(r#"data-business-key="demo-1""#));
    assert!(page.contains("/assets/process-viewer.js"));

    // The stream behind it.
    let (mut socket, _) = tungstenite::connect(format!("ws://{adapter}/ws"))?;
    if let tungstenite::stream::MaybeTlsStream::Plain(tcp) = socket.get_mut() {
        tcp.set_read_timeout(Some(Duration::from_secs(20)))?;
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    assert_eq!(next_json(&mut socket, deadline)?["type"], "hello");
    socket.send(Message::text(
        r#"{"type":"subscribe","businessKey":"demo-1"}"#,
    ))?;
    let schema = next_json(&mut socket, deadline)?;
    assert_eq!(schema["type"], "schema", "{schema}");
    assert!(
        schema["xml"]
            .as_str()
            .unwrap_or_default()
            .contains("BPMNDiagram")
    );
    let cursor = next_json(&mut socket, deadline)?;
    assert_eq!(activities(&cursor), ["Checking"], "{cursor}");
    // The first timer (5 s) fires: the cursor moves on by itself.
    let moved = loop {
        let message = next_json(&mut socket, deadline)?;
        if message["type"] == "cursor" && activities(&message) != ["Checking"] {
            break message;
        }
    };
    assert_eq!(activities(&moved), ["Packing"], "{moved}");
    drop(socket);
    up.stop()
}
