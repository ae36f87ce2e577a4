//! Import item reports: rules, lists, and the many-reports write of the importer.

use carpetti_persist::StoreError;
use carpetti_persist::model::import::{ImportItemReport, ItemOutcome};
use carpetti_persist::model::{ListFilter, Lookup, Target};
use carpetti_persist::store::DynStore;
use uuid::Uuid;

use super::fixtures;
use super::imports::{report, run};

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

pub async fn report_crud_and_rules(store: DynStore) -> anyhow::Result<()> {
    let supplier_id = supplier(&store, "rep").await?;
    let run_id = store.create_import_run(run(supplier_id)).await?.meta.id;
    let created = store
        .create_import_item_report(report(run_id, 7, ItemOutcome::Rejected))
        .await?;
    assert_eq!(
        store
            .get_import_item_report(&Lookup::Id(created.meta.id))
            .await?,
        created
    );

    let err = store
        .create_import_item_report(report(carpetti_util::new_id(), 1, ItemOutcome::Created))
        .await
        .expect_err("unknown run");
    assert_eq!(invalid_field(err), "import_run_id");
    let err = store
        .create_import_item_report(report(run_id, 0, ItemOutcome::Created))
        .await
        .expect_err("line 0");
    assert_eq!(invalid_field(err), "line");
    let no_line = ImportItemReport {
        line: None,
        offer_id: None,
        ..report(run_id, 1, ItemOutcome::Gone)
    };
    let no_line = store.create_import_item_report(no_line).await?;
    assert_eq!(no_line.value.line, None);

    let target = Target {
        id: created.meta.id,
        expected_seq: Some(created.meta.change_seq),
    };
    let changed = ImportItemReport {
        reason: Some("stock: not a number".into()),
        ..created.value.clone()
    };
    let updated = store.update_import_item_report(target, changed).await?;
    assert_eq!(
        store
            .get_import_item_report(&Lookup::Id(created.meta.id))
            .await?,
        updated
    );
    let err = store
        .update_import_item_report(target, report(run_id, -2, ItemOutcome::Created))
        .await
        .expect_err("negative line");
    assert_eq!(invalid_field(err), "line");
    let stale = store
        .update_import_item_report(target, created.value)
        .await
        .expect_err("stale");
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale:?}");
    assert_eq!(
        store
            .get_import_item_report(&Lookup::Id(updated.meta.id))
            .await?,
        updated
    );

    let mark = store.current_seq().await?;
    store
        .delete_import_item_report(Target {
            id: updated.meta.id,
            expected_seq: None,
        })
        .await?;
    store
        .delete_import_item_report(Target {
            id: no_line.meta.id,
            expected_seq: None,
        })
        .await?;
    let tombstones = store
        .list_tombstones(mark, 10, Some("import_item_report"))
        .await?;
    let keys: Vec<&str> = tombstones.iter().map(|t| t.business_key.as_str()).collect();
    assert_eq!(keys, vec!["offer-7", ""]);
    Ok(())
}

pub async fn report_list_filters(store: DynStore) -> anyhow::Result<()> {
    let supplier_id = supplier(&store, "lst").await?;
    let r1 = store.create_import_run(run(supplier_id)).await?.meta.id;
    let r2 = store.create_import_run(run(supplier_id)).await?.meta.id;
    let outcomes = [
        ItemOutcome::Created,
        ItemOutcome::Rejected,
        ItemOutcome::Unchanged,
        ItemOutcome::Rejected,
    ];
    for (i, outcome) in outcomes.into_iter().enumerate() {
        store
            .create_import_item_report(report(r1, i as i64 + 1, outcome))
            .await?;
    }
    store
        .create_import_item_report(report(r2, 1, ItemOutcome::Rejected))
        .await?;

    let rejected_of_r1 = store
        .list_import_item_reports(&ListFilter {
            import_run_id: Some(r1),
            status: Some("rejected".into()),
            ..ListFilter::new()
        })
        .await?;
    let lines: Vec<Option<i64>> = rejected_of_r1.items.iter().map(|r| r.value.line).collect();
    assert_eq!(lines, vec![Some(2), Some(4)]);
    let all_rejected = store
        .list_import_item_reports(&ListFilter {
            status: Some("rejected".into()),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(all_rejected.items.len(), 3);
    let of_r2 = store
        .list_import_item_reports(&ListFilter {
            import_run_id: Some(r2),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(of_r2.items.len(), 1);
    let err = store
        .list_import_item_reports(&ListFilter {
            status: Some("failed".into()),
            ..ListFilter::new()
        })
        .await
        .expect_err("unknown outcome");
    assert_eq!(invalid_field(err), "status");
    let err = store
        .list_import_item_reports(&ListFilter {
            supplier_id: Some(supplier_id),
            ..ListFilter::new()
        })
        .await
        .expect_err("unsupported filter");
    assert_eq!(invalid_field(err), "supplier_id");
    Ok(())
}

pub async fn bulk_reports_two_thousand_paged(store: DynStore) -> anyhow::Result<()> {
    let supplier_id = supplier(&store, "bulk").await?;
    let run_id = store.create_import_run(run(supplier_id)).await?.meta.id;
    let outcome = |i: i64| {
        if i % 10 == 0 {
            ItemOutcome::Rejected
        } else {
            ItemOutcome::Created
        }
    };
    let reports: Vec<ImportItemReport> =
        (1..=2000).map(|i| report(run_id, i, outcome(i))).collect();
    let before = store.current_seq().await?;
    assert_eq!(store.add_import_item_reports(run_id, reports).await?, 2000);
    assert_eq!(
        store.current_seq().await?,
        before + 2000,
        "one change_seq per report"
    );

    let mut filter = ListFilter {
        limit: 300,
        import_run_id: Some(run_id),
        ..ListFilter::new()
    };
    let mut lines = Vec::new();
    let mut pages = 0;
    loop {
        let page = store.list_import_item_reports(&filter).await?;
        pages += 1;
        for record in &page.items {
            assert!(record.meta.change_seq > before && record.meta.change_seq <= before + 2000);
            assert_eq!(record.value.import_run_id, run_id);
            let line = record.value.line.expect("line");
            assert_eq!(record.value.outcome, outcome(line));
            assert_eq!(
                record.value.offer_id.as_deref(),
                Some(format!("offer-{line}").as_str())
            );
        }
        lines.extend(page.items.iter().filter_map(|r| r.value.line));
        match page.next_after_seq {
            Some(next) => filter.after_seq = next,
            None => break,
        }
    }
    assert_eq!(pages, 7);
    assert_eq!(
        lines,
        (1..=2000).collect::<Vec<_>>(),
        "all of them, in input order"
    );
    let rejected = store
        .list_import_item_reports(&ListFilter {
            limit: 1000,
            import_run_id: Some(run_id),
            status: Some("rejected".into()),
            ..ListFilter::new()
        })
        .await?;
    assert_eq!(rejected.items.len(), 200);
    assert!(rejected.items.iter().all(|r| r.value.reason.is_some()));
    Ok(())
}

pub async fn bulk_reports_are_all_or_nothing(store: DynStore) -> anyhow::Result<()> {
    let supplier_id = supplier(&store, "aon").await?;
    let run_id = store.create_import_run(run(supplier_id)).await?.meta.id;
    let other_run = store.create_import_run(run(supplier_id)).await?.meta.id;
    let batch = |bad: Option<ImportItemReport>| {
        let mut reports: Vec<ImportItemReport> = (1..=50)
            .map(|i| report(run_id, i, ItemOutcome::Updated))
            .collect();
        if let Some(bad) = bad {
            reports.insert(25, bad);
        }
        reports
    };
    let before = store.current_seq().await?;
    let err = store
        .add_import_item_reports(run_id, batch(Some(report(run_id, 0, ItemOutcome::Created))))
        .await
        .expect_err("line 0");
    assert_eq!(invalid_field(err), "line");
    let err = store
        .add_import_item_reports(
            run_id,
            batch(Some(report(other_run, 3, ItemOutcome::Created))),
        )
        .await
        .expect_err("another run's report");
    assert_eq!(invalid_field(err), "import_run_id");
    let unknown = carpetti_util::new_id();
    let err = store
        .add_import_item_reports(unknown, vec![report(unknown, 1, ItemOutcome::Created)])
        .await
        .expect_err("unknown run");
    assert_eq!(invalid_field(err), "import_run_id");
    assert_eq!(store.add_import_item_reports(run_id, Vec::new()).await?, 0);
    assert!(
        store
            .list_import_item_reports(&ListFilter::new())
            .await?
            .items
            .is_empty(),
        "nothing written"
    );
    assert_eq!(
        store.current_seq().await?,
        before,
        "no sequence numbers used"
    );
    assert_eq!(
        store.add_import_item_reports(run_id, batch(None)).await?,
        50
    );
    Ok(())
}
