//! Tree → cursor, on fixtures in the shape of Camunda 7's `ActivityInstanceDto`.

use super::*;
use serde_json::json;

fn tree(value: serde_json::Value) -> ActivityInstance {
    serde_json::from_value(value).expect("valid in this test")
}

fn none(_: &str) -> Option<IncidentDetail> {
    None
}

#[test]
fn parallel_tokens_multi_instance_transitions_and_incidents() {
    let tree = tree(json!({
        "id": "pi1", "parentActivityInstanceId": null, "activityId": "proc",
        "activityType": "processDefinition", "processInstanceId": "pi1",
        "childActivityInstances": [
            {"id": "a1", "parentActivityInstanceId": "pi1", "activityId": "Task_A",
             "activityType": "serviceTask", "childActivityInstances": [],
             "childTransitionInstances": [], "executionIds": ["e1"],
             "incidentIds": ["inc1"], "incidents": [{"id": "inc1", "activityId": "Task_A"}]},
            {"id": "a2", "parentActivityInstanceId": "pi1", "activityId": "Task_A",
             "activityType": "serviceTask", "childActivityInstances": [],
             "childTransitionInstances": [], "executionIds": ["e2"],
             "incidentIds": [], "incidents": []},
            {"id": "mi", "parentActivityInstanceId": "pi1", "activityId": "Task_M#multiInstanceBody",
             "activityType": "multiInstanceBody",
             "childActivityInstances": [
                {"id": "m1", "parentActivityInstanceId": "mi", "activityId": "Task_M",
                 "childActivityInstances": [], "childTransitionInstances": [],
                 "executionIds": [], "incidentIds": [], "incidents": []},
                {"id": "m2", "parentActivityInstanceId": "mi", "activityId": "Task_M",
                 "childActivityInstances": [], "childTransitionInstances": [],
                 "executionIds": [], "incidentIds": [], "incidents": []}
             ],
             "childTransitionInstances": [
                {"id": "t9", "parentActivityInstanceId": "mi", "activityId": "Task_M",
                 "executionId": "e9", "incidentIds": [], "incidents": []}
             ],
             "executionIds": [], "incidentIds": [], "incidents": []}
        ],
        "childTransitionInstances": [
            {"id": "t1", "parentActivityInstanceId": "pi1", "activityId": "Gateway_1",
             "executionId": "e3", "incidentIds": [], "incidents": []}
        ],
        "executionIds": ["pi1"], "incidentIds": [], "incidents": []
    }));
    let details = |id: &str| {
        (id == "inc1").then(|| IncidentDetail {
            incident_type: "failedExternalTask".into(),
            message: "boom".into(),
        })
    };
    let cursor = Cursor::from_tree(&tree, InstanceState::Active, &details);
    let counts: Vec<(&str, u32, u32)> = cursor
        .activities
        .iter()
        .map(|a| (a.activity_id.as_str(), a.count, a.waiting))
        .collect();
    assert_eq!(
        counts,
        vec![("Gateway_1", 1, 1), ("Task_A", 2, 0), ("Task_M", 3, 1)]
    );
    assert_eq!(
        cursor.multi_instance,
        vec![MultiInstance {
            activity_id: "Task_M".into(),
            instances: 3
        }]
    );
    assert_eq!(
        cursor.incidents,
        vec![IncidentView {
            id: "inc1".into(),
            activity_id: "Task_A".into(),
            incident_type: "failedExternalTask".into(),
            message: "boom".into()
        }]
    );
    assert!(!cursor.ended);
    assert_eq!(Cursor::incident_ids(&tree), vec!["inc1".to_owned()]);
}

#[test]
fn ended_and_serialized_shape() {
    let cursor = Cursor::ended(InstanceState::parse(Some("EXTERNALLY_TERMINATED")));
    let value = serde_json::to_value(&cursor).expect("valid in this test");
    assert_eq!(value["state"], "EXTERNALLY_TERMINATED");
    assert_eq!(value["ended"], true);
    assert_eq!(value["activities"], json!([]));
    assert_eq!(value["multiInstance"], json!([]));
    let root_only = tree(
        json!({"id": "pi", "activityId": "p", "childActivityInstances": [],
        "childTransitionInstances": [], "executionIds": [], "incidentIds": [], "incidents": []}),
    );
    let cursor = Cursor::from_tree(&root_only, InstanceState::Active, &none);
    assert!(cursor.activities.is_empty());
    assert_eq!(InstanceState::parse(None), InstanceState::Completed);
    assert!(InstanceState::Completed.is_ended());
    assert!(!InstanceState::Suspended.is_ended());
}
