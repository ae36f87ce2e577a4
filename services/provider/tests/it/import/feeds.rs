//! Every real feed of testdata/feeds/real imports, with the counts worked out by reading the files:
//!
//! - ecwid-variants.xml: 77 offers, every one with id, name and price → 77 created.
//! - malformed-supplier.xml: 72 offers but only 9 distinct ids (each id repeated 8 times) and no
//!   `<price>` anywhere (`<title>` stands for the name) → the 9 first occurrences are rejected for
//!   the missing price, the 63 repeats as duplicate offer ids; nothing is created.
//! - ozon-price-stock.xml: an Ozon price/stock feed, 838 offers with price and outlets but no
//!   name at all → 838 rejected "name: missing" (a supplier item needs a name; this file is what
//!   our writer's Ozon flavor produces, not a catalog).
//! - the three yandex-official-*.xml: 36 offers each, complete → 36 created each.

use anyhow::{Result, ensure};
use carpetti_proto::catalog::v1 as cat;

use super::harness::{Backend, Harness, meta_id, on_each_backend, real_feed};

fn run_of(report: &carpetti_proto::provider::v1::ImportReport) -> cat::ImportRun {
    report.run.clone().unwrap_or_default()
}

/// (read, created, rejected) of one import.
fn counts(run: &cat::ImportRun) -> (i64, i64, i64) {
    (run.read, run.created, run.rejected)
}

async fn real_feeds_import_with_their_counts(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let cases: [(&str, (i64, i64, i64)); 6] = [
        ("ecwid-variants.xml", (77, 77, 0)),
        ("malformed-supplier.xml", (72, 0, 72)),
        ("ozon-price-stock.xml", (838, 0, 838)),
        (
            "yandex-official-yandex_products_Ekaterinburg_feed.xml",
            (36, 36, 0),
        ),
        (
            "yandex-official-yandex_products_Moscow_feed_with_delivery.xml",
            (36, 36, 0),
        ),
        (
            "yandex-official-yandex_products_Saint_Petersburg_feed_vendor_type.xml",
            (36, 36, 0),
        ),
    ];
    for (n, (file, expected)) in cases.iter().enumerate() {
        let code = format!("feed-{n}");
        let supplier = h.supplier(&code, serde_json::json!({})).await?;
        let report = h.import_file(&code, &real_feed(file)).await?;
        let run = run_of(&report);
        ensure!(
            run.status == cat::ImportRunStatus::Succeeded as i32,
            "{file}: {:?}",
            run.error
        );
        ensure!(
            counts(&run) == *expected,
            "{file}: {:?} != {expected:?}",
            counts(&run)
        );
        ensure!(run.gone == 0 && run.updated == 0, "{file}: {run:?}");
        let items = h.items(&meta_id(supplier.meta.as_ref())).await?;
        ensure!(
            items.len() as i64 == run.created,
            "{file}: {} items stored",
            items.len()
        );
        // Every rejection is stored with its line and a reason naming the field.
        ensure!(
            report.rejected.len() as i64 == run.rejected,
            "{file}: rejected list"
        );
        for rejected in &report.rejected {
            ensure!(
                rejected.line.is_some_and(|l| l > 0),
                "{file}: {rejected:?} has no line"
            );
            ensure!(
                rejected.offer_id.is_some(),
                "{file}: {rejected:?} has no offer id"
            );
        }
    }
    // The reasons of the malformed feed: 9 missing prices, 63 duplicates.
    let malformed = h
        .import_file("feed-1", &real_feed("malformed-supplier.xml"))
        .await?;
    let reasons: Vec<String> = malformed
        .rejected
        .iter()
        .filter_map(|r| r.reason.clone())
        .collect();
    let missing = reasons
        .iter()
        .filter(|r| r.starts_with("price: missing"))
        .count();
    let duplicate = reasons
        .iter()
        .filter(|r| r.starts_with("duplicate offer id"))
        .count();
    ensure!(
        (missing, duplicate) == (9, 63),
        "{missing} missing prices, {duplicate} duplicates"
    );
    let ozon = h
        .import_file("feed-2", &real_feed("ozon-price-stock.xml"))
        .await?;
    ensure!(
        ozon.rejected
            .iter()
            .all(|r| r.reason.as_deref().is_some_and(|r| r.starts_with("name:"))),
        "ozon reasons: {:?}",
        ozon.rejected.first()
    );
    h.stop().await
}

async fn fields_survive_the_trip_into_persist(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let supplier = h.supplier("ecwid", serde_json::json!({})).await?;
    h.import_file("ecwid", &real_feed("ecwid-variants.xml"))
        .await?;
    let items = h.items(&meta_id(supplier.meta.as_ref())).await?;
    let variants = items.iter().filter(|i| i.group_id.is_some()).count();
    ensure!(variants > 0, "group_id variants kept");
    ensure!(items.iter().all(|i| i.currency == "RUB"), "prices in RUB");
    ensure!(
        items.iter().all(|i| !i.pictures.is_empty()),
        "pictures kept"
    );
    ensure!(
        items
            .iter()
            .all(|i| i.pictures.iter().all(|p| p.starts_with("http"))),
        "absolute picture URLs"
    );
    ensure!(items.iter().any(|i| !i.params.is_empty()), "params kept");
    ensure!(
        items.iter().all(|i| i.category_name.is_some()),
        "category paths"
    );
    h.stop().await
}

on_each_backend!(
    real_feeds_import_with_their_counts,
    fields_survive_the_trip_into_persist
);
