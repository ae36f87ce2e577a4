//! Orders emitted in the sandbox come back with their lines; packing makes the PDF label.

use carpetti_marketplace::{Connector, MpError};
use carpetti_yandex_market::OrderLine;
use chrono::{Duration, Utc};
use rust_decimal::Decimal;

use crate::{fast, start};

#[tokio::test]
async fn emitted_orders_come_back_and_pack_into_a_pdf_label() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let since = Utc::now() - Duration::minutes(5);
    let first = env.sandbox.emit_order(&[
        OrderLine {
            offer_id: "CARPET-1".to_owned(),
            quantity: 1,
            price: Decimal::new(1299000, 2),
        },
        OrderLine {
            offer_id: "TOWEL-1".to_owned(),
            quantity: 3,
            price: Decimal::new(99050, 2),
        },
    ]);
    // and one over HTTP, as `carpetti sandbox` users do
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/orders", env.served.base_url()))
        .json(&serde_json::json!({"lines": [{"offer_id": "CARPET-2", "quantity": 2, "price": "4500.00"}]}))
        .send()
        .await?
        .json()
        .await?;
    let second = answer["id"].as_i64().expect("order id");

    let orders = env.connector.orders(since).await?;
    assert_eq!(orders.len(), 2);
    let order = orders
        .iter()
        .find(|o| o.external_id == first.to_string())
        .expect("first");
    assert_eq!(order.status, "PROCESSING/STARTED");
    assert!(
        (order.created_at - Utc::now()).num_seconds().abs() < 60,
        "Moscow time read right"
    );
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[1].offer_id.as_deref(), Some("TOWEL-1"));
    assert_eq!(order.lines[1].quantity, 3);
    assert_eq!(order.lines[1].price, Decimal::new(99050, 2));
    let other = orders
        .iter()
        .find(|o| o.external_id == second.to_string())
        .expect("second");
    assert_eq!(other.lines[0].price, Decimal::new(4500, 0));

    let early = env.connector.label(&first.to_string()).await;
    assert!(matches!(early, Err(MpError::NotReady { .. })), "{early:?}");

    env.connector.pack(&first.to_string()).await?;
    env.connector.pack(&first.to_string()).await?; // packing a packed order changes nothing
    let held = env.sandbox.order(first).expect("order");
    assert_eq!(
        (held.status.as_str(), held.substatus.as_str()),
        ("PROCESSING", "READY_TO_SHIP")
    );

    let label = env.connector.label(&first.to_string()).await?;
    assert_eq!(label.content_type, "application/pdf");
    assert!(label.bytes.starts_with(b"%PDF-1.4"));
    assert!(label.bytes.ends_with(b"%%EOF\n"));
    assert_eq!(label.file_name(), format!("label-{first}.pdf"));

    let refreshed = env.connector.orders(since).await?;
    let packed = refreshed
        .iter()
        .find(|o| o.external_id == first.to_string())
        .expect("first");
    assert_eq!(packed.status, "PROCESSING/READY_TO_SHIP");
    Ok(())
}

#[tokio::test]
async fn orders_page_through_everything_changed_since() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let line = OrderLine {
        offer_id: "CARPET-1".to_owned(),
        quantity: 1,
        price: Decimal::new(100, 0),
    };
    let ids: Vec<i64> = (0..120)
        .map(|_| env.sandbox.emit_order(std::slice::from_ref(&line)))
        .collect();
    let orders = env
        .connector
        .orders(Utc::now() - Duration::hours(1))
        .await?;
    let got: Vec<i64> = orders
        .iter()
        .map(|o| o.external_id.parse().unwrap_or(0))
        .collect();
    assert_eq!(got, ids);
    let pages = env
        .sandbox
        .toolkit()
        .exchanges_to("/v2/campaigns/21000001/orders");
    assert_eq!(pages.len(), 3, "50 + 50 + 20");
    // nothing changed after now
    assert!(
        env.connector
            .orders(Utc::now() + Duration::minutes(2))
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn packing_an_unknown_order_is_refused() -> anyhow::Result<()> {
    let env = start(fast()).await?;
    let refused = env.connector.pack("123").await;
    assert!(
        matches!(refused, Err(MpError::Rejected { status: 404, .. })),
        "{refused:?}"
    );
    let not_an_id = env.connector.label("abc").await;
    assert!(
        matches!(not_an_id, Err(MpError::Rejected { .. })),
        "{not_an_id:?}"
    );
    Ok(())
}
