//! Fan-out: a thousand subscribers of one channel cost the engine what one does; a silent client
//! is dropped while the others go on.

use std::time::Duration;

use futures::future::try_join_all;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

use crate::support::{TestAdapter, TestEngine, Viewer, at, settings, socket_settings_fast_ping};

/// Engine calls of one channel watched by `viewers`, from the first subscription until every
/// viewer has seen the process move from Task_A to Task_B; plus polls in a quiet second after.
async fn engine_calls_with(viewers: usize) -> anyhow::Result<(u64, u64, u64)> {
    let engine = TestEngine::start().await?;
    engine.deploy("adapter-steps.bpmn").await?;
    engine.start_process("adapter-steps", "busy").await?;
    let adapter = TestAdapter::start(&engine.url, None).await?;
    let url = adapter.ws_url();
    let mut all = try_join_all((0..viewers).map(|_| Viewer::connect(&url))).await?;
    for viewer in &mut all {
        viewer.subscribe("busy").await?;
    }
    for viewer in &mut all {
        assert_eq!(at(&viewer.next_of("cursor").await?), vec!["Task_A"]);
    }
    engine.complete("adapter.a", "busy").await?;
    for viewer in &mut all {
        viewer.cursor_until(|c| at(c) == ["Task_B"]).await?;
    }
    let stats = adapter.stats().await?;
    assert_eq!((stats.channels, stats.subscribers), (1, viewers));
    let before = engine.calls.get("activity_instances");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let quiet = engine.calls.get("activity_instances") - before;
    Ok((
        engine.calls.get("instances"),
        engine.calls.get("xml"),
        quiet,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_subscribers_cost_the_engine_what_one_does() -> anyhow::Result<()> {
    let (one_lookups, one_xml, one_quiet) = engine_calls_with(1).await?;
    let (many_lookups, many_xml, many_quiet) = engine_calls_with(1000).await?;
    assert_eq!((one_lookups, one_xml), (1, 1));
    assert_eq!(
        (many_lookups, many_xml),
        (1, 1),
        "one lookup and one XML for 1,000 viewers"
    );
    // One poll loop either way: at most one poll per 50 ms minimum interval in the quiet second
    // (backing off), never one per viewer.
    assert!(
        one_quiet <= 21 && many_quiet <= 21,
        "polls in a quiet second: {one_quiet} vs {many_quiet}"
    );
    assert!(
        many_quiet <= one_quiet + 3,
        "1,000 viewers polled more: {many_quiet} vs {one_quiet}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_dropped_and_the_others_go_on() -> anyhow::Result<()> {
    let engine = TestEngine::start().await?;
    engine.deploy("adapter-steps.bpmn").await?;
    engine.start_process("adapter-steps", "quiet").await?;
    let mut settings = settings();
    settings.sockets = socket_settings_fast_ping();
    let adapter = TestAdapter::start_with(&engine.url, None, settings).await?;

    // A raw socket that completes the handshake and then never reads or answers pings.
    let mut silent = TcpStream::connect(adapter.address).await?;
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        adapter.address
    );
    silent.write_all(request.as_bytes()).await?;
    let mut live = Viewer::connect(&adapter.ws_url()).await?;
    live.subscribe("quiet").await?;
    live.next_of("cursor").await?;
    assert_eq!(adapter.stats().await?.connections, 2);

    // Two ping intervals (600 ms) without a word: the silent one is dropped; the live one,
    // whose client answers pings, stays.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        // Reading is what makes the live client answer pings.
        let _ = live.next_within(Duration::from_millis(100)).await;
        if adapter.stats().await?.connections == 1 {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the silent client was not dropped"
        );
    }
    engine.complete("adapter.a", "quiet").await?;
    let cursor = live.cursor_until(|c| at(c) == ["Task_B"]).await?;
    assert_eq!(cursor["businessKey"], "quiet");
    Ok(())
}
