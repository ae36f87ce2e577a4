//! Orders emitted in the sandbox come back with their lines; packing adds them to a supply; the
//! sticker is a PNG, and not ready before packing.

use carpetti_marketplace::{Connector, MpError};
use carpetti_wildberries::sandbox::seed::WAREHOUSE;
use carpetti_wildberries::sandbox::{EmitOrder, is_png};
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use serde_json::json;

use crate::common::{Setup, carpet, publish};

#[tokio::test]
async fn orders_come_back_and_pack_into_a_supply_with_png_stickers() -> anyhow::Result<()> {
    let setup = Setup::fast().await?;
    publish(&setup.connector, &[carpet(1), carpet(2)]).await?;
    let since = Utc::now() - Duration::seconds(5);
    let emitted = setup.sandbox.emit_order(&EmitOrder {
        offer_id: "CARPET-001".to_owned(),
        quantity: 2,
        price: Decimal::new(4_99050, 2),
    })?;
    assert_eq!(emitted.len(), 2);
    // Over HTTP, as `carpetti sandbox` users would.
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/orders", setup.served.base_url()))
        .json(&json!({ "offer_id": "CARPET-002", "quantity": 1, "price": "1234.5" }))
        .send()
        .await?
        .json()
        .await?;
    let third = answer["orders"][0].as_i64().expect("order id");

    let orders = setup.connector.orders(since).await?;
    assert_eq!(orders.len(), 3);
    let card = setup.sandbox.card("CARPET-001").expect("card");
    let first = orders
        .iter()
        .find(|o| o.external_id == emitted[0].to_string())
        .expect("emitted order");
    assert_eq!(first.status, "new");
    let line = &first.lines[0];
    assert_eq!(line.offer_id.as_deref(), Some("CARPET-001"));
    assert_eq!(line.quantity, 1);
    assert_eq!(line.price, Decimal::new(4_99050, 2));
    assert_eq!(line.external_sku, card.chrt_id().map(|c| c.to_string()));
    assert_eq!(line.barcodes, card.sizes[0].skus);
    let other = orders
        .iter()
        .find(|o| o.external_id == third.to_string())
        .expect("http order");
    assert_eq!(other.lines[0].price, Decimal::new(123_450, 2));
    // New orders come back whatever `since` is: they still want handling.
    assert_eq!(
        setup
            .connector
            .orders(Utc::now() + Duration::seconds(2))
            .await?
            .len(),
        3
    );

    let id = emitted[0].to_string();
    let early = setup.connector.label(&id).await;
    assert!(matches!(early, Err(MpError::NotReady { .. })), "{early:?}");
    setup.connector.pack(&id).await?;
    setup.connector.pack(&id).await?;
    setup.connector.pack(&emitted[1].to_string()).await?;
    let label = setup.connector.label(&id).await?;
    assert_eq!(label.content_type, "image/png");
    assert!(is_png(&label.bytes));
    // IEND's CRC is fixed: the file ends exactly as a PNG does.
    assert_eq!(
        &label.bytes[label.bytes.len() - 4..],
        &[0xae, 0x42, 0x60, 0x82]
    );
    assert_eq!(label.file_name(), format!("label-{id}.png"));
    let supplies = setup.sandbox.supplies();
    assert_eq!(supplies.len(), 1);
    assert_eq!(supplies[0].orders, emitted);
    assert_eq!(supplies[0].warehouse_id, Some(WAREHOUSE));
    let packed = setup.sandbox.order(emitted[0]).expect("order");
    assert_eq!(packed.supplier_status, "confirm");
    let after = setup.connector.orders(since).await?;
    let status = |id: i64| {
        after
            .iter()
            .find(|o| o.external_id == id.to_string())
            .map(|o| o.status.clone())
    };
    assert_eq!(status(emitted[0]).as_deref(), Some("confirm"));
    assert_eq!(status(third).as_deref(), Some("new"));
    let missing = setup.connector.label("42").await;
    assert!(
        matches!(missing, Err(MpError::Rejected { status: 404, .. })),
        "{missing:?}"
    );
    Ok(())
}
