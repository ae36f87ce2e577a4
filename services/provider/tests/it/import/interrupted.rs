//! Runs left RUNNING by a provider that stopped during them are closed as failed
//! ("interrupted: …") when a provider starts and when the supplier is imported again, once no
//! write showed a live owner for `stale_after`; a run whose provider is alive keeps beating and
//! is left alone, and an owner outliving a sweep still records how its run really ended.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_provider::import::{
    INTERRUPTED, ImportRequest, Importer, ImporterOptions, NoProgress,
};

use super::feed_server::serve;
use super::harness::{Backend, Harness, meta_id, on_each_backend, real_feed};

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// A RUNNING run as a provider that died an hour into it left it.
async fn abandoned_run(h: &Harness, supplier: &cat::Supplier) -> Result<cat::ImportRun> {
    let run = cat::ImportRun {
        supplier_id: meta_id(supplier.meta.as_ref()),
        source: "https://opt.example.ru/feed.xml".into(),
        status: cat::ImportRunStatus::Running as i32,
        started_at: Some(timestamp(chrono::Utc::now() - chrono::Duration::hours(1))),
        ..Default::default()
    };
    Ok(h.client
        .imports()
        .create_import_run(run)
        .await?
        .into_inner())
}

async fn run(h: &Harness, id: &str) -> Result<cat::ImportRun> {
    let request = api::GetRequest {
        id: id.to_owned(),
        ..Default::default()
    };
    Ok(h.client
        .imports()
        .get_import_run(request)
        .await?
        .into_inner())
}

fn closed_as_interrupted(run: &cat::ImportRun) -> bool {
    run.status == cat::ImportRunStatus::Failed as i32
        && run.error.as_deref() == Some(INTERRUPTED)
        && run.finished_at.is_some()
}

/// Options under which any RUNNING run not written this very instant has no live owner.
fn impatient(h: &Harness) -> ImporterOptions {
    ImporterOptions {
        stale_after: Duration::ZERO,
        ..h.options()
    }
}

async fn a_starting_provider_closes_runs_left_running(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let supplier = h.supplier("crashed", serde_json::json!({})).await?;
    let left = abandoned_run(&h, &supplier).await?;
    let left_id = meta_id(left.meta.as_ref());
    // A finished run is never touched.
    let report = h
        .import_file("crashed", &real_feed("ecwid-variants.xml"))
        .await?;
    let done = report.run.context("run")?;

    // With the default staleness a run written a moment ago may have a live owner: kept.
    ensure!(h.importer.options().stale_after >= Duration::from_secs(60));
    ensure!(
        h.importer.close_interrupted().await? == 0,
        "closed a fresh run"
    );
    ensure!(
        run(&h, &left_id).await?.status == cat::ImportRunStatus::Running as i32,
        "a fresh run was closed"
    );

    // A provider whose staleness the run outlived closes it when it starts.
    let provider = h
        .serve_provider(h.new_importer(impatient(&h))?, None)
        .await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let closed = loop {
        let now = run(&h, &left_id).await?;
        if now.status != cat::ImportRunStatus::Running as i32 {
            break now;
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "still running after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    provider.stop().await?;
    ensure!(closed_as_interrupted(&closed), "{closed:?}");
    ensure!(
        (closed.source.as_str(), closed.started_at) == (left.source.as_str(), left.started_at),
        "{closed:?}"
    );
    let still = run(&h, &meta_id(done.meta.as_ref())).await?;
    ensure!(
        still.status == cat::ImportRunStatus::Succeeded as i32
            && still.meta.as_ref().map(|m| m.change_seq)
                == done.meta.as_ref().map(|m| m.change_seq),
        "a finished run was written: {still:?}"
    );
    h.stop().await
}

async fn the_next_import_of_the_supplier_closes_its_interrupted_run(
    backend: Backend,
) -> Result<()> {
    let h = Harness::start(backend).await?;
    let file = real_feed("yandex-official-yandex_products_Ekaterinburg_feed.xml");
    let crashed = h
        .supplier_with_feed(
            "crashed",
            serde_json::json!({}),
            Some(file.display().to_string()),
        )
        .await?;
    let other = h.supplier("other", serde_json::json!({})).await?;
    let left = meta_id(abandoned_run(&h, &crashed).await?.meta.as_ref());
    let elsewhere = meta_id(abandoned_run(&h, &other).await?.meta.as_ref());

    let importer = h.new_importer(impatient(&h))?;
    let request = ImportRequest {
        supplier_code: "crashed".into(),
        ..Default::default()
    };
    let report = importer.import(request, Arc::new(NoProgress)).await?;
    let new = report.run.context("run")?;
    ensure!(
        new.status == cat::ImportRunStatus::Succeeded as i32 && new.created == 36,
        "{new:?}"
    );
    let closed = run(&h, &left).await?;
    ensure!(closed_as_interrupted(&closed), "{closed:?}");
    // Only the imported supplier's runs are looked at.
    let untouched = run(&h, &elsewhere).await?;
    ensure!(
        untouched.status == cat::ImportRunStatus::Running as i32,
        "{untouched:?}"
    );
    h.stop().await
}

/// Starts importing `code` (its feed held by the server) and waits until the download started.
async fn held_import(
    importer: Arc<Importer>,
    code: &str,
    arrived: &tokio::sync::Notify,
) -> tokio::task::JoinHandle<Result<carpetti_proto::provider::v1::ImportReport>> {
    let code = code.to_owned();
    let running = tokio::spawn(async move {
        let request = ImportRequest {
            supplier_code: code,
            ..Default::default()
        };
        Ok(importer.import(request, Arc::new(NoProgress)).await?)
    });
    arrived.notified().await;
    running
}

async fn the_only_running_run(h: &Harness, supplier_id: &str) -> Result<cat::ImportRun> {
    let running: Vec<cat::ImportRun> = h
        .runs(supplier_id)
        .await?
        .into_iter()
        .filter(|r| r.status == cat::ImportRunStatus::Running as i32)
        .collect();
    ensure!(running.len() == 1, "{running:?}");
    running.into_iter().next().context("run")
}

fn change_seq(run: &cat::ImportRun) -> i64 {
    run.meta.as_ref().map_or(0, |m| m.change_seq)
}

async fn a_live_run_keeps_beating_and_is_left_alone(backend: Backend) -> Result<()> {
    const STALE: Duration = Duration::from_secs(3);
    let h = Harness::start(backend).await?;
    let (address, server) = serve(true).await?;
    let live = h
        .supplier_with_feed(
            "live",
            serde_json::json!({}),
            Some(format!("http://{address}/feed.xml")),
        )
        .await?;
    let dead = h.supplier("dead", serde_json::json!({})).await?;
    let abandoned = meta_id(abandoned_run(&h, &dead).await?.meta.as_ref());
    let owner = h.new_importer(ImporterOptions {
        heartbeat: Duration::from_millis(100),
        ..h.options()
    })?;
    let running = held_import(owner, "live", &server.arrived).await;
    let started = the_only_running_run(&h, &meta_id(live.meta.as_ref())).await?;

    // Both runs get older than the staleness (time itself is what is waited for here); only the
    // live one is written meanwhile.
    tokio::time::sleep(STALE + Duration::from_millis(500)).await;
    let beaten = run(&h, &meta_id(started.meta.as_ref())).await?;
    ensure!(
        change_seq(&beaten) > change_seq(&started),
        "no heartbeat: {beaten:?}"
    );
    let sweeper = h.new_importer(ImporterOptions {
        stale_after: STALE,
        ..h.options()
    })?;
    ensure!(
        sweeper.close_interrupted().await? == 1,
        "closed other than the abandoned run"
    );
    ensure!(
        closed_as_interrupted(&run(&h, &abandoned).await?),
        "the abandoned run"
    );
    let alive = run(&h, &meta_id(started.meta.as_ref())).await?;
    ensure!(
        alive.status == cat::ImportRunStatus::Running as i32,
        "{alive:?}"
    );

    server.hold.as_ref().context("held")?.add_permits(1);
    let finished = running.await??.run.context("run")?;
    ensure!(
        finished.status == cat::ImportRunStatus::Succeeded as i32 && finished.created == 36,
        "{finished:?}"
    );
    h.stop().await
}

async fn an_owner_outliving_a_sweep_records_the_real_end(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let (address, server) = serve(true).await?;
    let supplier = h
        .supplier_with_feed(
            "slow",
            serde_json::json!({}),
            Some(format!("http://{address}/feed.xml")),
        )
        .await?;
    // The default heartbeat (a minute): no beat lands during this test.
    let running = held_import(h.importer.clone(), "slow", &server.arrived).await;
    let started = the_only_running_run(&h, &meta_id(supplier.meta.as_ref())).await?;
    let sweeper = h.new_importer(impatient(&h))?;
    ensure!(sweeper.close_interrupted().await? == 1);
    ensure!(closed_as_interrupted(
        &run(&h, &meta_id(started.meta.as_ref())).await?
    ));

    server.hold.as_ref().context("held")?.add_permits(1);
    let report = running.await??;
    let finished = report.run.context("run")?;
    ensure!(
        finished.status == cat::ImportRunStatus::Succeeded as i32
            && finished.error.is_none()
            && (finished.read, finished.created) == (36, 36),
        "{finished:?}"
    );
    let stored = run(&h, &meta_id(started.meta.as_ref())).await?;
    ensure!(stored == finished, "{stored:?}");
    h.stop().await
}

on_each_backend!(
    a_starting_provider_closes_runs_left_running,
    the_next_import_of_the_supplier_closes_its_interrupted_run,
    a_live_run_keeps_beating_and_is_left_alone,
    an_owner_outliving_a_sweep_records_the_real_end,
);
