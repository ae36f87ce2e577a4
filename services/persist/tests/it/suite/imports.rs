//! Import runs (their item reports are in `import_reports.rs`).

use carpetti_persist::StoreError;
use carpetti_persist::model::import::{
    ImportCounters, ImportItemReport, ImportRun, ImportRunStatus, ItemOutcome,
};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use chrono::{Duration, SubsecRound, Utc};
use uuid::Uuid;

use super::fixtures;

/// A running import of `supplier_id`, started now.
pub fn run(supplier_id: Uuid) -> ImportRun {
    ImportRun {
        supplier_id,
        source: "https://acme.example/feed.yml".to_owned(),
        status: ImportRunStatus::Running,
        started_at: None,
        finished_at: None,
        counters: ImportCounters::default(),
        error: None,
    }
}

/// A report of `run_id` about the item on `line`.
pub fn report(run_id: Uuid, line: i64, outcome: ItemOutcome) -> ImportItemReport {
    ImportItemReport {
        import_run_id: run_id,
        line: Some(line),
        offer_id: Some(format!("offer-{line}")),
        outcome,
        reason: (outcome == ItemOutcome::Rejected)
            .then(|| "price: must not be negative".to_owned()),
    }
}

fn invalid_field(err: StoreError) -> String {
    match err {
        StoreError::InvalidArgument { field, .. } => field,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

async fn supplier(store: &DynStore, code: &str) -> anyhow::Result<Uuid> {
    Ok(store
        .create_supplier(fixtures::supplier(code))
        .await?
        .meta
        .id)
}

pub async fn run_crud_and_finish(store: DynStore) -> anyhow::Result<()> {
    let supplier_id = supplier(&store, "acme").await?;
    let before = carpetti_util::now();
    let created = store.create_import_run(run(supplier_id)).await?;
    let started = created.value.started_at.expect("defaulted");
    assert!(
        started >= before && started <= carpetti_util::now(),
        "started_at defaults to now"
    );
    assert_eq!(created.refs.get("supplier_code"), "acme");
    assert_eq!(
        store.get_import_run(&Lookup::Id(created.meta.id)).await?,
        created
    );
    let err = store
        .get_import_run(&Lookup::Key("acme".into()))
        .await
        .expect_err("by id only");
    assert_eq!(invalid_field(err), "key");

    // finishing = an update with status, counters, finished_at; started_at None keeps the stored one
    let mut finished = run(supplier_id);
    finished.status = ImportRunStatus::Succeeded;
    finished.finished_at = Some(started + Duration::seconds(90));
    finished.counters = ImportCounters {
        read: 10,
        created: 4,
        updated: 3,
        unchanged: 1,
        rejected: 1,
        gone: 7,
    };
    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    let updated = store.update_import_run(target, finished.clone()).await?;
    assert_eq!(updated.value.started_at, Some(started));
    assert_eq!(
        updated.value.counters, finished.counters,
        "read ≠ sum of outcomes is fine"
    );
    assert_eq!(updated.refs.get("supplier_code"), "acme");
    assert_eq!(
        store.get_import_run(&Lookup::Id(created.meta.id)).await?,
        updated
    );
    let err = store
        .update_import_run(target, finished)
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    // an explicit start time is kept as given (microseconds)
    let at = (Utc::now() - Duration::hours(1)).trunc_subsecs(6);
    let explicit = store
        .create_import_run(ImportRun {
            started_at: Some(at),
            ..run(supplier_id)
        })
        .await?;
    assert_eq!(
        store
            .get_import_run(&Lookup::Id(explicit.meta.id))
            .await?
            .value
            .started_at,
        Some(at)
    );

    // delete: tombstone with the supplier code; the run's reports go with it, each leaving its
    // own tombstone (see store/shared/cascade.rs)
    let report_id = store
        .create_import_item_report(report(created.meta.id, 1, ItemOutcome::Created))
        .await?
        .meta
        .id;
    let mark = store.current_seq().await?;
    let seq = store
        .delete_import_run(Target {
            id: created.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store.list_tombstones(mark, 10, None).await?;
    assert_eq!(tombstones.len(), 2);
    assert_eq!(
        (tombstones[0].seq, tombstones[0].entity.as_str()),
        (seq, "import_run")
    );
    assert_eq!(
        (tombstones[1].entity.as_str(), tombstones[1].entity_id),
        ("import_item_report", report_id)
    );
    assert_eq!(tombstones[0].business_key, "acme");
    let reports = store
        .list_import_item_reports(&ListFilter {
            import_run_id: Some(created.meta.id),
            ..ListFilter::new()
        })
        .await?;
    assert!(reports.items.is_empty(), "reports cascade with their run");
    Ok(())
}

pub async fn run_rules_are_invalid_argument(store: DynStore) -> anyhow::Result<()> {
    let supplier_id = supplier(&store, "rules").await?;
    let kept = store.create_import_run(run(supplier_id)).await?;
    let now = carpetti_util::now();
    type Change = fn(&mut ImportRun);
    let cases: Vec<(&str, Change)> = vec![
        ("supplier_id", |r| r.supplier_id = carpetti_util::new_id()),
        ("source", |r| r.source = " ".into()),
        ("read", |r| r.counters.read = -1),
        ("created", |r| r.counters.created = -1),
        ("updated", |r| r.counters.updated = -1),
        ("unchanged", |r| r.counters.unchanged = -1),
        ("rejected", |r| r.counters.rejected = -1),
        ("gone", |r| r.counters.gone = -1),
        ("finished_at", |r| r.status = ImportRunStatus::Succeeded),
        ("finished_at", |r| r.status = ImportRunStatus::Failed),
    ];
    for (expected, change) in cases {
        let mut value = run(supplier_id);
        change(&mut value);
        let err = store
            .create_import_run(value.clone())
            .await
            .expect_err(expected);
        assert_eq!(invalid_field(err), expected, "create {value:?}");
        let target = Target {
            id: kept.meta.id,
            expected_seq: None,
        };
        let err = store
            .update_import_run(target, value.clone())
            .await
            .expect_err(expected);
        assert_eq!(invalid_field(err), expected, "update {value:?}");
    }
    let backwards = ImportRun {
        started_at: Some(now),
        finished_at: Some(now - Duration::seconds(1)),
        status: ImportRunStatus::Failed,
        ..run(supplier_id)
    };
    let err = store
        .create_import_run(backwards)
        .await
        .expect_err("finished before started");
    assert_eq!(invalid_field(err), "finished_at");
    // on update the stored started_at counts when none is given
    let stored_start = kept.value.started_at.expect("set");
    let before_start = ImportRun {
        finished_at: Some(stored_start - Duration::seconds(5)),
        status: ImportRunStatus::Succeeded,
        ..run(supplier_id)
    };
    let err = store
        .update_import_run(
            Target {
                id: kept.meta.id,
                expected_seq: None,
            },
            before_start,
        )
        .await
        .expect_err("finished before the stored start");
    assert_eq!(invalid_field(err), "finished_at");

    let all = store.list_import_runs(&ListFilter::new()).await?;
    assert_eq!(all.items.len(), 1, "nothing half-written");
    assert_eq!(all.items[0], kept, "the stored run untouched");
    Ok(())
}

pub async fn run_list_filters(store: DynStore) -> anyhow::Result<()> {
    let a = supplier(&store, "a").await?;
    let b = supplier(&store, "b").await?;
    let mut ids = Vec::new();
    for supplier_id in [a, b, a] {
        ids.push(store.create_import_run(run(supplier_id)).await?.meta.id);
    }
    let failed = ImportRun {
        status: ImportRunStatus::Failed,
        finished_at: Some(carpetti_util::now() + Duration::seconds(1)),
        error: Some("feed is not XML".into()),
        ..run(a)
    };
    store
        .update_import_run(
            Target {
                id: ids[2],
                expected_seq: None,
            },
            failed,
        )
        .await?;

    let list = |filter: ListFilter| {
        let store = store.clone();
        async move {
            let page = store.list_import_runs(&filter).await?;
            anyhow::Ok(page.items.iter().map(|r| r.meta.id).collect::<Vec<_>>())
        }
    };
    assert_eq!(
        list(ListFilter {
            supplier_id: Some(a),
            ..ListFilter::new()
        })
        .await?,
        vec![ids[0], ids[2]]
    );
    assert_eq!(
        list(ListFilter {
            status: Some("running".into()),
            ..ListFilter::new()
        })
        .await?,
        vec![ids[0], ids[1]]
    );
    assert_eq!(
        list(ListFilter {
            supplier_id: Some(a),
            status: Some("failed".into()),
            ..ListFilter::new()
        })
        .await?,
        vec![ids[2]]
    );
    let pages = store
        .list_import_runs(&ListFilter {
            limit: 2,
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(pages.items.len(), 2);
    let rest = store
        .list_import_runs(&ListFilter {
            limit: 2,
            after_seq: pages.next_after_seq.expect("more"),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.next_after_seq, None);

    let err = store
        .list_import_runs(&ListFilter {
            status: Some("done".into()),
            ..ListFilter::new()
        })
        .await
        .expect_err("unknown status");
    assert_eq!(invalid_field(err), "status");
    let err = store
        .list_import_runs(&ListFilter {
            text: Some("a".into()),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    assert_eq!(invalid_field(err), "text");
    Ok(())
}
