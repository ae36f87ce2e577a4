//! service_mp as a server: it answers gRPC health, and its periodic order sync brings an order
//! emitted in a sandbox into persist without anyone asking.

use std::time::{Duration, Instant};

use anyhow::Result;
use carpetti_mp::MpServer;
use carpetti_proto::persist::v1 as api;
use rust_decimal::Decimal;

use crate::harness::{Backend, Harness};
use crate::markets::ozon::Ozon;
use crate::scenarios::{Market, kettles};

#[tokio::test]
async fn the_server_syncs_orders_on_its_own() -> Result<()> {
    let market = Ozon::start().await?;
    let h = Harness::start(Backend::Sqlite).await?;
    h.catalog(&kettles()).await?;
    let setup = market.setup();
    h.add_channel(&setup).await?;
    let channel = h.channel(setup.code).await?;
    h.publisher(Duration::from_secs(30))
        .publish(
            &channel,
            &carpetti_mp::publish::Selection::All,
            &carpetti_mp::publish::Quiet,
        )
        .await?;
    let order = market.emit_order("K-04", Decimal::new(1990, 0));

    let server = MpServer::bind(
        h.persist.clone(),
        h.publisher(Duration::from_secs(30)),
        "127.0.0.1:0".parse()?,
    )
    .await?
    .with_order_sync(Some(Duration::from_millis(100)));
    let address = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    tokio::net::TcpStream::connect(address).await?;

    let deadline = Instant::now() + Duration::from_secs(20);
    let found = loop {
        let got = h
            .persist
            .orders()
            .get_order(api::GetRequest {
                key: order.clone(),
                scope_id: channel.channel_id.clone(),
                ..Default::default()
            })
            .await;
        if let Ok(found) = got {
            break found.into_inner();
        }
        assert!(Instant::now() < deadline, "order {order} never synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(found.lines[0].sku.as_deref(), Some("K-04"));
    let _ = stop.send(());
    serving.await??;
    Ok(())
}
