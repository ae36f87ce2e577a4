//! Group commit of external-task completes: a burst of concurrent completes is written in shared
//! transactions, and every complete still gets its own answer — the ones a group cannot take
//! (a second complete on the same instance, the wrong worker, an unknown task) included.

use carpetti_engine::api::*;
use serde_json::json;

use super::support::{Backend, vars};

/// 40 instances that go on to a user task (with a timer) or to another external task, 10
/// parallel instances whose two branches are completed in the same burst, one complete by the
/// wrong worker and one of a task that does not exist, all at once.
pub async fn a_burst_of_completes_is_written_in_groups(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["group-mixed.bpmn", "parallel-gateway.bpmn"])
        .await?;
    for i in 0..40 {
        let route = if i % 2 == 0 { "user" } else { "ship" };
        b.start("mixed", Some(&format!("m-{i}")), &[("route", json!(route))])
            .await?;
    }
    for i in 0..10 {
        b.start("parallel", Some(&format!("p-{i}")), &[]).await?;
    }
    let prepare = b.fetch("w", "prepare", 100).await?;
    let branch_a = b.fetch("w", "a", 100).await?;
    let branch_b = b.fetch("w", "b", 100).await?;
    assert_eq!(
        (prepare.len(), branch_a.len(), branch_b.len()),
        (40, 10, 10)
    );
    b.start("mixed", Some("foreign"), &[("route", json!("ship"))])
        .await?;
    let foreign = b.one("owner", "prepare").await?;

    let mut burst = Vec::new();
    for (n, t) in prepare.iter().chain(&branch_a).chain(&branch_b).enumerate() {
        let done = vars(&[("n", json!(n))]);
        burst.push((t.task.id.clone(), "w", done));
    }
    burst.push((foreign.task.id.clone(), "intruder", vars(&[])));
    burst.push(("no-such-task".to_owned(), "w", vars(&[])));
    let answers = futures::future::join_all(burst.iter().map(|(id, worker, done)| {
        b.engine
            .complete_external_task(id, worker, done.clone(), vars(&[]))
    }))
    .await;
    let (accepted, refused) = answers.split_at(answers.len() - 2);
    for (answer, (id, ..)) in accepted.iter().zip(&burst) {
        assert!(answer.is_ok(), "{id}: {answer:?}");
    }
    assert!(
        matches!(refused[0], Err(EngineError::BadRequest(_))),
        "wrong worker: {:?}",
        refused[0]
    );
    assert!(
        matches!(refused[1], Err(EngineError::NotFound(_))),
        "unknown task: {:?}",
        refused[1]
    );

    let stats = b.engine.completion_stats();
    assert_eq!(stats.grouped + stats.alone, 62, "{stats:?}");
    assert!(stats.writing > std::time::Duration::ZERO, "{stats:?}");
    assert!(
        stats.groups < stats.grouped,
        "completes shared transactions: {stats:?}"
    );
    assert!(
        stats.alone >= 2,
        "the wrong worker and the unknown task were written alone: {stats:?}"
    );

    // the user-task half: a user task and its timer each; the other half: the next external task
    let approvals = b
        .engine
        .user_task_count(&UserTaskQuery {
            activity_id: Some("approve".into()),
            ..Default::default()
        })
        .await?;
    assert_eq!(approvals, 20);
    let timers = b
        .engine
        .job_count(&JobQuery {
            activity_id: Some("expire".into()),
            ..Default::default()
        })
        .await?;
    assert_eq!(timers, 20);
    let ship = b.fetch("w", "ship", 100).await?;
    assert_eq!(ship.len(), 20);
    assert!(
        ship.iter()
            .all(|t| t.variables["route"].value == json!("ship") && t.variables.contains_key("n"))
    );
    // both branches of every parallel instance reached the join, once
    let joined = b.fetch("w", "c", 100).await?;
    assert_eq!(joined.len(), 10);
    for t in &joined {
        let history = b
            .engine
            .historic_activities(&HistoricActivityQuery {
                process_instance_id: Some(t.task.process_instance_id.clone()),
                ..Default::default()
            })
            .await?;
        let mut path: Vec<&str> = history.iter().map(|h| h.activity_id.as_str()).collect();
        path.sort_unstable();
        assert_eq!(path, ["a", "b", "c", "fork", "join", "start"]);
    }
    // the foreign task is still its owner's
    b.engine
        .complete_external_task(&foreign.task.id, "owner", vars(&[]), vars(&[]))
        .await?;
    assert_eq!(b.fetch("w", "ship", 100).await?.len(), 1);
    // the ship tasks end their instances, in one more burst
    let ends = futures::future::join_all(ship.iter().map(|t| {
        b.engine
            .complete_external_task(&t.task.id, "w", vars(&[]), vars(&[]))
    }))
    .await;
    assert!(ends.iter().all(Result::is_ok), "{ends:?}");
    for t in &ship {
        let ended = b.engine.instance(&t.task.process_instance_id).await?;
        assert_eq!(ended.state, "COMPLETED", "{}", t.task.process_instance_id);
    }
    Ok(())
}

/// 30 starts at once, one of a process that does not exist in the middle of them: each start gets
/// its own instance (and the unknown one its own error, without spoiling the starts grouped after
/// it), in fewer transactions than starts.
pub async fn a_burst_of_starts_is_written_in_groups(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["exclusive-gateway.bpmn"]).await?;
    let mut keys: Vec<String> = (0..30).map(|i| format!("order-{i}")).collect();
    keys.insert(15, "nowhere".into());
    let answers = futures::future::join_all(keys.iter().map(|key| {
        let process = if key == "nowhere" {
            "no-such-process"
        } else {
            "exclusive"
        };
        let request = StartRequest {
            business_key: Some(key.clone()),
            variables: vars(&[("customer", json!(key))]),
        };
        let by = DefinitionRef::Key(process.into());
        async move { b.engine.start(&by, request).await }
    }))
    .await;
    let mut answers: Vec<_> = answers.into_iter().zip(keys.iter().cloned()).collect();
    let (refused, _) = answers.remove(15);
    assert!(
        matches!(refused, Err(EngineError::NotFound(_))),
        "{refused:?}"
    );
    let mut ids = std::collections::HashSet::new();
    for (answer, key) in &answers {
        let info = answer.as_ref().map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
        assert_eq!(info.business_key.as_deref(), Some(key.as_str()));
        assert_eq!(info.state, "ACTIVE");
        assert_eq!(info.start_activity_id.as_deref(), Some("start"));
        // the answer is what a read gives
        let read = b.engine.instance(&info.id).await?;
        assert_eq!(
            (read.started_at, read.definition_version, read.incidents),
            (info.started_at, info.definition_version, info.incidents)
        );
        ids.insert(info.id.clone());
    }
    assert_eq!(ids.len(), 30);
    let stats = b.engine.start_stats();
    assert_eq!(stats.grouped + stats.alone, 30, "{stats:?}");
    assert!(
        stats.groups < stats.grouped,
        "starts shared transactions: {stats:?}"
    );
    assert!(stats.writing > std::time::Duration::ZERO, "{stats:?}");
    // every instance waits in its first task, with its own variables
    let checks = b.fetch("w", "check", 100).await?;
    assert_eq!(checks.len(), 30);
    for t in &checks {
        assert_eq!(
            t.variables["customer"].value,
            json!(t.task.business_key.clone().unwrap_or_default())
        );
    }
    Ok(())
}
