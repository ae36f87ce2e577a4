//! `carpetti.provider.v1.ProviderService` through a real ProviderServer on 127.0.0.1:0 in front
//! of a real service_persist (SQLite and PostgreSQL): a real feed uploaded in chunks, an import of
//! a supplier whose feed is a local file, the per-item report of a feed with bad offers, and bad
//! requests answered with a clear status and nothing written.

use std::collections::BTreeSet;

use anyhow::{Context as _, Result, ensure};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_proto::provider::v1 as pb;
use carpetti_proto::provider::v1::provider_service_client::ProviderServiceClient;
use tonic::transport::Channel;

use crate::import::harness::{Backend, Harness, meta_id, on_each_backend, real_feed};

/// An upload of `bytes` as the client sends it: `chunk`-sized messages, the first one naming
/// the supplier and the file.
fn upload_messages(
    code: &str,
    name: &str,
    bytes: &[u8],
    chunk: usize,
) -> Vec<pb::UploadFeedRequest> {
    let mut messages: Vec<pb::UploadFeedRequest> = bytes
        .chunks(chunk)
        .map(|data| pb::UploadFeedRequest {
            data: data.to_vec(),
            ..Default::default()
        })
        .collect();
    if messages.is_empty() {
        messages.push(pb::UploadFeedRequest::default());
    }
    messages[0].supplier_code = code.to_owned();
    messages[0].file_name = name.to_owned();
    messages
}

async fn upload(
    client: &mut ProviderServiceClient<Channel>,
    messages: Vec<pb::UploadFeedRequest>,
) -> Result<pb::ImportReport, tonic::Status> {
    let answer = client.upload_feed(futures::stream::iter(messages)).await;
    answer.map(tonic::Response::into_inner)
}

fn run_of(report: &pb::ImportReport) -> cat::ImportRun {
    report.run.clone().unwrap_or_default()
}

/// The offer ids of a YML file, read with a plain text scan (not with the reader under test).
fn offer_ids(text: &str) -> BTreeSet<String> {
    text.split("<offer id=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(id, _)| id.to_owned()))
        .collect()
}

/// Uploads left in the work directory (the server removes each once imported).
fn stored_uploads(h: &Harness) -> Result<usize> {
    Ok(std::fs::read_dir(h.work.path())?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("carpetti-upload-")
        })
        .count())
}

async fn an_uploaded_real_feed_is_imported(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let supplier = h.supplier("ecwid", serde_json::json!({})).await?;
    let mut provider = h.serve_provider(h.importer.clone(), None).await?;
    let file = real_feed("ecwid-variants.xml");
    let bytes = std::fs::read(&file)?;
    let expected = offer_ids(&String::from_utf8_lossy(&bytes));
    ensure!(
        expected.len() == 77,
        "the file has {} offers",
        expected.len()
    );

    // 16 KiB chunks: the 88 KB file arrives in six messages.
    let messages = upload_messages("ecwid", "ecwid-variants.xml", &bytes, 16 << 10);
    ensure!(messages.len() == 6, "{} messages", messages.len());
    let report = upload(&mut provider.client, messages).await?;
    let run = run_of(&report);
    ensure!(
        run.status == cat::ImportRunStatus::Succeeded as i32,
        "{run:?}"
    );
    ensure!(
        (run.read, run.created, run.updated, run.rejected, run.gone) == (77, 77, 0, 0, 0),
        "{run:?}"
    );
    ensure!(run.source == "upload: ecwid-variants.xml", "{}", run.source);
    ensure!(
        !report.not_modified && report.rejected.is_empty(),
        "{report:?}"
    );
    let stored: BTreeSet<String> = h
        .items(&meta_id(supplier.meta.as_ref()))
        .await?
        .into_iter()
        .map(|i| i.offer_id)
        .collect();
    ensure!(stored == expected, "persist holds {stored:?}");
    ensure!(
        stored_uploads(&h)? == 0,
        "the stored upload was not removed"
    );

    // The stored report of the run says the same.
    let again = provider
        .client
        .get_import_report(pb::GetImportReportRequest {
            import_run_id: meta_id(run.meta.as_ref()),
            max_rejected: 0,
        })
        .await?
        .into_inner();
    let stored_run = run_of(&again);
    ensure!(
        (stored_run.status, stored_run.read, stored_run.created) == (run.status, 77, 77),
        "{stored_run:?}"
    );

    // The same upload once more, in one message: nothing new, all unchanged.
    let messages = upload_messages("ecwid", "ecwid-variants.xml", &bytes, bytes.len());
    let second = run_of(&upload(&mut provider.client, messages).await?);
    ensure!(
        (
            second.read,
            second.created,
            second.updated,
            second.unchanged
        ) == (77, 0, 0, 77),
        "{second:?}"
    );
    provider.stop().await?;
    h.stop().await
}

async fn a_supplier_with_a_local_feed_is_imported_by_code(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let file = real_feed("yandex-official-yandex_products_Ekaterinburg_feed.xml");
    let path = file.canonicalize()?.display().to_string();
    let supplier = h
        .supplier_with_feed("yandex", serde_json::json!({}), Some(path.clone()))
        .await?;
    let mut provider = h.serve_provider(h.importer.clone(), None).await?;
    let report = provider
        .client
        .import_supplier(pb::ImportSupplierRequest {
            supplier_code: "yandex".into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let run = run_of(&report);
    ensure!(
        run.status == cat::ImportRunStatus::Succeeded as i32,
        "{run:?}"
    );
    ensure!(
        (run.read, run.created, run.rejected) == (36, 36, 0),
        "{run:?}"
    );
    ensure!(run.source == path, "{} != {path}", run.source);
    ensure!(run.supplier_code == "yandex", "{run:?}");
    let expected = offer_ids(&std::fs::read_to_string(&file)?);
    let stored: BTreeSet<String> = h
        .items(&meta_id(supplier.meta.as_ref()))
        .await?
        .into_iter()
        .map(|i| i.offer_id)
        .collect();
    ensure!(
        stored == expected,
        "persist holds {stored:?}, the file {expected:?}"
    );
    provider.stop().await?;
    h.stop().await
}

async fn the_report_lists_each_bad_offer(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    h.supplier("messy", serde_json::json!({})).await?;
    let mut provider = h.serve_provider(h.importer.clone(), None).await?;

    // A small feed, one offer per line: line 3 is fine, 4 has no price, 5 repeats line 3's id.
    let feed = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<yml_catalog><shop><offers>\n\
        <offer id=\"good\"><name>Дрель</name><price>10</price></offer>\n\
        <offer id=\"free\"><name>Пила</name></offer>\n\
        <offer id=\"good\"><name>Дрель опять</name><price>11</price></offer>\n\
        </offers></shop></yml_catalog>\n";
    let report = upload(
        &mut provider.client,
        upload_messages("messy", "small.xml", feed.as_bytes(), 64),
    )
    .await?;
    let run = run_of(&report);
    ensure!(
        (run.read, run.created, run.rejected) == (3, 1, 2),
        "{run:?}"
    );
    let mut rejected: Vec<(Option<i64>, Option<String>, Option<String>)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.offer_id.clone(), r.reason.clone()))
        .collect();
    rejected.sort();
    ensure!(rejected.len() == 2, "{rejected:?}");
    let (free, repeat) = (&rejected[0], &rejected[1]);
    ensure!(
        free.0 == Some(4) && free.1.as_deref() == Some("free"),
        "{free:?}"
    );
    ensure!(
        free.2.as_deref().is_some_and(|r| r.starts_with("price")),
        "{free:?}"
    );
    ensure!(
        repeat.0 == Some(5)
            && repeat.2.as_deref() == Some("duplicate offer id: first seen on line 3"),
        "{repeat:?}"
    );
    ensure!(
        report
            .rejected
            .iter()
            .all(|r| r.outcome == cat::ItemOutcome::Rejected as i32),
        "{report:?}"
    );

    // The real malformed feed: 9 offers without a price, 63 repeats; the stored report pages.
    let bytes = std::fs::read(real_feed("malformed-supplier.xml"))?;
    let report = upload(
        &mut provider.client,
        upload_messages("messy", "malformed-supplier.xml", &bytes, 32 << 10),
    )
    .await?;
    let run_id = meta_id(report.run.as_ref().and_then(|r| r.meta.as_ref()));
    let report_of = |max_rejected: u32| {
        let mut client = provider.client.clone();
        let run_id = run_id.clone();
        async move {
            client
                .get_import_report(pb::GetImportReportRequest {
                    import_run_id: run_id,
                    max_rejected,
                })
                .await
                .map(tonic::Response::into_inner)
        }
    };
    let first_five = report_of(5).await?;
    ensure!(
        first_five.rejected.len() == 5,
        "{}",
        first_five.rejected.len()
    );
    let all = report_of(0).await?; // 0 = the default 100, more than the 72
    let run = run_of(&all);
    ensure!(
        (run.read, run.created, run.rejected) == (72, 0, 72),
        "{run:?}"
    );
    ensure!(all.rejected.len() == 72, "{}", all.rejected.len());
    let reason_starts = |prefix: &str| {
        all.rejected
            .iter()
            .filter(|r| {
                r.reason
                    .as_deref()
                    .is_some_and(|why| why.starts_with(prefix))
            })
            .count()
    };
    ensure!(
        (reason_starts("price"), reason_starts("duplicate offer id")) == (9, 63),
        "{:?}",
        all.rejected
    );
    ensure!(
        all.rejected
            .iter()
            .all(|r| r.line.is_some_and(|l| l > 0) && r.offer_id.is_some()),
        "{:?}",
        all.rejected
    );
    ensure!(
        first_five.rejected.iter().all(|r| all.rejected.contains(r)),
        "the first page is part of the whole"
    );
    provider.stop().await?;
    h.stop().await
}

/// Asserts that `answer` failed with `code` and a message containing `says`.
fn refused<T: std::fmt::Debug>(
    what: &str,
    answer: Result<T, tonic::Status>,
    code: tonic::Code,
    says: &str,
) -> Result<()> {
    match answer {
        Ok(answer) => anyhow::bail!("{what}: answered {answer:?}"),
        Err(status) => ensure!(
            status.code() == code && status.message().contains(says),
            "{what}: {:?} {:?}, expected {code:?} saying {says:?}",
            status.code(),
            status.message()
        ),
    }
    Ok(())
}

async fn bad_requests_get_a_clear_status_and_write_nothing(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let supplier = h.supplier("known", serde_json::json!({})).await?;
    let mut provider = h.serve_provider(h.importer.clone(), None).await?;
    let client = &mut provider.client;
    let feed = std::fs::read(real_feed("ecwid-variants.xml"))?;
    let import = |code: &str| pb::ImportSupplierRequest {
        supplier_code: code.to_owned(),
        ..Default::default()
    };

    let answer = client.import_supplier(import("nobody")).await;
    refused(
        "import of an unknown supplier",
        answer,
        tonic::Code::NotFound,
        "unknown supplier nobody",
    )?;
    let answer = client.import_supplier(import("  ")).await;
    refused(
        "import without a code",
        answer,
        tonic::Code::InvalidArgument,
        "supplier_code",
    )?;
    let answer = client.import_supplier(import("known")).await;
    refused(
        "import of a supplier without a feed",
        answer,
        tonic::Code::FailedPrecondition,
        "has no feed_url",
    )?;
    let mut odd_format = import("known");
    odd_format.format = 99;
    let answer = client.import_supplier(odd_format).await;
    refused(
        "an unknown format",
        answer,
        tonic::Code::InvalidArgument,
        "format",
    )?;

    let answer = upload(
        client,
        upload_messages("nobody", "feed.xml", &feed, 16 << 10),
    )
    .await;
    refused(
        "upload for an unknown supplier",
        answer,
        tonic::Code::NotFound,
        "unknown supplier nobody",
    )?;
    let answer = upload(client, Vec::new()).await;
    refused(
        "an upload of no message",
        answer,
        tonic::Code::InvalidArgument,
        "the upload is empty",
    )?;
    let answer = upload(client, upload_messages("known", "feed.xml", &[], 16 << 10)).await;
    refused(
        "an upload of no bytes",
        answer,
        tonic::Code::InvalidArgument,
        "no data",
    )?;
    let answer = upload(client, upload_messages("", "feed.xml", &feed, 16 << 10)).await;
    refused(
        "an upload naming no supplier",
        answer,
        tonic::Code::InvalidArgument,
        "supplier_code",
    )?;

    let report = |id: &str| pb::GetImportReportRequest {
        import_run_id: id.to_owned(),
        max_rejected: 0,
    };
    let answer = client.get_import_report(report("")).await;
    refused(
        "a report without an id",
        answer,
        tonic::Code::InvalidArgument,
        "import_run_id",
    )?;
    let unknown = "01900000-0000-7000-8000-000000000000";
    let answer = client.get_import_report(report(unknown)).await;
    refused(
        "the report of an unknown run",
        answer,
        tonic::Code::NotFound,
        unknown,
    )?;
    let answer = client.get_import_report(report("not-a-run-id")).await;
    refused(
        "the report of a malformed id",
        answer,
        tonic::Code::InvalidArgument,
        "not-a-run-id",
    )?;

    // Nothing was written: no run of any supplier, no item, no upload left behind.
    let runs = h
        .client
        .imports()
        .list_import_runs(api::ListQuery::default())
        .await?
        .into_inner();
    ensure!(
        runs.items.is_empty(),
        "runs were recorded: {:?}",
        runs.items
    );
    let items = h.items(&meta_id(supplier.meta.as_ref())).await?;
    ensure!(items.is_empty(), "items were written: {items:?}");
    ensure!(stored_uploads(&h)? == 0, "an upload was left behind");
    // Requests for unknown suppliers leave no per-supplier state behind.
    ensure!(
        h.importer.busy_suppliers() == 0,
        "{} supplier turns left",
        h.importer.busy_suppliers()
    );
    provider.stop().await.context("stopping the provider")?;
    h.stop().await
}

on_each_backend!(
    an_uploaded_real_feed_is_imported,
    a_supplier_with_a_local_feed_is_imported_by_code,
    the_report_lists_each_bad_offer,
    bad_requests_get_a_clear_status_and_write_nothing,
);
