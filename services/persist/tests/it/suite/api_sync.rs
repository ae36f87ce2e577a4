//! The import's reads and writes over gRPC, end to end on a real server: the fingerprint stream
//! of a supplier (`ListSupplierItemHashes`), `MarkSupplierItemsGone`, `AddImportItemReports`, and
//! (in `streams`) the item and product streams (`StreamSupplierItems`, `StreamProducts`).

use carpetti_persist::grpc::supplier::item_from_pb;
use carpetti_persist::store::DynStore;
use carpetti_proto::catalog::v1 as pb;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::persist::v1::import_service_client::ImportServiceClient;

mod client;
mod streams;

use client::{bad_field, offer, serve, start_run, supplier};
pub use streams::{items_stream_each_once_in_offer_order, products_stream_by_sku};

pub async fn hash_stream_matches_what_the_upsert_answers_unchanged(
    store: DynStore,
) -> anyhow::Result<()> {
    let running = serve(store).await?;
    let mut s = supplier(&running, "hashes").await?;
    let offers: Vec<pb::SupplierItem> = (0..30).map(offer).collect();
    s.upsert("", offers.clone()).await?;

    let chunks = s.hashes(false).await?;
    assert_eq!(chunks.len(), 1);
    let chunk = &chunks[0];
    assert_eq!(chunk.items.len(), 30);
    assert_eq!(chunk.available.len(), 30, "parallel to items");
    let supplier_id = uuid::Uuid::parse_str(&s.id)?;
    for ((print, available), sent) in chunk.items.iter().zip(&chunk.available).zip(&offers) {
        assert_eq!(print.offer_id, sent.offer_id);
        assert_eq!(*available, sent.available);
        // the client can compute the same hash from what it sends
        let local = item_from_pb(sent.clone(), Some(supplier_id))?.content_hash();
        assert_eq!(print.content_hash, local.as_str());
    }
    // the listed hashes, sent back as fingerprints, are all UNCHANGED; one stale one is not
    let mut fingerprints = chunk.items.clone();
    fingerprints[4].content_hash = "0".repeat(32);
    let mut answers = s
        .client
        .upsert_supplier_items(tokio_stream::iter([api::UpsertSupplierItemsRequest {
            supplier_id: s.id.clone(),
            fingerprints,
            ..Default::default()
        }]))
        .await?
        .into_inner();
    let first = answers.message().await?.expect("one answer");
    let outcomes: Vec<api::ItemOutcome> = first.results.iter().map(|r| r.outcome()).collect();
    assert_eq!(outcomes[4], api::ItemOutcome::ContentNeeded);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == api::ItemOutcome::Unchanged)
            .count(),
        29
    );
    // and the items themselves are UNCHANGED too
    let again = s.upsert("", offers.clone()).await?;
    assert!(again.iter().all(|o| *o == api::ItemOutcome::Unchanged));

    let available = s.hashes(true).await?;
    let expected: Vec<&str> = offers
        .iter()
        .filter(|o| o.available)
        .map(|o| o.offer_id.as_str())
        .collect();
    let listed: Vec<&str> = available[0]
        .items
        .iter()
        .map(|p| p.offer_id.as_str())
        .collect();
    assert_eq!(listed, expected);
    assert!(available[0].available.iter().all(|a| *a));
    Ok(())
}

pub async fn gone_round_trip_and_a_reimport_after_it(store: DynStore) -> anyhow::Result<()> {
    use api::ItemOutcome::{Rejected, Unchanged, Updated};
    let running = serve(store).await?;
    let mut s = supplier(&running, "gone").await?;
    let run = start_run(&running, &s.id).await?;
    // S-00003 is unavailable (i % 7 == 3)
    s.upsert(&run, (0..5).map(offer).collect()).await?;
    let before = s.get("S-00001").await?;
    let untouched = s.get("S-00002").await?;

    let next_run = start_run(&running, &s.id).await?;
    let answer = s
        .gone(&next_run, &["S-00001", "S-00003", "S-09999"])
        .await?;
    let outcomes: Vec<api::ItemOutcome> = answer.results.iter().map(|r| r.outcome()).collect();
    assert_eq!(outcomes, [Updated, Unchanged, Rejected]);
    assert_eq!(answer.gone, 1);
    let indexes: Vec<u64> = answer.results.iter().map(|r| r.index).collect();
    assert_eq!(indexes, [0, 1, 2]);
    assert_eq!(answer.results[2].field, "offer_ids[2]");
    assert_eq!(answer.results[2].reason, "unknown offer");
    let gone = s.get("S-00001").await?;
    let before_meta = before.meta.clone().unwrap_or_default();
    let gone_meta = gone.meta.clone().unwrap_or_default();
    assert!(gone_meta.change_seq > before_meta.change_seq);
    assert_eq!(answer.results[0].change_seq, gone_meta.change_seq);
    assert_eq!(answer.results[0].id, before_meta.id);
    assert!(!gone.available);
    assert_eq!(gone.last_import_run_id.as_deref(), Some(next_run.as_str()));
    assert_ne!(gone.content_hash, before.content_hash);
    assert_eq!(
        pb::SupplierItem {
            available: true,
            meta: None,
            content_hash: String::new(),
            last_import_run_id: None,
            ..gone.clone()
        },
        pb::SupplierItem {
            meta: None,
            content_hash: String::new(),
            last_import_run_id: None,
            ..before.clone()
        },
        "nothing but availability changed"
    );
    assert_eq!(s.get("S-00002").await?, untouched);

    // the run has its GONE report
    let reports = ImportServiceClient::new(running.channel.clone())
        .list_import_item_reports(api::ListQuery {
            import_run_id: next_run.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(reports.items.len(), 1);
    assert_eq!(reports.items[0].outcome(), pb::ItemOutcome::Gone);
    assert_eq!(reports.items[0].offer_id.as_deref(), Some("S-00001"));

    // retried: the same answer, nothing written twice
    let retried = s
        .gone(&next_run, &["S-00001", "S-00003", "S-09999"])
        .await?;
    assert_eq!(retried, answer);
    assert_eq!(s.get("S-00001").await?, gone);

    // a re-import of the offer as unavailable is UNCHANGED; back in stock it is UPDATED
    let third_run = start_run(&running, &s.id).await?;
    let mut as_gone = offer(1);
    as_gone.available = false;
    assert_eq!(s.upsert(&third_run, vec![as_gone]).await?, [Unchanged]);
    assert_eq!(s.upsert(&third_run, vec![offer(1)]).await?, [Updated]);
    assert!(s.get("S-00001").await?.available);
    Ok(())
}

pub async fn import_item_reports_in_bulk(store: DynStore) -> anyhow::Result<()> {
    let running = serve(store).await?;
    let s = supplier(&running, "reports").await?;
    let run = start_run(&running, &s.id).await?;
    let mut imports = ImportServiceClient::new(running.channel.clone());
    let report = |line: i64, outcome: pb::ItemOutcome, run: &str| pb::ImportItemReport {
        import_run_id: run.into(),
        line: Some(line),
        offer_id: Some(format!("R-{line}")),
        outcome: outcome.into(),
        reason: (outcome == pb::ItemOutcome::Rejected)
            .then(|| "price: must not be negative".into()),
        ..Default::default()
    };
    let added = imports
        .add_import_item_reports(api::AddImportItemReportsRequest {
            import_run_id: run.clone(),
            reports: vec![
                report(1, pb::ItemOutcome::Created, ""),
                report(2, pb::ItemOutcome::Rejected, &run),
                report(3, pb::ItemOutcome::Gone, ""),
            ],
        })
        .await?
        .into_inner();
    assert_eq!(added.added, 3);
    let listed = imports
        .list_import_item_reports(api::ListQuery {
            import_run_id: run.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let lines: Vec<(Option<i64>, pb::ItemOutcome)> =
        listed.items.iter().map(|r| (r.line, r.outcome())).collect();
    assert_eq!(
        lines,
        [
            (Some(1), pb::ItemOutcome::Created),
            (Some(2), pb::ItemOutcome::Rejected),
            (Some(3), pb::ItemOutcome::Gone)
        ]
    );
    assert_eq!(
        listed.items[1].reason.as_deref(),
        Some("price: must not be negative")
    );

    let other_run = start_run(&running, &s.id).await?;
    let cases = [
        (
            vec![
                report(1, pb::ItemOutcome::Created, ""),
                report(0, pb::ItemOutcome::Created, ""),
            ],
            "reports[1].line",
        ),
        (
            vec![report(1, pb::ItemOutcome::Created, &other_run)],
            "reports[0].import_run_id",
        ),
        (
            vec![report(1, pb::ItemOutcome::Unspecified, "")],
            "reports[0].outcome",
        ),
        (
            (0..10_001)
                .map(|i| report(i + 1, pb::ItemOutcome::Created, ""))
                .collect(),
            "reports",
        ),
    ];
    for (reports, field) in cases {
        let status = imports
            .add_import_item_reports(api::AddImportItemReportsRequest {
                import_run_id: run.clone(),
                reports,
            })
            .await
            .expect_err(field);
        assert_eq!(bad_field(&status), field);
    }
    let status = imports
        .add_import_item_reports(api::AddImportItemReportsRequest {
            import_run_id: uuid::Uuid::now_v7().to_string(),
            reports: vec![report(1, pb::ItemOutcome::Created, "")],
        })
        .await
        .expect_err("unknown run");
    assert_eq!(bad_field(&status), "import_run_id");
    let after = imports
        .list_import_item_reports(api::ListQuery {
            import_run_id: run,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(after.items.len(), 3, "rejected requests wrote nothing");
    Ok(())
}

pub async fn bad_requests_name_the_field(store: DynStore) -> anyhow::Result<()> {
    let running = serve(store).await?;
    let mut s = supplier(&running, "bad").await?;
    let run = start_run(&running, &s.id).await?;
    let real = s.id.clone();

    for bad in ["not-a-uuid", ""] {
        s.id = bad.into();
        assert_eq!(
            bad_field(&s.hashes(false).await.expect_err(bad)),
            "supplier_id"
        );
        assert_eq!(
            bad_field(&s.items(false).await.expect_err(bad)),
            "supplier_id"
        );
        assert_eq!(
            bad_field(&s.gone(&run, &["S-1"]).await.expect_err(bad)),
            "supplier_id"
        );
    }
    // an unknown supplier fails the call itself, before any message
    s.id = uuid::Uuid::now_v7().to_string();
    let status = s
        .client
        .list_supplier_item_hashes(api::ListSupplierItemHashesRequest {
            supplier_id: s.id.clone(),
            only_available: false,
            after_offer_id: String::new(),
        })
        .await
        .expect_err("unknown supplier");
    assert_eq!(bad_field(&status), "supplier_id");
    // resumed or not
    let status = s
        .items_after(false, "S-00010")
        .await
        .expect_err("unknown supplier");
    assert_eq!(bad_field(&status), "supplier_id");
    assert_eq!(
        bad_field(&s.items(true).await.expect_err("unknown")),
        "supplier_id"
    );
    assert_eq!(
        bad_field(&s.gone(&run, &["S-1"]).await.expect_err("unknown")),
        "supplier_id"
    );

    s.id = real;
    // an empty supplier streams nothing, without error
    assert!(s.hashes(false).await?.is_empty());
    assert!(s.items(false).await?.is_empty());
    assert_eq!(
        bad_field(&s.gone("nope", &["S-1"]).await.expect_err("bad run")),
        "import_run_id"
    );
    let too_many: Vec<String> = (0..10_001).map(|i| format!("S-{i}")).collect();
    let refs: Vec<&str> = too_many.iter().map(String::as_str).collect();
    assert_eq!(
        bad_field(&s.gone(&run, &refs).await.expect_err("too many")),
        "offer_ids"
    );
    Ok(())
}
