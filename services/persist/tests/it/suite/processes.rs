//! Process reports: counters as a JSON object, lookup by process key, status and text lists.

use std::collections::BTreeMap;

use carpetti_persist::StoreError;
use carpetti_persist::model::process::{ProcessReport, ProcessStatus};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use chrono::Duration;

/// A running report of instance `key` of the catalog cycle.
pub fn process(key: &str) -> ProcessReport {
    ProcessReport {
        process_key: key.to_owned(),
        definition_key: "catalog-cycle".to_owned(),
        step: Some("import-suppliers".to_owned()),
        status: ProcessStatus::Running,
        started_at: None,
        finished_at: None,
        counters: BTreeMap::from([("suppliers".to_owned(), 3), ("items".to_owned(), 1200)]),
        message: Some("importing".to_owned()),
    }
}

fn invalid_field(err: StoreError) -> String {
    match err {
        StoreError::InvalidArgument { field, .. } => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

pub async fn process_crud_round_trip(store: DynStore) -> anyhow::Result<()> {
    let created = store.create_process_report(process("cycle-1")).await?;
    let started = created.value.started_at.expect("defaulted to now");
    assert_eq!(created.value.counters.get("items"), Some(&1200));
    assert_eq!(
        store
            .get_process_report(&Lookup::Id(created.meta.id))
            .await?,
        created
    );
    assert_eq!(
        store
            .get_process_report(&Lookup::Key("cycle-1".into()))
            .await?,
        created
    );

    let mut done = process("cycle-1");
    done.status = ProcessStatus::Completed;
    done.finished_at = Some(started + Duration::minutes(5));
    done.counters = BTreeMap::from([("items".to_owned(), 1250), ("negative".to_owned(), -2)]);
    done.step = None;
    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    let updated = store.update_process_report(target, done).await?;
    assert_eq!(
        updated.value.started_at,
        Some(started),
        "kept when not given"
    );
    let read = store
        .get_process_report(&Lookup::Key("cycle-1".into()))
        .await?;
    assert_eq!(read, updated);
    assert_eq!(read.value.counters.len(), 2);
    assert_eq!(read.value.step, None);
    let err = store
        .update_process_report(target, process("cycle-1"))
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    // a second report of the same instance: the key names the latest
    let second = store.create_process_report(process("cycle-1")).await?;
    assert_eq!(
        store
            .get_process_report(&Lookup::Key("cycle-1".into()))
            .await?
            .meta
            .id,
        second.meta.id
    );

    let mark = store.current_seq().await?;
    let seq = store
        .delete_process_report(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store
        .list_tombstones(mark, 10, Some("process_report"))
        .await?;
    assert_eq!(tombstones.len(), 1);
    assert_eq!(
        (tombstones[0].seq, tombstones[0].business_key.as_str()),
        (seq, "cycle-1")
    );
    let err = store
        .get_process_report(&Lookup::Id(created.meta.id))
        .await
        .expect_err("deleted");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store
        .get_process_report(&Lookup::Key("nope".into()))
        .await
        .expect_err("unknown key");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    Ok(())
}

pub async fn process_rules_are_invalid_argument(store: DynStore) -> anyhow::Result<()> {
    let kept = store.create_process_report(process("kept")).await?;
    let now = carpetti_util::now();
    type Change = fn(&mut ProcessReport);
    let cases: Vec<(&str, Change)> = vec![
        ("process_key", |p| p.process_key = String::new()),
        ("definition_key", |p| p.definition_key = " ".into()),
        ("counters", |p| {
            p.counters.insert(String::new(), 1);
        }),
    ];
    for (expected, change) in cases {
        let mut value = process("bad");
        change(&mut value);
        let err = store
            .create_process_report(value.clone())
            .await
            .expect_err(expected);
        assert_eq!(invalid_field(err), expected, "create {value:?}");
        let target = Target {
            id: kept.meta.id,
            expected_seq: None,
        };
        let err = store
            .update_process_report(target, value.clone())
            .await
            .expect_err(expected);
        assert_eq!(invalid_field(err), expected, "update {value:?}");
    }
    let backwards = ProcessReport {
        started_at: Some(now),
        finished_at: Some(now - Duration::milliseconds(1)),
        ..process("bad")
    };
    let err = store
        .create_process_report(backwards)
        .await
        .expect_err("finished before started");
    assert_eq!(invalid_field(err), "finished_at");
    let before_stored_start = ProcessReport {
        finished_at: Some(kept.value.started_at.expect("set") - Duration::seconds(1)),
        ..process("kept")
    };
    let err = store
        .update_process_report(
            Target {
                id: kept.meta.id,
                expected_seq: None,
            },
            before_stored_start,
        )
        .await
        .expect_err("finished before the stored start");
    assert_eq!(invalid_field(err), "finished_at");

    let all = store.list_process_reports(&ListFilter::new()).await?;
    assert_eq!(all.items.len(), 1, "nothing half-written");
    assert_eq!(all.items[0], kept);
    Ok(())
}

pub async fn process_list_filters(store: DynStore) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    for (key, definition, status) in [
        ("cycle-1", "catalog-cycle", ProcessStatus::Completed),
        ("cycle-2", "catalog-cycle", ProcessStatus::Incident),
        ("pub-1", "Publish_Channel", ProcessStatus::Running),
        ("pub-2", "Publish_Channel", ProcessStatus::Incident),
    ] {
        let value = ProcessReport {
            definition_key: definition.into(),
            status,
            ..process(key)
        };
        ids.push(store.create_process_report(value).await?.meta.id);
    }
    let list = |filter: ListFilter| {
        let store = store.clone();
        async move {
            let page = store.list_process_reports(&filter).await?;
            anyhow::Ok(page.items.iter().map(|r| r.meta.id).collect::<Vec<_>>())
        }
    };
    let text = |t: &str| Some(carpetti_util::normalize_search_text(t));
    assert_eq!(
        list(ListFilter {
            status: Some("incident".into()),
            ..ListFilter::new()
        })
        .await?,
        vec![ids[1], ids[3]]
    );
    assert_eq!(
        list(ListFilter {
            text: text("cycle-"),
            ..ListFilter::new()
        })
        .await?,
        vec![ids[0], ids[1]]
    );
    assert_eq!(
        list(ListFilter {
            text: text("PUBLISH_"),
            ..ListFilter::new()
        })
        .await?,
        vec![ids[2], ids[3]],
        "definition key"
    );
    assert_eq!(
        list(ListFilter {
            text: text("pub"),
            status: Some("running".into()),
            ..ListFilter::new()
        })
        .await?,
        vec![ids[2]]
    );
    assert!(
        list(ListFilter {
            text: text("%"),
            ..ListFilter::new()
        })
        .await?
        .is_empty(),
        "wildcards escaped"
    );

    let first = store
        .list_process_reports(&ListFilter {
            limit: 3,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(first.items.len(), 3);
    let after = first.next_after_seq.expect("a next page");
    assert_eq!(
        list(ListFilter {
            limit: 3,
            after_seq: after,
            ..ListFilter::new()
        })
        .await?,
        vec![ids[3]]
    );

    let err = store
        .list_process_reports(&ListFilter {
            status: Some("done".into()),
            ..ListFilter::new()
        })
        .await
        .expect_err("unknown status");
    assert_eq!(invalid_field(err), "status");
    let err = store
        .list_process_reports(&ListFilter {
            import_run_id: Some(ids[0]),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    assert_eq!(invalid_field(err), "import_run_id");
    Ok(())
}
