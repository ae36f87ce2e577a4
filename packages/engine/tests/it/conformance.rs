//! One behaviour per model in testdata/bpmn: the path taken, variables, the activity-instance
//! tree and the history.

use carpetti_engine::runtime::EndState;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::support::*;

#[test]
fn exclusive_gateway_takes_the_first_true_condition_else_the_default() {
    let mut engine = engine_with(&["exclusive-gateway.bpmn"]);
    let big = engine
        .start("exclusive", Some("order-1".into()), vars(&[]))
        .expect("start");
    engine
        .complete(
            &task(&engine, "check"),
            vars(&[("amount", json!(150)), ("customer", json!("ООО Ромашка"))]),
        )
        .expect("check");
    assert_eq!(topics(&engine), ["big"]);
    let small = engine.start("exclusive", None, vars(&[])).expect("start");
    let check = engine
        .external_tasks
        .iter()
        .find(|(_, t)| *t.instance_id == *small)
        .map(|(id, _)| id.clone())
        .expect("check task");
    engine
        .complete(
            &check,
            vars(&[("amount", json!(150)), ("customer", json!(""))]),
        )
        .expect("check");
    assert_eq!(topics(&engine), ["big", "small"]);
    engine
        .complete(&task(&engine, "big"), vars(&[]))
        .expect("big");
    assert_eq!(path(&engine, &big), ["start", "check", "gw", "big", "end"]);
    assert_eq!(
        engine.instance(&big).and_then(|i| i.ended),
        Some(EndState::Completed)
    );
    assert_eq!(variable(&engine, &big, "amount"), Some(json!(150)));
}

#[test]
fn a_failing_condition_is_an_incident_not_a_crash() {
    let mut engine = engine_with(&["exclusive-gateway.bpmn"]);
    let id = engine.start("exclusive", None, vars(&[])).expect("start");
    // `amount` never set: the condition cannot be evaluated
    engine
        .complete(&task(&engine, "check"), vars(&[]))
        .expect("the command itself succeeds");
    let incident = engine.incidents.values().next().expect("an incident");
    assert_eq!(incident.item.activity_id, "gw");
    assert!(
        incident.item.message.contains("amount"),
        "{}",
        incident.item.message
    );
    let tree = engine.tree(&id).expect("tree");
    assert_eq!(tree.child_activity_instances[0].activity_id, "gw");
    assert_eq!(tree.child_activity_instances[0].incident_ids.len(), 1);
    assert!(engine.instance(&id).expect("instance").is_active());
}

#[test]
fn parallel_gateway_forks_and_joins() {
    let mut engine = engine_with(&["parallel-gateway.bpmn"]);
    let id = engine.start("parallel", None, vars(&[])).expect("start");
    assert_eq!(topics(&engine), ["a", "b"]);
    let tree = engine.tree(&id).expect("tree");
    assert_eq!(tree.activity_type, "processDefinition");
    assert!(tree.activity_id.starts_with("parallel:1:"));
    assert_eq!(tree.child_activity_instances.len(), 2);
    assert!(
        tree.child_activity_instances
            .iter()
            .all(|c| c.id.starts_with(&format!("{}:", c.activity_id)))
    );
    engine.complete(&task(&engine, "a"), vars(&[])).expect("a");
    assert_eq!(topics(&engine), ["b"], "the join waits for b");
    engine.complete(&task(&engine, "b"), vars(&[])).expect("b");
    assert_eq!(topics(&engine), ["c"]);
    engine.complete(&task(&engine, "c"), vars(&[])).expect("c");
    assert_eq!(
        engine.instance(&id).and_then(|i| i.ended),
        Some(EndState::Completed)
    );
    assert_eq!(
        path(&engine, &id).iter().filter(|a| *a == "join").count(),
        1
    );
}

#[test]
fn a_bpmn_error_is_caught_by_the_boundary_with_its_code() {
    let mut engine = engine_with(&["error-boundary.bpmn"]);
    let id = engine.start("errors", None, vars(&[])).expect("start");
    engine
        .bpmn_error(
            &task(&engine, "fetch"),
            "NOT_FOUND",
            vars(&[("url", json!("http://x"))]),
        )
        .expect("error");
    assert_eq!(topics(&engine), ["notify"]);
    assert_eq!(variable(&engine, &id, "code"), Some(json!("NOT_FOUND")));
    assert_eq!(variable(&engine, &id, "url"), Some(json!("http://x")));
    let cancelled: Vec<_> = engine
        .history
        .iter()
        .filter(|h| h.item.ended == Some(true))
        .map(|h| h.item.activity_id.to_string())
        .collect();
    assert_eq!(cancelled, ["fetch"]);
    // an uncaught code ends the path like a none end event
    let other = engine.start("errors", None, vars(&[])).expect("start");
    let fetch = engine
        .external_tasks
        .iter()
        .find(|(_, t)| *t.instance_id == *other)
        .map(|(id, _)| id.clone())
        .expect("fetch");
    engine
        .bpmn_error(&fetch, "SOMETHING_ELSE", vars(&[]))
        .expect("error");
    assert_eq!(
        engine.instance(&other).and_then(|i| i.ended),
        Some(EndState::Completed)
    );
}

#[test]
fn an_error_end_event_in_a_subprocess_reaches_the_catch_all_boundary() {
    let mut engine = engine_with(&["subprocess-error-end.bpmn"]);
    let ok = engine.start("subprocess", None, vars(&[])).expect("start");
    let tree = engine.tree(&ok).expect("tree");
    assert_eq!(tree.child_activity_instances[0].activity_type, "subProcess");
    assert_eq!(
        tree.child_activity_instances[0].child_activity_instances[0].activity_id,
        "validate"
    );
    engine
        .complete(&task(&engine, "validate"), vars(&[("ok", json!(true))]))
        .expect("valid");
    assert_eq!(topics(&engine), ["publish"]);

    let bad = engine
        .start("subprocess", None, vars(&[("owner", json!("anna"))]))
        .expect("start");
    engine
        .complete(&task(&engine, "validate"), vars(&[("ok", json!(false))]))
        .expect("invalid");
    let fix = engine
        .user_tasks
        .values()
        .find(|t| *t.instance_id == *bad)
        .expect("user task");
    assert_eq!(fix.item.activity_id, "fix");
    assert_eq!(fix.item.assignee.as_deref(), Some("anna"));
    let fix = fix.item.id.clone();
    engine.complete(&fix, vars(&[])).expect("fixed");
    assert_eq!(path(&engine, &bad).last().map(String::as_str), Some("end2"));
}

#[test]
fn timers_catch_and_boundaries_interrupting_and_not() {
    let mut engine = engine_with(&["timers.bpmn"]);
    let id = engine
        .start("timers", None, vars(&[("delay", json!("PT10M"))]))
        .expect("start");
    assert_eq!(engine.jobs.len(), 1);
    let now = Utc::now();
    assert_eq!(engine.fire_due(now).expect("nothing due"), 0);
    assert_eq!(
        engine.fire_due(now + Duration::minutes(11)).expect("catch"),
        1
    );
    assert_eq!(engine.user_tasks.len(), 1);
    assert_eq!(engine.jobs.len(), 2, "the reminder cycle and the expiry");
    let t0 = now + Duration::minutes(11);
    engine
        .fire_due(t0 + Duration::minutes(6))
        .expect("first reminder");
    assert_eq!(topics(&engine), ["remind"]);
    engine
        .fire_due(t0 + Duration::minutes(12))
        .expect("second reminder");
    assert_eq!(topics(&engine).len(), 2);
    assert_eq!(
        engine.jobs.len(),
        1,
        "R2: the cycle is exhausted, the expiry remains"
    );
    engine.fire_due(t0 + Duration::minutes(61)).expect("expiry");
    assert!(
        engine.user_tasks.is_empty(),
        "the interrupting timer cancelled the user task"
    );
    assert!(engine.jobs.is_empty());
    assert!(path(&engine, &id).contains(&"expired".to_string()));
}

#[test]
fn message_start_and_intermediate_catch_correlate_by_business_key() {
    let mut engine = engine_with(&["messages.bpmn"]);
    engine
        .correlate(
            "order-received",
            Some("order-7"),
            vars(&[("total", json!(990.5))]),
        )
        .expect("start by message");
    engine
        .correlate("order-received", Some("order-8"), vars(&[]))
        .expect("another");
    assert_eq!(engine.subscriptions.len(), 2);
    engine
        .correlate(
            "order-paid",
            Some("order-7"),
            vars(&[("paid", json!(true))]),
        )
        .expect("paid");
    assert_eq!(topics(&engine), ["ship"]);
    let id = engine
        .external_tasks
        .values()
        .next()
        .map(|t| t.instance_id.clone())
        .expect("instance");
    assert_eq!(
        engine
            .instance(&id)
            .and_then(|i| i.business_key.clone())
            .as_deref(),
        Some("order-7")
    );
    assert_eq!(variable(&engine, &id, "total"), Some(json!(990.5)));
    assert!(engine.correlate("nobody-listens", None, vars(&[])).is_err());
}

#[test]
fn multi_instance_parallel_over_a_collection_then_sequential_by_cardinality() {
    let mut engine = engine_with(&["multi-instance.bpmn"]);
    let id = engine
        .start(
            "multi",
            None,
            vars(&[("channels", json!(["ozon", "wb", "ym"]))]),
        )
        .expect("start");
    assert_eq!(topics(&engine), ["publish", "publish", "publish"]);
    let tree = engine.tree(&id).expect("tree");
    let body = &tree.child_activity_instances[0];
    assert_eq!(body.activity_id, "publish#multiInstanceBody");
    assert_eq!(body.activity_type, "multiInstanceBody");
    assert_eq!(body.child_activity_instances.len(), 3);
    let mut channels: Vec<String> = engine
        .instance(&id)
        .expect("state")
        .tokens
        .values()
        .filter_map(|t| t.locals.get("channel"))
        .map(|v| v.value.as_str().unwrap_or_default().to_owned())
        .collect();
    channels.sort();
    assert_eq!(channels, ["ozon", "wb", "ym"]);
    let ids: Vec<String> = engine.external_tasks.keys().cloned().collect();
    for t in ids {
        engine.complete(&t, vars(&[])).expect("publish");
    }
    assert_eq!(topics(&engine), ["poll"], "sequential: one at a time");
    engine
        .complete(&task(&engine, "poll"), vars(&[]))
        .expect("poll 1");
    assert_eq!(topics(&engine), ["poll"]);
    engine
        .complete(&task(&engine, "poll"), vars(&[]))
        .expect("poll 2");
    assert_eq!(
        engine.instance(&id).and_then(|i| i.ended),
        Some(EndState::Completed)
    );
}

#[test]
fn call_activity_maps_variables_in_and_out_and_inherits_the_business_key() {
    let mut engine = engine_with(&["call-activity.bpmn"]);
    let id = engine
        .start(
            "parent",
            Some("sku-42".into()),
            vars(&[("sku", json!("A-42")), ("secret", json!("x"))]),
        )
        .expect("start");
    let work = engine
        .external_tasks
        .values()
        .next()
        .expect("child task")
        .clone();
    assert_ne!(&*work.instance_id, id.as_str());
    let child = engine.instance(&work.instance_id).expect("child");
    assert_eq!(child.business_key.as_deref(), Some("sku-42"));
    let root = &child.scopes[&child.id].variables;
    assert!(root.contains_key("productSku") && !root.contains_key("secret"));
    let token = child.tokens.values().next().expect("token");
    assert_eq!(token.locals["label"].value, json!("SKU A-42"));
    assert_eq!(
        token.locals["limits"].to_expression_value(),
        json!({"max": 20})
    );
    assert_eq!(
        work.item.properties,
        [("retries".to_string(), "5".to_string())]
    );
    engine
        .complete(&work.item.id, vars(&[("answer", json!(7))]))
        .expect("work");
    assert_eq!(
        variable(&engine, &work.instance_id, "answer"),
        None,
        "kept local by the output mapping"
    );
    assert_eq!(variable(&engine, &id, "childResult"), Some(json!(7)));
    assert_eq!(topics(&engine), ["after"]);
}

#[test]
fn terminate_end_event_cancels_the_other_paths() {
    let mut engine = engine_with(&["terminate.bpmn"]);
    let id = engine.start("terminate", None, vars(&[])).expect("start");
    engine
        .complete(&task(&engine, "fast"), vars(&[]))
        .expect("fast");
    assert!(engine.external_tasks.is_empty(), "slow was withdrawn");
    assert_eq!(
        engine.instance(&id).and_then(|i| i.ended),
        Some(EndState::InternallyTerminated)
    );
}

#[test]
fn the_instance_state_survives_a_json_round_trip_mid_flight() {
    // the persisted engine stores each instance's state as one JSON document
    let mut engine = engine_with(&["multi-instance.bpmn"]);
    let id = engine
        .start("multi", None, vars(&[("channels", json!(["ozon", "wb"]))]))
        .expect("start");
    let state = engine.instance(&id).expect("state");
    let text = serde_json::to_string(state).expect("serialize");
    let back: carpetti_engine::runtime::InstanceState =
        serde_json::from_str(&text).expect("deserialize");
    assert_eq!(serde_json::to_string(&back).expect("again"), text);
    assert_eq!(back.tokens.len(), 2);
    assert!(
        text.len() < 4096,
        "a small instance stays a small document: {} bytes",
        text.len()
    );
}

#[test]
fn an_error_escaping_a_called_process_is_caught_on_the_call_activity() {
    let mut engine = engine_with(&["call-activity-error.bpmn"]);
    let id = engine
        .start(
            "publishAll",
            Some("p-1".into()),
            vars(&[("sku", json!("A-1"))]),
        )
        .expect("start");
    let send = engine.external_tasks.values().next().expect("send").clone();
    assert_ne!(&*send.instance_id, id.as_str());
    engine
        .complete(&send.item.id, vars(&[("status", json!("rejected"))]))
        .expect("rejected");
    assert_eq!(topics(&engine), ["review"]);
    let child = engine.instance(&send.instance_id).expect("child");
    assert_eq!(child.ended, Some(EndState::InternallyTerminated));
    assert!(engine.instance(&id).expect("parent").is_active());
}

#[test]
fn a_non_interrupting_message_boundary_keeps_the_called_process_running() {
    let mut engine = engine_with(&["call-activity-error.bpmn"]);
    let id = engine
        .start("publishAll", Some("p-2".into()), vars(&[]))
        .expect("start");
    engine
        .correlate("stop-publication", Some("p-2"), vars(&[]))
        .expect("stop");
    assert_eq!(topics(&engine), ["log", "send"]);
    let send = task(&engine, "send");
    engine
        .complete(&send, vars(&[("status", json!("accepted"))]))
        .expect("accepted");
    assert_eq!(
        variable(&engine, &id, "status"),
        Some(json!("accepted")),
        "out all"
    );
    engine
        .complete(&task(&engine, "log"), vars(&[]))
        .expect("log");
    assert_eq!(
        engine.instance(&id).and_then(|i| i.ended),
        Some(EndState::Completed)
    );
}

#[test]
fn deleting_an_instance_withdraws_its_work_and_its_called_instances() {
    let mut engine = engine_with(&["call-activity-error.bpmn", "parallel-gateway.bpmn"]);
    let parent = engine.start("publishAll", None, vars(&[])).expect("start");
    let child = engine
        .external_tasks
        .values()
        .next()
        .map(|t| t.instance_id.to_string())
        .expect("child");
    let state = engine.instance(&parent).expect("parent").clone();
    // cancel through the runtime directly, as DELETE /process-instance/{id} will
    let model = carpetti_engine::model::parse_definitions(&model("call-activity-error.bpmn"))
        .expect("model")
        .processes
        .remove(0);
    let mut state = state;
    let fx = carpetti_engine::runtime::cancel(&model, &mut state, Utc::now()).expect("cancel");
    assert_eq!(fx.calls_cancelled, [child]);
    assert_eq!(state.ended, Some(EndState::ExternallyTerminated));
    assert!(
        fx.subscriptions_removed.len() == 1,
        "the message boundary is withdrawn"
    );
}

#[test]
fn a_completion_condition_ends_the_remaining_inner_instances() {
    let mut engine = engine_with(&["multi-instance-completion.bpmn"]);
    let id = engine
        .start(
            "firstReply",
            None,
            vars(&[
                ("suppliers", json!(["a", "b", "c"])),
                ("priority", json!(7)),
            ]),
        )
        .expect("start");
    assert!(engine.external_tasks.values().all(|t| t.item.priority == 7));
    let first = engine.external_tasks.keys().next().cloned().expect("task");
    engine.complete(&first, vars(&[])).expect("reply");
    assert!(
        engine.external_tasks.is_empty(),
        "the other two were cancelled"
    );
    assert_eq!(
        engine.instance(&id).and_then(|i| i.ended),
        Some(EndState::Completed)
    );
}

#[test]
fn a_topic_expression_that_fails_is_an_incident() {
    let mut engine = engine_with(&["multi-instance-completion.bpmn"]);
    // `priority` is missing: the task priority expression cannot be evaluated
    let id = engine
        .start("firstReply", None, vars(&[("suppliers", json!(["a"]))]))
        .expect("start");
    assert!(engine.external_tasks.is_empty());
    let incident = engine.incidents.values().next().expect("incident");
    assert_eq!(incident.item.activity_id, "ask");
    assert!(engine.instance(&id).expect("instance").is_active());
}
