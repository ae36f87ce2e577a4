//! Postings emitted in the sandbox come back with their lines; packing makes the PDF label
//! available; a label before packing is NotReady.

use std::time::Duration;

use carpetti_marketplace::{Connector, MpError};
use carpetti_ozon::{EmittedLine, SandboxConfig};
use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::json;

use crate::{Harness, catalog, publish, raw_post};

fn line(offer_id: &str, quantity: u32, price: i64) -> EmittedLine {
    EmittedLine {
        offer_id: offer_id.to_owned(),
        quantity,
        price: Decimal::new(price, 0),
    }
}

#[tokio::test]
async fn orders_come_back_with_their_lines_over_several_pages() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let (cards, ..) = catalog();
    publish(&h.connector, &cards).await?;
    let before = Utc::now() - chrono::Duration::seconds(1);
    let first = h
        .sandbox
        .emit_order(&[line("CRP-000", 2, 4990), line("CRP-010", 1, 12990)])?;
    for n in 0..120 {
        h.sandbox.emit_order(&[line("CRP-006", 1, 990 + n)])?;
    }
    let (status, body) = raw_post(
        &h,
        "/_sandbox/orders",
        &json!({"offer_id": "CRP-001", "quantity": 3, "price": "4500"}),
        false,
    )
    .await?;
    assert_eq!(status, 200, "{body}");
    let over_http = body["posting_number"]
        .as_str()
        .expect("posting number")
        .to_owned();
    assert!(h.sandbox.emit_order(&[line("NOPE", 1, 1)]).is_err());

    let orders = h.connector.orders(before).await?;
    assert_eq!(orders.len(), 122);
    assert_eq!(
        h.sandbox
            .toolkit()
            .exchanges_to("/v4/posting/fbs/list")
            .len(),
        2
    );
    let order = orders
        .iter()
        .find(|o| o.external_id == first)
        .expect("first order");
    assert_eq!(order.status, "awaiting_packaging");
    assert_eq!(order.lines.len(), 2);
    let carpet = h.sandbox.product("CRP-000").expect("product");
    let l = &order.lines[0];
    assert_eq!(l.offer_id.as_deref(), Some("CRP-000"));
    assert_eq!(l.external_sku, Some(carpet.sku.to_string()));
    assert_eq!((l.quantity, l.price), (2, Decimal::new(4990, 0)));
    assert_eq!(order.customer_name.as_deref(), Some("Иванов Иван"));
    let http_order = orders
        .iter()
        .find(|o| o.external_id == over_http)
        .expect("http order");
    assert_eq!(http_order.lines[0].quantity, 3);

    let later = h
        .connector
        .orders(Utc::now() + chrono::Duration::seconds(5))
        .await?;
    assert!(later.is_empty(), "nothing changed since then: {later:?}");
    Ok(())
}

#[tokio::test]
async fn pack_makes_the_label_available_and_is_idempotent() -> anyhow::Result<()> {
    let mut config = SandboxConfig::paced(1000.0).immediate();
    config.label_delay = Duration::from_millis(200);
    let h = Harness::start(config).await?;
    let (cards, ..) = catalog();
    publish(&h.connector, &cards).await?;
    let posting = h
        .sandbox
        .emit_order(&[line("CRP-002", 1, 4990), line("CRP-011", 2, 3000)])?;

    let early = h.connector.label(&posting).await;
    assert!(matches!(early, Err(MpError::NotReady { .. })), "{early:?}");

    let before_pack = Utc::now();
    h.connector.pack(&posting).await?;
    let packed = &h.sandbox.postings()[0];
    assert_eq!(packed.status, "awaiting_deliver");
    let too_soon = h.connector.label(&posting).await;
    assert!(
        matches!(too_soon, Err(MpError::NotReady { .. })),
        "{too_soon:?}"
    );

    h.connector.pack(&posting).await?;
    assert_eq!(
        h.sandbox
            .toolkit()
            .exchanges_to("/v4/posting/fbs/ship")
            .len(),
        1,
        "packed once"
    );

    tokio::time::sleep(Duration::from_millis(250)).await;
    let label = h.connector.label(&posting).await?;
    assert_eq!(label.content_type, "application/pdf");
    assert!(label.bytes.starts_with(b"%PDF-1.4"));
    assert!(label.bytes.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(&label.bytes);
    assert!(text.contains(&posting), "the label names the posting");
    assert_eq!(label.file_name(), format!("label-{posting}.pdf"));

    let changed = h.connector.orders(before_pack).await?;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].status, "awaiting_deliver");

    let unknown = h.connector.pack("00000000-0000-1").await;
    assert!(
        matches!(unknown, Err(MpError::Rejected { status: 404, .. })),
        "{unknown:?}"
    );
    Ok(())
}
