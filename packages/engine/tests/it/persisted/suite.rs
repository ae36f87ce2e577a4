//! One behaviour per test, written once, run on both backends.

use std::collections::HashSet;
use std::time::Duration;

use carpetti_engine::api::*;
use serde_json::json;

use super::support::{Backend, fetch_request, vars};

pub async fn deploys_versions_and_filters_duplicates(b: &Backend) -> anyhow::Result<()> {
    let first = b.deploy(&["exclusive-gateway.bpmn"]).await?;
    assert_eq!(first.definitions.len(), 1);
    assert_eq!(first.definitions[0].version, 1);
    assert!(first.definitions[0].id.starts_with("exclusive:1:"));
    let second = b.deploy(&["exclusive-gateway.bpmn"]).await?;
    assert_eq!(
        second.definitions[0].version, 2,
        "a redeploy is a new version"
    );
    let resources = vec![(
        "exclusive-gateway.bpmn".to_string(),
        crate::support::model("exclusive-gateway.bpmn").into_bytes(),
    )];
    let filtered = b
        .engine
        .deploy(DeployRequest {
            name: Some("suite".into()),
            duplicate_filtering: true,
            resources,
            ..Default::default()
        })
        .await?;
    assert_eq!(
        filtered.id, second.id,
        "an identical deployment returns the existing one"
    );
    assert!(filtered.definitions.is_empty());
    let latest = b
        .engine
        .definitions(&DefinitionQuery {
            key: Some("exclusive".into()),
            latest_version: true,
            ..Default::default()
        })
        .await?;
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].version, 2);
    let (definition, xml) = b
        .engine
        .definition_xml(&DefinitionRef::Key("exclusive".into()))
        .await?;
    assert_eq!(definition.version, 2);
    assert!(xml.contains("amount &gt; 100"), "the XML as deployed");
    Ok(())
}

pub async fn refuses_a_bad_model_and_deploys_nothing(b: &Backend) -> anyhow::Result<()> {
    let resources = vec![
        ("good.bpmn".to_string(), crate::support::model("parallel-gateway.bpmn").into_bytes()),
        ("bad.bpmn".to_string(), b"<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><bpmn:process id=\"p\" isExecutable=\"true\"><bpmn:startEvent id=\"s\"/><bpmn:scriptTask id=\"js\"/></bpmn:process></bpmn:definitions>".to_vec()),
    ];
    let error = b
        .engine
        .deploy(DeployRequest {
            resources,
            ..Default::default()
        })
        .await
        .expect_err("refused");
    match error {
        EngineError::Parse { resource, error } => {
            assert_eq!(resource, "bad.bpmn");
            assert_eq!(error.element.as_deref(), Some("js"));
        }
        other => panic!("expected a parse error, got {other}"),
    }
    assert!(
        b.engine
            .definitions(&DefinitionQuery::default())
            .await?
            .is_empty()
    );
    Ok(())
}

pub async fn runs_external_tasks_to_the_end_with_history(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["exclusive-gateway.bpmn"]).await?;
    let started = b
        .start(
            "exclusive",
            Some("order-1"),
            &[("customer", json!("ООО Ромашка"))],
        )
        .await?;
    assert_eq!(started.state, "ACTIVE");
    let check = b.one("w1", "check").await?;
    assert_eq!(check.task.business_key.as_deref(), Some("order-1"));
    assert_eq!(check.variables["customer"].value, json!("ООО Ромашка"));
    let tree = b.engine.activity_tree(&started.id).await?;
    assert_eq!(
        tree.child_activity_instances[0].id,
        check.task.activity_instance_id
    );
    b.engine
        .complete_external_task(
            &check.task.id,
            "w1",
            vars(&[("amount", json!(150))]),
            vars(&[]),
        )
        .await?;
    let big = b.one("w1", "big").await?;
    assert_eq!(big.variables["amount"].value, json!(150));
    b.engine
        .complete_external_task(&big.task.id, "w1", vars(&[]), vars(&[]))
        .await?;
    let ended = b.engine.instance(&started.id).await?;
    assert_eq!(ended.state, "COMPLETED");
    assert!(ended.ended_at.is_some());
    let running = b
        .engine
        .instances(&InstanceQuery {
            finished: Some(false),
            ..Default::default()
        })
        .await?;
    assert!(running.is_empty(), "the runtime view drops ended instances");
    let history = b
        .engine
        .historic_activities(&HistoricActivityQuery {
            process_instance_id: Some(started.id.clone()),
            ..Default::default()
        })
        .await?;
    let path: Vec<&str> = history.iter().map(|h| h.activity_id.as_str()).collect();
    assert_eq!(path, ["start", "check", "gw", "big", "end"]);
    assert!(history.iter().all(|h| h.ended_at.is_some() && !h.canceled));
    assert_eq!(history[1].task_id.as_deref(), Some(check.task.id.as_str()));
    Ok(())
}

pub async fn long_poll_answers_when_a_task_appears(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["parallel-gateway.bpmn"]).await?;
    let engine = b.engine.clone();
    let waiting = tokio::spawn(async move {
        engine
            .fetch_and_lock(fetch_request(
                "poller",
                "a",
                5,
                Some(Duration::from_secs(20)),
            ))
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !waiting.is_finished(),
        "nothing to fetch yet: the request waits"
    );
    b.start("parallel", None, &[]).await?;
    let tasks = tokio::time::timeout(Duration::from_secs(10), waiting).await???;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].task.topic, "a");
    let empty = b
        .engine
        .fetch_and_lock(fetch_request(
            "poller",
            "nothing",
            5,
            Some(Duration::from_millis(300)),
        ))
        .await?;
    assert!(empty.is_empty(), "the long poll ends empty at its timeout");
    Ok(())
}

pub async fn failures_retry_then_become_an_incident(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["parallel-gateway.bpmn"]).await?;
    let instance = b.start("parallel", None, &[]).await?;
    let a = b.one("w", "a").await?;
    assert_eq!(
        a.task.retries, None,
        "retries are null until the first failure"
    );
    let failure = |retries| Failure {
        worker_id: "w".into(),
        error_message: Some("supplier feed timed out".into()),
        error_details: Some("stack".into()),
        retries,
        retry_timeout: Duration::ZERO,
        ..Default::default()
    };
    b.engine.fail_external_task(&a.task.id, failure(1)).await?;
    let again = b.one("w", "a").await?;
    assert_eq!(again.task.retries, Some(1));
    b.engine.fail_external_task(&a.task.id, failure(0)).await?;
    assert!(
        b.fetch("w", "a", 5).await?.is_empty(),
        "no retries left: not fetchable"
    );
    let incidents = b
        .engine
        .incidents(&IncidentQuery {
            process_instance_id: Some(instance.id.clone()),
            ..Default::default()
        })
        .await?;
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].kind, "failedExternalTask");
    assert_eq!(
        incidents[0].configuration.as_deref(),
        Some(a.task.id.as_str())
    );
    assert_eq!(incidents[0].message, "supplier feed timed out");
    let tree = b.engine.activity_tree(&instance.id).await?;
    let node = tree
        .child_activity_instances
        .iter()
        .find(|c| c.activity_id == "a")
        .expect("a in the tree");
    assert_eq!(node.incident_ids, [incidents[0].id.clone()]);
    assert_eq!(
        b.engine
            .external_task_error_details(&a.task.id)
            .await?
            .as_deref(),
        Some("stack")
    );
    b.engine.set_external_task_retries(&a.task.id, 2).await?;
    assert_eq!(
        b.engine.incident_count(&IncidentQuery::default()).await?,
        0,
        "raising retries resolves it"
    );
    assert_eq!(b.fetch("w", "a", 5).await?.len(), 1);
    Ok(())
}

pub async fn bpmn_errors_are_caught_by_boundaries(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["error-boundary.bpmn"]).await?;
    let instance = b.start("errors", None, &[]).await?;
    let fetch = b.one("w", "fetch").await?;
    b.engine
        .bpmn_error(
            &fetch.task.id,
            "w",
            "NOT_FOUND",
            Some("404 from the supplier".into()),
            vars(&[]),
        )
        .await?;
    let notify = b.one("w", "notify").await?;
    assert_eq!(notify.variables["code"].value, json!("NOT_FOUND"));
    assert_eq!(
        notify.variables["reason"].value,
        json!("404 from the supplier")
    );
    let gone = b
        .engine
        .complete_external_task(&fetch.task.id, "w", vars(&[]), vars(&[]))
        .await
        .expect_err("gone");
    assert!(matches!(gone, EngineError::NotFound(_)), "{gone}");
    let history = b
        .engine
        .historic_activities(&HistoricActivityQuery {
            process_instance_id: Some(instance.id),
            activity_id: Some("fetch".into()),
            ..Default::default()
        })
        .await?;
    assert!(history[0].canceled);
    Ok(())
}

pub async fn only_the_locking_worker_may_report(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["parallel-gateway.bpmn"]).await?;
    b.start("parallel", None, &[]).await?;
    let a = b.one("owner", "a").await?;
    let wrong = b
        .engine
        .complete_external_task(&a.task.id, "intruder", vars(&[]), vars(&[]))
        .await
        .expect_err("wrong worker");
    assert!(matches!(wrong, EngineError::BadRequest(_)), "{wrong}");
    assert!(
        b.engine
            .extend_lock(&a.task.id, "intruder", Duration::from_secs(5))
            .await
            .is_err()
    );
    b.engine
        .extend_lock(&a.task.id, "owner", Duration::from_secs(600))
        .await?;
    let info = b.engine.external_task(&a.task.id).await?;
    assert!(
        info.lock_expires_at.expect("locked")
            > chrono::Utc::now() + chrono::TimeDelta::seconds(500)
    );
    assert!(b.fetch("other", "a", 5).await?.is_empty(), "locked");
    b.engine.unlock(&a.task.id).await?;
    assert_eq!(b.fetch("other", "a", 5).await?.len(), 1, "unlocked");
    assert!(matches!(
        b.engine.unlock("no-such-task").await,
        Err(EngineError::NotFound(_))
    ));
    Ok(())
}

pub async fn timers_and_call_activities_run_through_jobs(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["timers.bpmn", "call-activity.bpmn"]).await?;
    b.start("timers", None, &[("delay", json!("PT0S"))]).await?;
    assert_eq!(
        b.engine.user_task_count(&UserTaskQuery::default()).await?,
        0
    );
    b.engine.run_due_jobs().await?;
    let tasks = b.engine.user_tasks(&UserTaskQuery::default()).await?;
    assert_eq!(tasks.len(), 1, "the timer fired");
    assert_eq!(tasks[0].activity_id, "approve");
    b.engine.complete_user_task(&tasks[0].id, vars(&[])).await?;

    let parent = b
        .start("parent", Some("sku-9"), &[("sku", json!("A-9"))])
        .await?;
    b.engine.run_due_jobs().await?;
    let work = b.one("w", "work").await?;
    assert_ne!(work.task.process_instance_id, parent.id);
    assert_eq!(work.task.business_key.as_deref(), Some("sku-9"));
    let child = b.engine.instance(&work.task.process_instance_id).await?;
    assert_eq!(child.super_instance_id.as_deref(), Some(parent.id.as_str()));
    b.engine
        .complete_external_task(
            &work.task.id,
            "w",
            vars(&[("answer", json!(42))]),
            vars(&[]),
        )
        .await?;
    b.engine.run_due_jobs().await?;
    let after = b.one("w", "after").await?;
    assert_eq!(after.variables["childResult"].value, json!(42));
    Ok(())
}

pub async fn messages_start_and_continue_instances(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["messages.bpmn"]).await?;
    let started = b
        .engine
        .correlate(Correlation {
            message_name: "order-received".into(),
            business_key: Some("o-1".into()),
            process_variables: vars(&[("total", json!(10))]),
            ..Default::default()
        })
        .await?;
    assert!(started[0].started);
    let none = b
        .engine
        .correlate(Correlation {
            message_name: "order-paid".into(),
            business_key: Some("o-404".into()),
            ..Default::default()
        })
        .await;
    assert!(matches!(none, Err(EngineError::BadRequest(_))));
    let paid = b
        .engine
        .correlate(Correlation {
            message_name: "order-paid".into(),
            business_key: Some("o-1".into()),
            process_variables: vars(&[("paid", json!(true))]),
            ..Default::default()
        })
        .await?;
    assert!(!paid[0].started);
    assert_eq!(paid[0].instance.id, started[0].instance.id);
    let ship = b.one("w", "ship").await?;
    assert_eq!(ship.variables["paid"].value, json!(true));
    Ok(())
}

pub async fn a_restart_resumes_timers_and_expired_locks(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["timers.bpmn", "parallel-gateway.bpmn"]).await?;
    b.start("timers", None, &[("delay", json!("PT0S"))]).await?;
    b.start("parallel", None, &[]).await?;
    let mut request = fetch_request("doomed", "a", 1, None);
    request.topics[0].lock_duration = Duration::from_millis(300);
    assert_eq!(b.engine.fetch_and_lock(request).await?.len(), 1);
    // the first engine "dies" here: a new one opens the same database
    let revived = b.reopen().await?;
    assert!(
        revived
            .fetch_and_lock(fetch_request("heir", "a", 1, None))
            .await?
            .is_empty(),
        "still locked"
    );
    assert_eq!(
        revived.run_due_jobs().await?,
        1,
        "the due timer fires after the restart"
    );
    assert_eq!(revived.user_task_count(&UserTaskQuery::default()).await?, 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let heir = revived
        .fetch_and_lock(fetch_request("heir", "a", 1, None))
        .await?;
    assert_eq!(heir.len(), 1, "the expired lock freed the task");
    revived
        .complete_external_task(&heir[0].task.id, "heir", vars(&[]), vars(&[]))
        .await?;
    Ok(())
}

pub async fn deleting_an_instance_withdraws_its_work(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["parallel-gateway.bpmn"]).await?;
    let instance = b.start("parallel", None, &[]).await?;
    b.engine
        .delete_instance(&instance.id, Some("cancelled by the seller".into()))
        .await?;
    assert_eq!(
        b.engine
            .external_task_count(&ExternalTaskQuery::default())
            .await?,
        0
    );
    let ended = b.engine.instance(&instance.id).await?;
    assert_eq!(ended.state, "EXTERNALLY_TERMINATED");
    assert_eq!(
        ended.delete_reason.as_deref(),
        Some("cancelled by the seller")
    );
    assert!(matches!(
        b.engine.activity_tree(&instance.id).await,
        Err(EngineError::NotFound(_))
    ));
    assert!(matches!(
        b.engine.delete_instance(&instance.id, None).await,
        Err(EngineError::NotFound(_))
    ));
    Ok(())
}

pub async fn concurrent_fetchers_never_share_a_task(b: &Backend) -> anyhow::Result<()> {
    b.deploy(&["parallel-gateway.bpmn"]).await?;
    for _ in 0..20 {
        b.start("parallel", None, &[]).await?;
    }
    let other = b.reopen().await?;
    let (one, two) = tokio::join!(
        b.engine.fetch_and_lock(fetch_request("one", "a", 15, None)),
        other.fetch_and_lock(fetch_request("two", "a", 15, None))
    );
    let (one, two) = (one?, two?);
    let ids: HashSet<String> = one
        .iter()
        .chain(two.iter())
        .map(|t| t.task.id.clone())
        .collect();
    assert_eq!(ids.len(), one.len() + two.len(), "no task handed to both");
    assert_eq!(ids.len(), 20);
    Ok(())
}

pub async fn the_processes_folder_redeploys_only_what_changed(b: &Backend) -> anyhow::Result<()> {
    use carpetti_engine::server::deploy_folder;
    let dir = tempfile::tempdir()?;
    for f in ["parallel-gateway.bpmn", "terminate.bpmn"] {
        std::fs::write(dir.path().join(f), crate::support::model(f))?;
    }
    std::fs::write(dir.path().join("notes.txt"), "not a model")?;
    let first = deploy_folder(&b.engine, dir.path())
        .await?
        .expect("deployed");
    assert_eq!(first.definitions.len(), 2);
    let again = deploy_folder(&b.engine, dir.path())
        .await?
        .expect("deployment");
    assert!(
        again.definitions.is_empty(),
        "nothing changed: nothing re-versioned"
    );
    let changed = crate::support::model("terminate.bpmn")
        .replace("id=\"slow\"", "id=\"slower\"")
        .replace("targetRef=\"slow\"", "targetRef=\"slower\"")
        .replace("sourceRef=\"slow\"", "sourceRef=\"slower\"");
    std::fs::write(dir.path().join("terminate.bpmn"), changed)?;
    let third = deploy_folder(&b.engine, dir.path())
        .await?
        .expect("deployment");
    assert_eq!(third.definitions.len(), 1);
    assert_eq!(
        (
            third.definitions[0].key.as_str(),
            third.definitions[0].version
        ),
        ("terminate", 2)
    );
    let parallel = b
        .engine
        .definition(&DefinitionRef::Key("parallel".into()))
        .await?;
    assert_eq!(parallel.version, 1);
    assert!(
        deploy_folder(&b.engine, &dir.path().join("missing"))
            .await?
            .is_none()
    );
    Ok(())
}

pub async fn a_timer_start_event_starts_instances_on_its_cycle(b: &Backend) -> anyhow::Result<()> {
    // R2 from a start in the past: both rounds are due at once, then the cycle is exhausted
    b.deploy(&["timer-start.bpmn"]).await?;
    let mut ran = 0;
    for _ in 0..4 {
        ran += b.engine.run_due_jobs().await?;
    }
    assert_eq!(ran, 2, "two rounds of R2");
    let started = b
        .engine
        .instances(&InstanceQuery {
            definition_key: Some("nightly".into()),
            ..Default::default()
        })
        .await?;
    assert_eq!(started.len(), 2);
    assert!(
        started
            .iter()
            .all(|i| i.start_activity_id.as_deref() == Some("every"))
    );
    assert_eq!(
        b.engine
            .external_task_count(&ExternalTaskQuery {
                topic: Some("catalog.rebuild".into()),
                ..Default::default()
            })
            .await?,
        2
    );
    assert_eq!(b.engine.run_due_jobs().await?, 0, "the cycle is exhausted");
    // a new version replaces the old version's timer
    b.deploy(&["timer-start.bpmn"]).await?;
    assert_eq!(b.engine.run_due_jobs().await?, 1);
    let v2 = b
        .engine
        .instances(&InstanceQuery {
            definition_key: Some("nightly".into()),
            ..Default::default()
        })
        .await?;
    assert_eq!(v2.iter().filter(|i| i.definition_version == 2).count(), 1);
    Ok(())
}

pub async fn a_worker_locks_a_task_by_id_and_fails_it_with_variables(
    b: &Backend,
) -> anyhow::Result<()> {
    b.deploy(&["parallel-gateway.bpmn"]).await?;
    b.start("parallel", None, &[]).await?;
    let a = b.one("first", "a").await?;
    let taken = b
        .engine
        .lock_external_task(&a.task.id, "second", Duration::from_secs(60))
        .await;
    assert!(
        matches!(taken, Err(EngineError::BadRequest(_))),
        "another worker's live lock"
    );
    b.engine
        .lock_external_task(&a.task.id, "first", Duration::from_secs(120))
        .await?;
    b.engine.unlock(&a.task.id).await?;
    b.engine
        .lock_external_task(&a.task.id, "second", Duration::from_secs(60))
        .await?;
    assert!(b.fetch("third", "a", 5).await?.is_empty(), "locked by id");
    let failure = Failure {
        worker_id: "second".into(),
        error_message: Some("marketplace 503".into()),
        retries: 2,
        variables: vars(&[("lastError", json!("503"))]),
        local_variables: vars(&[("attempt", json!(1))]),
        ..Default::default()
    };
    b.engine.fail_external_task(&a.task.id, failure).await?;
    let again = b.one("third", "a").await?;
    assert_eq!(again.task.retries, Some(2));
    assert_eq!(again.variables["lastError"].value, json!("503"));
    assert_eq!(again.variables["attempt"].value, json!(1));
    assert!(matches!(
        b.engine
            .lock_external_task("no-such-task", "w", Duration::from_secs(1))
            .await,
        Err(EngineError::NotFound(_))
    ));
    Ok(())
}

pub async fn a_failing_job_becomes_an_incident_and_retries_resolve_it(
    b: &Backend,
) -> anyhow::Result<()> {
    // the called process is deployed only later: the call-start job fails
    b.deploy(&["call-missing.bpmn"]).await?;
    let parent = b.start("caller", None, &[]).await?;
    b.engine.run_due_jobs().await?;
    let failed = b.engine.jobs(&JobQuery::default()).await?;
    let job = failed
        .iter()
        .find(|j| j.exception_message.is_some())
        .expect("a failed job");
    assert_eq!(job.retries, 2);
    assert!(
        job.exception_message
            .as_deref()
            .unwrap_or_default()
            .contains("late-child"),
        "{job:?}"
    );
    // out of retries: an incident on the calling instance
    b.engine.set_job_retries(&job.id, 1).await?;
    b.engine.run_due_jobs().await?;
    let incidents = b
        .engine
        .incidents(&IncidentQuery {
            kind: Some("failedJob".into()),
            ..Default::default()
        })
        .await?;
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].process_instance_id, parent.id);
    assert_eq!(incidents[0].configuration.as_deref(), Some(job.id.as_str()));
    assert_eq!(
        b.engine
            .job_count(&JobQuery {
                with_retries_left: Some(false),
                ..Default::default()
            })
            .await?,
        1
    );
    // fixed: the process exists now; raising the retries resolves the incident and runs the job
    b.deploy(&["late-child.bpmn"]).await?;
    b.engine.set_job_retries(&job.id, 1).await?;
    assert_eq!(b.engine.incident_count(&IncidentQuery::default()).await?, 0);
    b.engine.run_due_jobs().await?;
    let work = b.one("w", "late.work").await?;
    let child = b.engine.instance(&work.task.process_instance_id).await?;
    assert_eq!(child.super_instance_id.as_deref(), Some(parent.id.as_str()));
    assert!(matches!(
        b.engine.set_job_retries("no-such-job", 1).await,
        Err(EngineError::NotFound(_))
    ));
    Ok(())
}
