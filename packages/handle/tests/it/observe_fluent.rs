//! The Fluent Forward output against carpetti-testkit's loopback receiver, which decodes the
//! protocol: records arrive with their tag, time and fields; logging never blocks while the
//! receiver is down (events beyond the buffer are dropped and counted, exactly) and delivery
//! resumes when it comes back; shutdown flushes; integer-second times; and the receiver's own
//! decoding of Message and PackedForward modes.
//!
//! Multi-thread runtimes: the receiver must run while the test thread blocks in a flush.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use carpetti_handle::observe::FluentOptions;
use carpetti_handle::observe::fluent::protocol::encode_entry;
use carpetti_testkit::fluent::{FluentEvent, FluentMode, FluentReceiver, FluentTime};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::observe_common::{BoxError, TestResult, capture_logs};

const WAIT: Duration = Duration::from_secs(15);

fn options(receiver: &FluentReceiver) -> FluentOptions {
    let mut o = FluentOptions::new(receiver.address().to_string(), "carpetti.it");
    o.max_backoff = Duration::from_millis(200);
    o.flush_timeout = Duration::from_secs(5);
    o
}

fn now_secs() -> Result<u64, BoxError> {
    Ok(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())
}

fn seqs(events: &[FluentEvent]) -> BTreeSet<u64> {
    events
        .iter()
        .filter_map(|e| e.record["seq"].as_u64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_arrive_with_tag_time_and_fields() -> TestResult {
    let receiver = FluentReceiver::start().await?;
    let (dispatch, guard, logs) = capture_logs("info", Some(options(&receiver)))?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    let before = now_secs()?;
    tracing::info_span!("import", request_id = "r-1").in_scope(|| {
        for seq in 0..5u64 {
            tracing::info!(seq, supplier = "acme", "item {seq} imported");
        }
    });
    let events = receiver.wait_until(WAIT, |e| e.len() >= 5).await?;
    let after = now_secs()?;

    assert_eq!(events.len(), 5, "{events:#?}");
    for (seq, event) in (0u64..).zip(&events) {
        assert_eq!(event.tag, "carpetti.it");
        assert_eq!(event.mode, FluentMode::Forward);
        let FluentTime::EventTime { seconds, nanos } = event.time else {
            return Err(format!("not an EventTime: {event:?}").into());
        };
        assert!((before..=after).contains(&u64::from(seconds)), "{event:?}");
        assert!(nanos < 1_000_000_000);
        let r = &event.record;
        assert_eq!(r["seq"], seq);
        assert_eq!(r["message"], format!("item {seq} imported"));
        assert_eq!(r["level"], "INFO");
        assert_eq!(r["target"], "it::observe_fluent");
        assert_eq!(r["supplier"], "acme");
        assert_eq!(r["request_id"], "r-1", "span fields travel too");
        assert_eq!(r["span"], "import");
    }
    // The receiver records a message before acking it; the sender counts it sent on the ack.
    let fluent = guard.fluent().ok_or("fluent output")?;
    let deadline = tokio::time::Instant::now() + WAIT;
    while fluent.stats().sent < 5 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            fluent.stats()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!((fluent.stats().sent, fluent.stats().dropped), (5, 0));
    assert!(receiver.acks_sent() >= 1, "acks were asked for");
    // The same events also went to the JSON log.
    let json_lines = logs.lines()?;
    assert_eq!(
        json_lines
            .iter()
            .filter(|l| l["supplier"] == "acme")
            .count(),
        5
    );
    guard.shutdown();
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_the_receiver_going_down_and_resumes_when_it_returns() -> TestResult {
    let mut receiver = FluentReceiver::start().await?;
    let mut o = options(&receiver);
    o.buffer = 16;
    o.max_batch = 4;
    let (dispatch, guard, _logs) = capture_logs("info", Some(o))?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    let fluent = guard.fluent().ok_or("fluent output")?;

    for seq in 0..3u64 {
        tracing::info!(seq, "before the outage");
    }
    receiver.wait_until(WAIT, |e| e.len() >= 3).await?;

    receiver.stop().await;
    // 100 events while the receiver is away: each call returns at once; those beyond the buffer
    // (16) and the batch held for retry (4) are dropped and counted.
    for seq in 3..103u64 {
        tracing::info!(seq, "during the outage");
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    while fluent.stats().failures == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            fluent.stats()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stats = fluent.stats();
    let dropped_while_down = stats.dropped;
    // One batch may have been written into the socket before the sender saw the receiver gone:
    // TCP took it, so it counts as sent. Beyond that, everything past the buffer (16) and the
    // batch held for retry (4) is dropped — and every event is accounted for.
    assert!(dropped_while_down >= 100 - 16 - 4 - 4, "{stats:?}");
    assert!(
        stats.sent.saturating_sub(3) <= 4,
        "at most one batch went into the dead socket: {stats:?}"
    );
    assert!(
        stats.sent + stats.dropped + stats.queued + 4 >= 103,
        "events unaccounted for: {stats:?}"
    );

    receiver.restart().await?;
    // The held batch and the buffer drain once the sender's back-off lets it reconnect.
    while !(fluent.stats().connected && fluent.stats().queued == 0) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            fluent.stats()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for seq in 103..106u64 {
        tracing::info!(seq, "after the outage");
    }
    let events = receiver
        .wait_until(WAIT, |e| seqs(e).contains(&105))
        .await?;
    let stats_dropped = fluent.stats().dropped;
    guard.shutdown();

    let received = seqs(&events);
    assert!(
        (0..3).chain(103..106).all(|s| received.contains(&s)),
        "{received:?}"
    );
    assert_eq!(
        received.len() as u64 + stats_dropped,
        106,
        "every event delivered or counted as dropped: received {received:?}"
    );
    assert!(receiver.connections() >= 2, "reconnected");
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_flushes_what_is_buffered() -> TestResult {
    let receiver = FluentReceiver::start().await?;
    let (dispatch, guard, _logs) = capture_logs("info", Some(options(&receiver)))?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    for seq in 0..200u64 {
        tracing::info!(seq, "flush me");
    }
    guard.shutdown();
    // Acks were awaited before shutdown returned: everything is recorded already.
    let received = seqs(&receiver.events());
    assert_eq!(received, (0..200).collect::<BTreeSet<_>>());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integer_second_times_and_no_acks_when_configured() -> TestResult {
    let receiver = FluentReceiver::start().await?;
    let mut o = options(&receiver);
    o.event_time = false;
    o.require_ack = false;
    let (dispatch, guard, _logs) = capture_logs("info", Some(o))?;
    let _default = tracing::dispatcher::set_default(&dispatch);
    let before = now_secs()?;
    tracing::warn!(seq = 1u64, "plain seconds");
    let events = receiver.wait_until(WAIT, |e| !e.is_empty()).await?;
    let after = now_secs()?;
    let FluentTime::Seconds(seconds) = events[0].time else {
        return Err(format!("not integer seconds: {:?}", events[0]).into());
    };
    assert!((before..=after).contains(&seconds));
    assert_eq!(events[0].record["level"], "WARN");
    assert_eq!(receiver.acks_sent(), 0);
    guard.shutdown();
    Ok(())
}

/// The loopback receiver itself: Message mode (with an ack) and PackedForward, hand-framed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_decodes_message_and_packed_forward_modes() -> TestResult {
    let receiver = FluentReceiver::start().await?;
    let time = UNIX_EPOCH + Duration::new(1_700_000_000, 5);
    let entry_a = encode_entry(time, &json!({"k": "a"}), true)?;
    let entry_b = encode_entry(time, &json!({"k": "b"}), false)?;

    // Message: [tag, time, record, {"chunk": "m1"}] — the entry minus its 2-array header.
    let mut message = Vec::new();
    rmp::encode::write_array_len(&mut message, 4)?;
    rmp::encode::write_str(&mut message, "t.msg")?;
    message.extend_from_slice(&entry_a[1..]);
    rmp::encode::write_map_len(&mut message, 1)?;
    rmp::encode::write_str(&mut message, "chunk")?;
    rmp::encode::write_str(&mut message, "m1")?;
    // PackedForward: [tag, bin(entries), {"size": 2}].
    let packed_entries = [entry_a.clone(), entry_b].concat();
    let mut packed = Vec::new();
    rmp::encode::write_array_len(&mut packed, 3)?;
    rmp::encode::write_str(&mut packed, "t.packed")?;
    rmp::encode::write_bin(&mut packed, &packed_entries)?;
    rmp::encode::write_map_len(&mut packed, 1)?;
    rmp::encode::write_str(&mut packed, "size")?;
    rmp::encode::write_uint(&mut packed, 2)?;

    let mut stream = tokio::net::TcpStream::connect(receiver.address()).await?;
    stream.write_all(&message).await?;
    let mut ack = vec![0u8; 64];
    let n = tokio::time::timeout(WAIT, stream.read(&mut ack)).await??;
    let ack: carpetti_handle::observe::fluent::protocol::Ack = rmp_serde::from_slice(&ack[..n])?;
    assert_eq!(ack.ack, "m1");
    stream.write_all(&packed).await?;
    let events = receiver.wait_until(WAIT, |e| e.len() >= 3).await?;

    let at = FluentTime::EventTime {
        seconds: 1_700_000_000,
        nanos: 5,
    };
    assert_eq!(
        events
            .iter()
            .map(|e| (e.tag.as_str(), e.mode, e.time, e.record["k"].clone()))
            .collect::<Vec<_>>(),
        vec![
            ("t.msg", FluentMode::Message, at, json!("a")),
            ("t.packed", FluentMode::PackedForward, at, json!("a")),
            (
                "t.packed",
                FluentMode::PackedForward,
                FluentTime::Seconds(1_700_000_000),
                json!("b")
            ),
        ]
    );
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
    Ok(())
}
