//! A supplier's http feed behind a tiny local server that answers with an ETag and a
//! Last-Modified: the validators of a download are saved in the supplier's settings (`fetched`)
//! in persist, a new importer (a restarted provider) sends them back as If-None-Match /
//! If-Modified-Since and the 304 is recorded as a not-modified run that changes nothing; an
//! operator's edit of the supplier during an import survives the saving of the validators.

use std::sync::Arc;

use anyhow::{Context as _, Result, ensure};
use carpetti_persist::grpc::convert::struct_to_json;
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::persist::v1 as api;
use carpetti_provider::import::{ImportRequest, Importer, NoProgress};

use crate::import::feed_server::{ETAG, LAST_MODIFIED, serve};
use crate::import::harness::{Backend, Harness, meta_id, on_each_backend};

async fn import(
    importer: &Importer,
    code: &str,
    force: bool,
) -> Result<carpetti_proto::provider::v1::ImportReport> {
    let request = ImportRequest {
        supplier_code: code.to_owned(),
        force,
        ..Default::default()
    };
    Ok(importer.import(request, Arc::new(NoProgress)).await?)
}

async fn supplier(h: &Harness, code: &str) -> Result<cat::Supplier> {
    let request = api::GetRequest {
        key: code.to_owned(),
        ..Default::default()
    };
    Ok(h.client
        .suppliers()
        .get_supplier(request)
        .await?
        .into_inner())
}

fn fetched(supplier: &cat::Supplier) -> serde_json::Value {
    struct_to_json(supplier.settings.clone())["fetched"].clone()
}

async fn a_restarted_provider_sends_the_saved_validators(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let (address, server) = serve(false).await?;
    let url = format!("http://{address}/feed.xml");
    let created = h
        .supplier_with_feed(
            "http",
            serde_json::json!({ "pack_param": "Кратность" }),
            Some(url),
        )
        .await?;
    let supplier_id = meta_id(created.meta.as_ref());

    let first = import(&h.importer, "http", false).await?;
    let run = first.run.clone().unwrap_or_default();
    ensure!((run.read, run.created) == (36, 36), "{run:?}");
    let saved = supplier(&h, "http").await?;
    ensure!(
        fetched(&saved) == serde_json::json!({ "etag": ETAG, "last_modified": LAST_MODIFIED }),
        "settings: {:?}",
        struct_to_json(saved.settings.clone())
    );
    ensure!(
        struct_to_json(saved.settings.clone())["pack_param"] == "Кратность",
        "the other settings were kept"
    );
    let items_before = h.items(&supplier_id).await?;

    // A new importer (with a new fetcher) knows nothing: the validators can only come from persist.
    let restarted = h.new_importer(h.options())?;
    let second = import(&restarted, "http", false).await?;
    let run = second.run.clone().unwrap_or_default();
    ensure!(second.not_modified, "{second:?}");
    ensure!(
        run.status == cat::ImportRunStatus::Succeeded as i32
            && run.error.as_deref() == Some("not modified since the last import")
            && (run.read, run.created, run.updated, run.unchanged, run.gone) == (0, 0, 0, 0, 0),
        "{run:?}"
    );
    let seen = server.seen.lock().expect("lock").clone();
    ensure!(
        seen == vec![
            (None, None),
            (Some(ETAG.to_owned()), Some(LAST_MODIFIED.to_owned()))
        ],
        "{seen:?}"
    );
    // Nothing changed: the items are as they were (change_seq included), the supplier untouched.
    ensure!(
        h.items(&supplier_id).await? == items_before,
        "the items changed"
    );
    ensure!(
        supplier(&h, "http").await? == saved,
        "the supplier was written again"
    );

    // Forced: downloaded without validators, every item unchanged, the same validators are not
    // written again.
    let forced = import(&restarted, "http", true).await?;
    let run = forced.run.clone().unwrap_or_default();
    ensure!(
        !forced.not_modified && (run.read, run.unchanged, run.created) == (36, 36, 0),
        "{run:?}"
    );
    ensure!(
        server.seen.lock().expect("lock").last() == Some(&(None, None)),
        "a forced import sent validators"
    );
    ensure!(
        supplier(&h, "http").await? == saved,
        "the same validators were written again"
    );
    let runs = h.runs(&supplier_id).await?;
    ensure!(runs.len() == 3, "{runs:?}");
    h.stop().await
}

async fn an_edit_during_the_import_survives_the_validators(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let (address, server) = serve(true).await?;
    let url = format!("http://{address}/feed.xml");
    h.supplier_with_feed("edited", serde_json::json!({}), Some(url))
        .await?;

    let importer = Arc::clone(&h.importer);
    let running = tokio::spawn(async move { import(&importer, "edited", false).await });
    // The download has started: the operator renames the supplier, then the feed is sent.
    server.arrived.notified().await;
    let mut renamed = supplier(&h, "edited").await?;
    renamed.name = "Переименован во время импорта".to_owned();
    h.client.suppliers().update_supplier(renamed).await?;
    server
        .hold
        .as_ref()
        .context("a held server")?
        .add_permits(1);
    let report = running.await??;
    let run = report.run.unwrap_or_default();
    ensure!((run.read, run.created) == (36, 36), "{run:?}");

    let after = supplier(&h, "edited").await?;
    ensure!(
        after.name == "Переименован во время импорта",
        "the operator's edit was lost: {:?}",
        after.name
    );
    ensure!(
        fetched(&after)["etag"] == ETAG,
        "validators: {:?}",
        fetched(&after)
    );
    h.stop().await
}

on_each_backend!(
    a_restarted_provider_sends_the_saved_validators,
    an_edit_during_the_import_survives_the_validators,
);
