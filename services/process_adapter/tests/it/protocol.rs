//! The protocol against the embedded engine, a process moved step by step by a worker.

use std::time::Duration;

use serde_json::json;

use crate::support::{TestAdapter, TestEngine, Viewer, at, eventually};

const MODEL: &str = "adapter-steps.bpmn";

async fn setup() -> anyhow::Result<(TestEngine, TestAdapter)> {
    let engine = TestEngine::start().await?;
    engine.deploy(MODEL).await?;
    let adapter = TestAdapter::start(&engine.url, None).await?;
    Ok((engine, adapter))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_subscriber_sees_the_process_move_step_by_step() -> anyhow::Result<()> {
    let (engine, adapter) = setup().await?;
    let instance = engine.start_process("adapter-steps", "order-1").await?;
    let mut viewers = vec![
        Viewer::connect(&adapter.ws_url()).await?,
        Viewer::connect(&adapter.ws_url()).await?,
    ];
    for viewer in &mut viewers {
        viewer.subscribe("order-1").await?;
        let schema = viewer.next().await?;
        assert_eq!(
            schema["type"], "schema",
            "the first message is the schema: {schema}"
        );
        assert_eq!(schema["businessKey"], "order-1");
        assert_eq!(schema["processInstanceId"], instance.as_str());
        assert!(
            schema["definitionId"]
                .as_str()
                .expect("valid in this test")
                .starts_with("adapter-steps")
        );
        assert!(
            schema["xml"]
                .as_str()
                .expect("valid in this test")
                .contains("Task_A")
        );
        let cursor = viewer.next().await?;
        assert_eq!(cursor["type"], "cursor");
        assert_eq!(at(&cursor), vec!["Task_A"]);
        assert_eq!(cursor["activities"][0]["count"], 1);
        assert_eq!(cursor["ended"], false);
        assert_eq!(cursor["state"], "ACTIVE");
    }
    engine.complete("adapter.a", "order-1").await?;
    let mut seqs = Vec::new();
    for viewer in &mut viewers {
        let cursor = viewer.next_of("cursor").await?;
        assert_eq!(at(&cursor), vec!["Task_B"], "{cursor}");
        seqs.push(cursor["seq"].as_u64().expect("valid in this test"));
    }
    assert_eq!(seqs[0], seqs[1], "every subscriber gets the same change");
    engine.complete("adapter.b", "order-1").await?;
    for viewer in &mut viewers {
        let cursor = viewer.next_of("cursor").await?;
        assert_eq!(cursor["ended"], true, "{cursor}");
        assert_eq!(cursor["state"], "COMPLETED");
        assert!(at(&cursor).is_empty());
        assert!(cursor["seq"].as_u64().expect("valid in this test") > seqs[0]);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_subscriber_gets_the_stored_schema_and_cursor_without_engine_calls()
-> anyhow::Result<()> {
    let (engine, adapter) = setup().await?;
    engine.start_process("adapter-steps", "order-2").await?;
    let mut first = Viewer::connect(&adapter.ws_url()).await?;
    first.subscribe("order-2").await?;
    first.next_of("cursor").await?;
    engine.complete("adapter.a", "order-2").await?;
    first.cursor_until(|c| at(c) == ["Task_B"]).await?;
    let (lookups, xml) = (engine.calls.get("instances"), engine.calls.get("xml"));
    assert_eq!(
        (lookups, xml),
        (1, 1),
        "one lookup and one XML fetch for the channel"
    );

    let mut late = Viewer::connect(&adapter.ws_url()).await?;
    late.subscribe("order-2").await?;
    let schema = late.next().await?;
    assert_eq!(schema["type"], "schema");
    let cursor = late.next().await?;
    assert_eq!(
        at(&cursor),
        vec!["Task_B"],
        "the latest cursor at once: {cursor}"
    );
    assert_eq!(engine.calls.get("instances"), lookups, "no new lookup");
    assert_eq!(engine.calls.get("xml"), xml, "no new XML fetch");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_instance_gives_its_final_state_from_history_and_is_not_polled()
-> anyhow::Result<()> {
    let (engine, adapter) = setup().await?;
    engine.start_process("adapter-steps", "order-3").await?;
    engine.complete("adapter.a", "order-3").await?;
    engine.complete("adapter.b", "order-3").await?;
    let mut viewer = Viewer::connect(&adapter.ws_url()).await?;
    viewer.subscribe("order-3").await?;
    assert_eq!(viewer.next().await?["type"], "schema");
    let cursor = viewer.next().await?;
    assert_eq!(cursor["ended"], true, "{cursor}");
    assert_eq!(cursor["state"], "COMPLETED");
    assert!(engine.calls.get("history") >= 1, "found through history");
    let polls = engine.calls.adapter_total();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        engine.calls.adapter_total(),
        polls,
        "an ended instance is not polled"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_keys_and_bad_messages_are_errors_and_the_socket_stays_open() -> anyhow::Result<()>
{
    let (engine, adapter) = setup().await?;
    engine.start_process("adapter-steps", "order-4").await?;
    let mut viewer = Viewer::connect(&adapter.ws_url()).await?;
    viewer.subscribe("no-such-order").await?;
    let error = viewer.next().await?;
    assert_eq!(error["type"], "error");
    assert_eq!(error["code"], "unknown_business_key");
    assert_eq!(error["businessKey"], "no-such-order");
    assert!(
        error["message"]
            .as_str()
            .expect("valid in this test")
            .contains("unknown business key")
    );

    viewer.send(json!({"type": "dance"})).await?;
    let error = viewer.next().await?;
    assert_eq!(
        (error["type"].as_str(), error["code"].as_str()),
        (Some("error"), Some("bad_request"))
    );
    viewer
        .send(json!({"type": "subscribe", "businessKey": "  "}))
        .await?;
    assert_eq!(viewer.next().await?["code"], "bad_request");

    viewer.subscribe("order-4").await?;
    assert_eq!(viewer.next_of("schema").await?["businessKey"], "order-4");
    assert_eq!(at(&viewer.next_of("cursor").await?), vec!["Task_A"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_started_after_the_subscription_shows_up_by_itself() -> anyhow::Result<()> {
    let (engine, adapter) = setup().await?;
    let mut viewer = Viewer::connect(&adapter.ws_url()).await?;
    viewer.subscribe("order-later").await?;
    assert_eq!(viewer.next().await?["code"], "unknown_business_key");
    engine.start_process("adapter-steps", "order-later").await?;
    let schema = viewer.next_within(Duration::from_secs(15)).await?;
    assert_eq!(schema["type"], "schema", "{schema}");
    assert_eq!(at(&viewer.next_of("cursor").await?), vec!["Task_A"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_keys_on_one_socket_and_unsubscribe_stops_the_poll() -> anyhow::Result<()> {
    let (engine, adapter) = setup().await?;
    engine.start_process("adapter-steps", "k1").await?;
    engine.start_process("adapter-steps", "k2").await?;
    let mut viewer = Viewer::connect(&adapter.ws_url()).await?;
    viewer.subscribe("k1").await?;
    viewer.subscribe("k2").await?;
    let mut keys = Vec::new();
    while keys.len() < 2 {
        let cursor = viewer.next_of("cursor").await?;
        keys.push(
            cursor["businessKey"]
                .as_str()
                .expect("valid in this test")
                .to_owned(),
        );
    }
    keys.sort();
    assert_eq!(keys, ["k1", "k2"]);
    assert_eq!(adapter.stats().await?.channels, 2);

    engine.complete("adapter.a", "k2").await?;
    let cursor = viewer.cursor_until(|c| c["businessKey"] == "k2").await?;
    assert_eq!(at(&cursor), vec!["Task_B"]);

    viewer
        .send(json!({"type": "unsubscribe", "businessKey": "k1"}))
        .await?;
    let ack = viewer.next_of("unsubscribed").await?;
    assert_eq!(ack["businessKey"], "k1");
    assert_eq!(adapter.stats().await?.channels, 1);

    viewer.close().await;
    eventually(Duration::from_secs(5), || async {
        Ok(adapter.stats().await?.channels == 0)
    })
    .await?;
    // A poll already on its way when the channel closed may still land; then nothing more.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let polls = engine.calls.get("activity_instances");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        engine.calls.get("activity_instances"),
        polls,
        "the last disconnect stopped the poll"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_come_with_their_messages() -> anyhow::Result<()> {
    let (engine, adapter) = setup().await?;
    engine.start_process("adapter-steps", "order-5").await?;
    let mut viewer = Viewer::connect(&adapter.ws_url()).await?;
    viewer.subscribe("order-5").await?;
    viewer.next_of("cursor").await?;
    engine
        .fail("adapter.a", "order-5", "the feed is gone")
        .await?;
    let cursor = viewer
        .cursor_until(|c| c["incidents"].as_array().is_some_and(|i| !i.is_empty()))
        .await?;
    let incident = &cursor["incidents"][0];
    assert_eq!(incident["activityId"], "Task_A", "{cursor}");
    assert_eq!(incident["type"], "failedExternalTask");
    assert_eq!(incident["message"], "the feed is gone");
    assert_eq!(at(&cursor), vec!["Task_A"]);
    Ok(())
}
