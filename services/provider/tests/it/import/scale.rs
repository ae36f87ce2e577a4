//! A catalog large enough to spread over every bucket of the import's spools and over several
//! announcement parts: the comparison bucket by bucket must give the same totals, the same
//! first-occurrence rule for duplicates (in feed order, even on one line) and every changed id
//! announced exactly once.

use std::collections::HashSet;

use anyhow::{Result, ensure};
use carpetti_proto::catalog::v1 as cat;
use carpetti_proto::provider::v1 as pb;

use super::harness::{Backend, Harness, meta_id, on_each_backend};

/// Offers in the first feed.
const OFFERS: usize = 12_000;

/// A one-line YML feed of (id, price) offers.
fn one_line_feed(offers: &[(String, String)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><yml_catalog date=\"2026-12-03 10:00\"><shop>\
         <name>Опт</name><url>https://opt.example.ru</url><categories><category id=\"1\">Всё\
         </category></categories><offers>",
    );
    for (id, price) in offers {
        xml.push_str(&format!(
            "<offer id=\"{id}\" available=\"true\"><name>Товар {id}</name><price>{price}</price>\
             <currencyId>RUB</currencyId><categoryId>1</categoryId></offer>"
        ));
    }
    xml.push_str("</offers></shop></yml_catalog>");
    xml
}

/// Every part of one run's announcement: (created, updated, gone) ids.
async fn announcement(h: &mut Harness) -> Result<[Vec<String>; 3]> {
    let mut ids: [Vec<String>; 3] = Default::default();
    let first = h.next_change().await?;
    let parts = first.parts;
    let mut seen_parts = vec![first.part];
    let mut add = |part: pb::SupplierItemsChanged| {
        ids[0].extend(part.created_ids);
        ids[1].extend(part.updated_ids);
        ids[2].extend(part.gone_ids);
    };
    add(first);
    for _ in 1..parts {
        let part = h.next_change().await?;
        ensure!(part.parts == parts, "{} of {}", part.part, part.parts);
        seen_parts.push(part.part);
        add(part);
    }
    seen_parts.sort_unstable();
    ensure!(
        seen_parts == (1..=parts).collect::<Vec<_>>(),
        "parts {seen_parts:?}"
    );
    for list in &ids {
        let distinct: HashSet<&String> = list.iter().collect();
        ensure!(distinct.len() == list.len(), "an id announced twice");
    }
    Ok(ids)
}

/// How many ids one run announced as (created, updated, gone).
async fn announced_counts(h: &mut Harness) -> Result<(usize, usize, usize)> {
    let [created, updated, gone] = announcement(h).await?;
    Ok((created.len(), updated.len(), gone.len()))
}

fn run(report: &pb::ImportReport) -> cat::ImportRun {
    report.run.clone().unwrap_or_default()
}

async fn a_catalog_over_every_bucket_compares_as_one(backend: Backend) -> Result<()> {
    let mut h = Harness::start(backend).await?;
    let supplier = h.supplier("opt", serde_json::json!({})).await?;
    let supplier_id = meta_id(supplier.meta.as_ref());
    let mut offers: Vec<(String, String)> = (0..OFFERS)
        .map(|n| (format!("SKU-{n:05}"), "100".to_owned()))
        .collect();
    // Twenty repeats of earlier ids with another price, all on the same line as their first.
    for n in 0..20 {
        offers.push((format!("SKU-{:05}", n * 500), "999".to_owned()));
    }
    let first = h
        .import_text("opt", "one.xml", &one_line_feed(&offers))
        .await?;
    let first_run = run(&first);
    ensure!(
        (first_run.read, first_run.created, first_run.rejected) == (12_020, 12_000, 20),
        "{first_run:?}"
    );
    ensure!(
        first.rejected.len() == 20
            && first
                .rejected
                .iter()
                .all(|r| r.reason.as_deref() == Some("duplicate offer id: first seen on line 1")),
        "{:?}",
        first.rejected.first()
    );
    let announced = announced_counts(&mut h).await?;
    ensure!(announced == (12_000, 0, 0), "announced {announced:?}");
    let items = h.items(&supplier_id).await?;
    ensure!(items.len() == OFFERS, "{} items", items.len());
    ensure!(
        items
            .iter()
            .all(|i| i.price == "100.00" || i.price == "100"),
        "the first occurrence of each id wins"
    );

    // 3,000 offers dropped, 2,000 repriced, 7,000 as they were.
    let second: Vec<(String, String)> = (3_000..OFFERS)
        .map(|n| {
            let price = if n < 5_000 { "150" } else { "100" };
            (format!("SKU-{n:05}"), price.to_owned())
        })
        .collect();
    let second = run(&h
        .import_text("opt", "two.xml", &one_line_feed(&second))
        .await?);
    ensure!(
        (
            second.read,
            second.created,
            second.updated,
            second.unchanged,
            second.gone,
            second.rejected
        ) == (9_000, 0, 2_000, 7_000, 3_000, 0),
        "{second:?}"
    );
    let announced = announced_counts(&mut h).await?;
    ensure!(announced == (0, 2_000, 3_000), "announced {announced:?}");
    let items = h.items(&supplier_id).await?;
    let unavailable = items.iter().filter(|i| !i.available).count();
    ensure!(
        (items.len(), unavailable) == (OFFERS, 3_000),
        "{} items, {unavailable} unavailable",
        items.len()
    );
    h.stop().await
}

on_each_backend!(a_catalog_over_every_bucket_compares_as_one);
