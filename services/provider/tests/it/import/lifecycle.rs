//! A supplier's catalog across runs: unchanged re-imports write nothing, changes update, offers
//! missing from a new feed become unavailable (never deleted) and come back when the feed has them
//! again, each run is announced on the queue with the ids, and a feed that cannot be read to its
//! end changes nothing.

use anyhow::{Result, ensure};
use carpetti_proto::catalog::v1 as cat;

use super::harness::{Backend, Harness, meta_id, on_each_backend};

/// A small YML feed with the given (id, name, price) offers.
fn feed(offers: &[(&str, &str, &str)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE yml_catalog SYSTEM \"shops.dtd\">\n\
         <yml_catalog date=\"2026-12-01 10:00\"><shop><name>Опт</name><company>ООО Опт</company>\
         <url>https://opt.example.ru</url><currencies><currency id=\"RUR\" rate=\"1\"/></currencies>\
         <categories><category id=\"1\">Инструмент</category><category id=\"2\" parentId=\"1\">Дрели</category></categories>\
         <offers>\n",
    );
    for (id, name, price) in offers {
        xml.push_str(&format!(
            "<offer id=\"{id}\" available=\"true\"><name>{name}</name><price>{price}</price>\
             <currencyId>RUR</currencyId><categoryId>2</categoryId>\
             <picture>/img/{id}.jpg</picture><barcode>4006381333931</barcode>\
             <param name=\"Вес\" unit=\"кг\">1,5</param><param name=\"Мощность\" unit=\"кВт\">0.8</param></offer>\n"
        ));
    }
    xml.push_str("</offers></shop></yml_catalog>\n");
    xml
}

fn run(report: &carpetti_proto::provider::v1::ImportReport) -> cat::ImportRun {
    report.run.clone().unwrap_or_default()
}

async fn runs_create_update_keep_and_mark_gone(backend: Backend) -> Result<()> {
    let mut h = Harness::start(backend).await?;
    let supplier = h.supplier("opt", serde_json::json!({})).await?;
    let supplier_id = meta_id(supplier.meta.as_ref());
    let a = [
        ("A1", "Дрель Bosch", "1000.50"),
        ("A2", "Дрель Makita", "2000"),
        ("A3", "Шуруповёрт", "3000"),
    ];
    let first = run(&h.import_text("opt", "one.xml", &feed(&a)).await?);
    ensure!(
        (first.read, first.created, first.rejected) == (3, 3, 0),
        "{first:?}"
    );
    let announced = h.next_change().await?;
    ensure!(
        announced.created_ids.len() == 3 && announced.import_run_id == meta_id(first.meta.as_ref()),
        "{announced:?}"
    );

    // The same feed again: nothing written, all unchanged.
    let second = run(&h.import_text("opt", "two.xml", &feed(&a)).await?);
    ensure!(
        (second.unchanged, second.created, second.updated) == (3, 0, 0),
        "{second:?}"
    );
    let quiet = h.next_change().await?;
    ensure!(
        quiet.created_ids.is_empty() && quiet.updated_ids.is_empty(),
        "{quiet:?}"
    );

    // A2 changes price, A3 is gone, B1 is new.
    let b = [
        ("A1", "Дрель Bosch", "1000.50"),
        ("A2", "Дрель Makita", "2100"),
        ("B1", "Перфоратор", "5000"),
    ];
    let third = run(&h.import_text("opt", "three.xml", &feed(&b)).await?);
    ensure!(
        (third.created, third.updated, third.unchanged, third.gone) == (1, 1, 1, 1),
        "{third:?}"
    );
    let change = h.next_change().await?;
    ensure!(
        (
            change.created_ids.len(),
            change.updated_ids.len(),
            change.gone_ids.len()
        ) == (1, 1, 1),
        "{change:?}"
    );
    let items = h.items(&supplier_id).await?;
    ensure!(
        items.len() == 4,
        "a gone offer is kept: {} items",
        items.len()
    );
    let a3 = items
        .iter()
        .find(|i| i.offer_id == "A3")
        .ok_or_else(|| anyhow::anyhow!("A3"))?;
    ensure!(!a3.available, "A3 is unavailable");
    let a2 = items
        .iter()
        .find(|i| i.offer_id == "A2")
        .ok_or_else(|| anyhow::anyhow!("A2"))?;
    ensure!(
        a2.price == "2100.00" || a2.price == "2100",
        "A2 price {}",
        a2.price
    );
    // Normalized on the way: RUR → RUB, kg → g, kW → W, absolute pictures, a category path.
    ensure!(a2.currency == "RUB", "{}", a2.currency);
    ensure!(
        a2.pictures == vec!["https://opt.example.ru/img/A2.jpg".to_owned()],
        "{:?}",
        a2.pictures
    );
    ensure!(
        a2.category_name.as_deref() == Some("Инструмент/Дрели"),
        "{:?}",
        a2.category_name
    );
    let weight = a2
        .params
        .iter()
        .find(|p| p.name == "Вес")
        .ok_or_else(|| anyhow::anyhow!("Вес"))?;
    ensure!(
        (weight.value.as_str(), weight.unit.as_deref()) == ("1500", Some("г")),
        "{weight:?}"
    );

    // A3 is back: available again (an update), nothing gone twice.
    let fourth = run(&h.import_text("opt", "four.xml", &feed(&a)).await?);
    ensure!((fourth.updated, fourth.gone) == (2, 1), "{fourth:?}"); // A2 price back, A3 back; B1 gone
    let a3 = h
        .items(&supplier_id)
        .await?
        .into_iter()
        .find(|i| i.offer_id == "A3");
    ensure!(a3.is_some_and(|i| i.available), "A3 is available again");
    h.stop().await
}

async fn a_feed_that_breaks_changes_nothing(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let supplier = h.supplier("opt", serde_json::json!({})).await?;
    let supplier_id = meta_id(supplier.meta.as_ref());
    let a = [("A1", "Дрель", "1000"), ("A2", "Пила", "2000")];
    h.import_text("opt", "good.xml", &feed(&a)).await?;
    let before = h.items(&supplier_id).await?;

    // Truncated in the middle of the offers: the first offer would read, but nothing is written.
    let changed = feed(&[("A1", "Дрель", "999"), ("A9", "Новинка", "10")]);
    let cut = &changed[..changed.find("A9").unwrap_or(changed.len())];
    let broken = run(&h.import_text("opt", "cut.xml", cut).await?);
    ensure!(
        broken.status == cat::ImportRunStatus::Failed as i32,
        "{broken:?}"
    );
    ensure!(
        broken
            .error
            .as_deref()
            .is_some_and(|e| e.contains("truncated") || e.contains("end")),
        "{:?}",
        broken.error
    );
    // Not XML at all.
    let garbage = run(&h
        .import_text("opt", "garbage.xml", "\u{0}\u{1}PK\u{3}\u{4} not a feed")
        .await?);
    ensure!(
        garbage.status == cat::ImportRunStatus::Failed as i32,
        "{garbage:?}"
    );
    // Hostile shapes fail fast with a clear feed error, after a complete first offer that is
    // not written either: nesting beyond the depth limit, and one text node beyond 4 MiB.
    let first =
        "<yml_catalog><shop><offers><offer id=\"A1\"><name>x</name><price>5</price></offer>";
    let deep = format!("{first}{}", "<a>".repeat(10_000));
    let huge = format!(
        "{first}<offer id=\"A2\"><description>{}</description></offer></offers></shop></yml_catalog>",
        "ж".repeat(3 << 20)
    );
    for (name, text, says) in [
        ("deep.xml", deep, "nested deeper"),
        ("huge.xml", huge, "larger than the limit"),
    ] {
        let failed = run(&h.import_text("opt", name, &text).await?);
        ensure!(
            failed.status == cat::ImportRunStatus::Failed as i32,
            "{name}: {failed:?}"
        );
        ensure!(
            failed.error.as_deref().is_some_and(|e| e.contains(says)),
            "{name}: {:?}",
            failed.error
        );
    }
    let after = h.items(&supplier_id).await?;
    ensure!(
        after
            .iter()
            .map(|i| (&i.offer_id, &i.price, i.available, &i.name))
            .collect::<Vec<_>>()
            == before
                .iter()
                .map(|i| (&i.offer_id, &i.price, i.available, &i.name))
                .collect::<Vec<_>>(),
        "the catalog changed: {after:?}"
    );
    h.stop().await
}

async fn entity_tricks_expand_nothing(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    let supplier = h.supplier("hostile", serde_json::json!({})).await?;
    // An entity bomb and an external entity: nothing is expanded, nothing fetched.
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\
        <yml_catalog><shop><offers><offer id=\"B1\"><name>&lol2;</name><price>1</price></offer></offers></shop></yml_catalog>";
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE y [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
        <yml_catalog><shop><offers><offer id=\"X1\"><name>&xxe;</name><price>5</price></offer></offers></shop></yml_catalog>";
    // The reader expands only the five predefined entities and character references: any other
    // reference stays as the literal text it was sent as (package_yml's documented choice).
    for (name, text, literal) in [("bomb.xml", bomb, "&lol2;"), ("xxe.xml", xxe, "&xxe;")] {
        let report = h.import_text("hostile", name, text).await?;
        let run = run(&report);
        ensure!(
            run.status == cat::ImportRunStatus::Succeeded as i32,
            "{name}: {run:?}"
        );
        ensure!(run.read == 1, "{name}: {run:?}");
        let items = h.items(&meta_id(supplier.meta.as_ref())).await?;
        ensure!(items.iter().any(|i| i.name == literal), "{name}: {items:?}");
    }
    let items = h.items(&meta_id(supplier.meta.as_ref())).await?;
    ensure!(
        items
            .iter()
            .all(|i| !i.name.contains("lollol") && !i.name.contains("root:")),
        "expanded: {items:?}"
    );
    h.stop().await
}

async fn bad_offers_are_rejected_one_by_one(backend: Backend) -> Result<()> {
    let h = Harness::start(backend).await?;
    h.supplier(
        "opt",
        serde_json::json!({ "currency_rates": { "USD": "90" } }),
    )
    .await?;
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><yml_catalog><shop><offers>\
        <offer id=\"ok\"><name>Хорошо</name><price>10</price></offer>\
        <offer id=\"zero\"><name>Ноль</name><price>0</price></offer>\
        <offer id=\"neg\"><name>Минус</name><price>-5</price></offer>\
        <offer id=\"eur\"><name>Евро</name><price>5</price><currencyId>EUR</currencyId></offer>\
        <offer id=\"usd\"><name>Доллар</name><price>2</price><currencyId>USD</currencyId></offer>\
        <offer id=\"bad-barcode\"><name>Код</name><price>3</price><barcode>4006381333932</barcode></offer>\
        <offer id=\"ok\"><name>Повтор</name><price>11</price></offer>\
        <offer><name>Без id</name><price>1</price></offer>\
        </offers></shop></yml_catalog>";
    let report = h.import_text("opt", "bad.xml", xml).await?;
    let run = run(&report);
    ensure!(
        (run.read, run.created, run.rejected) == (8, 3, 5),
        "{run:?}"
    );
    let reason = |id: &str| {
        report
            .rejected
            .iter()
            .find(|r| r.offer_id.as_deref() == Some(id))
            .and_then(|r| r.reason.clone())
            .unwrap_or_default()
    };
    ensure!(reason("zero").starts_with("price"), "{}", reason("zero"));
    ensure!(reason("neg").starts_with("price"), "{}", reason("neg"));
    ensure!(reason("eur").contains("EUR"), "{}", reason("eur"));
    ensure!(
        reason("ok").starts_with("duplicate offer id"),
        "{}",
        reason("ok")
    );
    ensure!(
        report.noted >= 1,
        "the bad barcode is reported, the item kept"
    );
    let usd = h
        .items(&meta_id(
            h.client
                .suppliers()
                .get_supplier(carpetti_proto::persist::v1::GetRequest {
                    key: "opt".into(),
                    ..Default::default()
                })
                .await?
                .into_inner()
                .meta
                .as_ref(),
        ))
        .await?
        .into_iter()
        .find(|i| i.offer_id == "usd")
        .ok_or_else(|| anyhow::anyhow!("usd"))?;
    ensure!(
        usd.price == "180.00" || usd.price == "180",
        "USD at 90: {}",
        usd.price
    );
    h.stop().await
}

on_each_backend!(
    runs_create_update_keep_and_mark_gone,
    a_feed_that_breaks_changes_nothing,
    bad_offers_are_rejected_one_by_one,
    entity_tricks_expand_nothing,
);
