//! Shipments emitted in the sandbox come back with their lines; pack confirms and packs every lot
//! into one box; the sticker is a PDF, not before packing.

use carpetti_marketplace::{Connector, MpError};
use carpetti_megamarket::seed::{KETTLES, MICROWAVES};
use carpetti_megamarket::{EmitLot, path};
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use serde_json::json;

use crate::{card, publish, start};

#[tokio::test]
async fn orders_come_back_with_lines_and_pack_then_label_gives_a_pdf() {
    let setup = start().await;
    let results = publish(
        &setup.connector,
        &[card("OR-A", KETTLES), card("OR-B", MICROWAVES)],
    )
    .await;
    let goods_a = crate::goods_id(&results[0]).expect("published").to_owned();
    let since = Utc::now() - Duration::minutes(1);

    let first = setup.sandbox.emit_order(&[
        EmitLot {
            offer_id: "OR-A".to_owned(),
            quantity: 2,
            price: Decimal::new(990, 0),
        },
        EmitLot {
            offer_id: "OR-B".to_owned(),
            quantity: 1,
            price: Decimal::new(150_050, 2),
        },
    ]);
    let emitted: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/orders", setup.url()))
        .json(&json!({ "items": [{ "offerId": "OR-B", "quantity": 1, "price": 2490 }] }))
        .send()
        .await
        .expect("emit over HTTP")
        .json()
        .await
        .expect("json");
    let second = emitted["shipmentId"]
        .as_str()
        .expect("shipment id")
        .to_owned();

    let orders = setup.connector.orders(since).await.expect("orders");
    assert_eq!(orders.len(), 2);
    let order = orders
        .iter()
        .find(|o| o.external_id == first)
        .expect("first");
    assert_eq!(order.status, "NEW");
    assert_eq!(
        order.customer_name.as_deref(),
        Some("Иванова Мария Петровна")
    );
    assert_eq!(order.lines.len(), 2, "two lots of OR-A are one line");
    let a = order
        .lines
        .iter()
        .find(|l| l.offer_id.as_deref() == Some("OR-A"))
        .expect("A");
    assert_eq!(a.quantity, 2);
    assert_eq!(a.price, Decimal::new(990, 0));
    assert_eq!(a.external_sku.as_deref(), Some(goods_a.as_str()));
    assert_eq!(a.name, "Товар OR-A");
    let b = order
        .lines
        .iter()
        .find(|l| l.offer_id.as_deref() == Some("OR-B"))
        .expect("B");
    assert_eq!(b.price, Decimal::new(150_050, 2));
    assert!(orders.iter().any(|o| o.external_id == second));
    assert!(
        setup
            .connector
            .orders(Utc::now() + Duration::hours(1))
            .await
            .expect("none")
            .is_empty()
    );

    // No sticker before packing.
    let early = setup.connector.label(&first).await.expect_err("not packed");
    assert!(matches!(early, MpError::NotReady { .. }), "{early:?}");

    setup.connector.pack(&first).await.expect("pack");
    let shipment = setup.sandbox.shipment(&first).expect("held");
    assert_eq!(shipment.status, "PACKED");
    assert_eq!(shipment.order_code.as_deref(), Some(first.as_str()));
    let code = format!("175306*{first}*1");
    assert!(
        shipment
            .lots
            .iter()
            .all(|l| l.confirmed && l.box_code.as_deref() == Some(&*code))
    );
    assert_eq!(shipment.lots.len(), 3, "one lot per unit");

    // Packing again changes nothing and calls neither confirm nor packing.
    let kit = setup.sandbox.toolkit();
    let calls = |p: &str| kit.exchanges_to(p).len();
    let (confirms, packings) = (calls(path::ORDER_CONFIRM), calls(path::ORDER_PACKING));
    setup.connector.pack(&first).await.expect("pack again");
    assert_eq!(
        (calls(path::ORDER_CONFIRM), calls(path::ORDER_PACKING)),
        (confirms, packings)
    );

    let label = setup.connector.label(&first).await.expect("label");
    assert_eq!(label.content_type, "application/pdf");
    assert!(label.bytes.starts_with(b"%PDF-1.4"));
    assert!(label.bytes.ends_with(b"%%EOF\n"));
    assert_xref_points_at_objects(&label.bytes);
    assert!(label.file_name().ends_with(".pdf"));
    let orders = setup.connector.orders(since).await.expect("orders");
    let packed = orders
        .iter()
        .find(|o| o.external_id == first)
        .expect("first");
    assert_eq!(packed.status, "PACKED");
    assert!(packed.updated_at.is_some_and(|u| u >= packed.created_at));
    // The other shipment is untouched.
    assert_eq!(
        setup.sandbox.shipment(&second).expect("second").status,
        "NEW"
    );
}

#[tokio::test]
async fn unknown_shipment_is_refused() {
    let setup = start().await;
    let error = setup.connector.pack("123").await.expect_err("unknown");
    assert!(
        matches!(&error, MpError::Rejected { code, .. } if code == "SHIPMENT_NOT_FOUND"),
        "{error:?}"
    );
}

/// `startxref` points at the `xref` table, and each of its entries at `n 0 obj`.
fn assert_xref_points_at_objects(pdf: &[u8]) {
    let text = String::from_utf8_lossy(pdf);
    let start: usize = text
        .rsplit("startxref\n")
        .next()
        .and_then(|tail| tail.lines().next())
        .and_then(|n| n.trim().parse().ok())
        .expect("startxref");
    assert!(text[start..].starts_with("xref\n"), "startxref {start}");
    let entries: Vec<usize> = text[start..]
        .lines()
        .skip(3)
        .take_while(|line| line.ends_with(" n "))
        .map(|line| line[..10].parse().expect("offset"))
        .collect();
    assert_eq!(entries.len(), 5);
    for (n, offset) in entries.into_iter().enumerate() {
        assert!(
            text[offset..].starts_with(&format!("{} 0 obj", n + 1)),
            "object {}",
            n + 1
        );
    }
}
