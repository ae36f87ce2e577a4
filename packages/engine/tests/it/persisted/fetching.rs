//! fetchAndLock over several topics in one acquisition: topics in the request's order, each with
//! its own lock duration and filters, never more than `maxTasks`.

use std::time::Duration;

use carpetti_engine::api::*;

use super::support::Backend;

fn topic(name: &str, lock: u64) -> TopicFetch {
    TopicFetch {
        name: name.into(),
        lock_duration: Duration::from_secs(lock),
        ..Default::default()
    }
}

pub async fn one_fetch_takes_topics_in_order_up_to_max(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["parallel-gateway.bpmn"]).await?;
    for i in 0..3 {
        b.start("parallel", Some(&format!("p-{i}")), &[]).await?;
    }
    let request = |worker: &str, topics: Vec<TopicFetch>, max: u32| FetchRequest {
        worker_id: worker.into(),
        max_tasks: max,
        use_priority: true,
        async_response_timeout: None,
        topics,
    };
    // b first (3 tasks), then room for one a
    let first = b
        .engine
        .fetch_and_lock(request("w1", vec![topic("b", 10), topic("a", 600)], 4))
        .await?;
    let topics: Vec<&str> = first.iter().map(|t| t.task.topic.as_str()).collect();
    assert_eq!(topics, ["b", "b", "b", "a"]);
    let now = chrono::Utc::now();
    for t in &first {
        let until = t.task.lock_expires_at.expect("locked");
        let expected = if t.task.topic == "b" { 10 } else { 600 };
        let off = (until - now).num_seconds() - expected;
        assert!(
            (-2..=1).contains(&off),
            "{} locked until {until}",
            t.task.topic
        );
        assert_eq!(t.task.worker_id.as_deref(), Some("w1"));
    }
    // a filter by business key narrows its topic only
    let mut only_p2 = topic("a", 60);
    only_p2.business_key = Some("p-2".into());
    let second = b
        .engine
        .fetch_and_lock(request("w2", vec![only_p2, topic("b", 60)], 10))
        .await?;
    let taken_a: Vec<_> = first.iter().filter(|t| t.task.topic == "a").collect();
    let expect_p2 = usize::from(taken_a[0].task.business_key.as_deref() != Some("p-2"));
    assert_eq!(second.len(), expect_p2, "b is all locked; a only for p-2");
    assert!(
        second
            .iter()
            .all(|t| t.task.business_key.as_deref() == Some("p-2"))
    );
    // what is left of a goes to the next worker, and nothing twice
    let third = b
        .engine
        .fetch_and_lock(request("w3", vec![topic("a", 60), topic("b", 60)], 10))
        .await?;
    assert_eq!(first.len() + second.len() + third.len(), 6);
    let mut ids: Vec<&str> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|t| t.task.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    Ok(())
}
